package io.jqi.quant.trainable;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.GridChecks;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.PowerOfTwo;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.QuantizerSpec;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizers;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The built-in symmetric and power-of-two trainable quantizers (STE and LSQ, weights and activations): a threshold
 * variable per channel (weights) or one (activations), the forward on the grid of step {@code T / 2^(n - s)}, and the
 * straight-through backward of {@link Tensor#fakeQuantizeGradient}; subclasses choose only the {@link GradientRule}
 * and whether the threshold trains (docs/quantizer-contract.md#ste-quantizers,
 * docs/quantizer-contract.md#lsq-quantizers).
 *
 * <p>A power-of-two threshold runs its forward on {@code 2^ceil(log2 max(T, min_threshold))} and passes the gradient
 * straight through to the learned T, so the grid that trains is the grid that deploys
 * (docs/quantizer-contract.md#power-of-two-training).
 */
abstract class ThresholdQuantizer extends TrainableQuantizer {
    /** Suffix of a weights quantizer's threshold variable (MCT's {@code THRESHOLD_TENSOR}). */
    static final String THRESHOLD_SUFFIX = "_ptq_threshold_tensor";

    private final GradientRule gradient;
    private final boolean trainsThreshold;
    private Tensor threshold;

    ThresholdQuantizer(TrainableQuantizerConfig config, boolean freezeQuantParams, GradientRule gradient,
            boolean trainsThreshold) {
        super(config, freezeQuantParams);
        this.gradient = gradient;
        this.trainsThreshold = trainsThreshold;
        if (!isWeightsQuantizer()) {
            requireThresholds(null, config.params().threshold());
        }
    }

    /**
     * Weights start from their PTQ thresholds, power-of-two ones raised to the min threshold and rounded up, and name
     * the variable {@code name + "_ptq_threshold_tensor"}; activations start from the PTQ threshold as it is and take
     * the holder's name for it, as in MCT.
     */
    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        TrainableQuantizerConfig c = config();
        float[] t = c.params().threshold();
        if (isWeightsQuantizer()) {
            if (c.method() == QuantizationMethod.POWER_OF_TWO) {
                for (int i = 0; i < t.length; i++) {
                    t[i] = PowerOfTwo.roundUp(Math.max(t[i], c.minThreshold()));
                }
            }
            requireThresholds(shape, t);
        }
        threshold = Tensor.vector(t).requiresGrad(trainsThreshold);
        addQuantizerVariable(host, isWeightsQuantizer() ? name + THRESHOLD_SUFFIX : name, threshold);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireInitialized();
        QuantizerSpec spec = spec();
        IntegerRange integers = spec.integers();
        ChannelLayout layout = spec.layout(x.shape(), threshold.numel(), "The quantizer");
        Tensor steps = effectiveThreshold().div(integers.levels());
        Tensor value = Tensor.fakeQuantize(x, layout, steps.detach(), null, integers.qmin(), integers.qmax(),
                RoundingMode.HALF_EVEN);
        Tensor trainedSteps = gradient.lsq() == null ? steps
                : steps.gradScale(gradient.stepScale(spec, x.shape(), threshold.numel()));
        return Tensor.fakeQuantizeGradient(value, x, layout, trainedSteps, null, integers.qmin(), integers.qmax(),
                gradient.clippedInput());
    }

    /** The thresholds the forward pass uses: the learned ones, for power of two rounded up. */
    @Override
    public InferableQuantizer convertToInferable() {
        requireInitialized();
        return InferableQuantizers.symmetric(spec(), effectiveThreshold().toFloatArray());
    }

    /** The threshold variable. */
    final Tensor threshold() {
        requireInitialized();
        return threshold;
    }

    /**
     * The threshold variable itself, or for POWER_OF_TWO {@code PowerOfTwo.roundUp(max(T, minThreshold))} computed
     * as tensor ops on the variable's device, with the gradient passed straight through to T.
     */
    private Tensor effectiveThreshold() {
        if (config().method() != QuantizationMethod.POWER_OF_TWO) {
            return threshold;
        }
        Tensor rounded = threshold.detach().clamp(config().minThreshold(), Float.POSITIVE_INFINITY).ceilPowerOfTwo();
        return Tensor.straightThrough(rounded, threshold);
    }

    private QuantizerSpec spec() {
        return config().spec();
    }

    /** One positive finite threshold per tensor, or one per channel of {@code shape} (when known) on the axis. */
    private void requireThresholds(Shape shape, float[] thresholds) {
        QuantizerSpec spec = spec();
        GridChecks.requireThresholds(thresholds, spec.perChannel());
        if (spec.perChannel() && shape != null && shape.rank() > 0
                && shape.dim(spec.channelAxis()) != thresholds.length) {
            throw new IllegalArgumentException("The config has " + thresholds.length + " per-channel thresholds but the "
                    + "tensor of shape " + shape + " has " + shape.dim(spec.channelAxis()) + " channels on axis "
                    + spec.channelAxis());
        }
    }
}
