package io.jqi.quant.trainable;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.QuantizerSpec;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizers;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The built-in uniform trainable quantizers (STE and LSQ, weights and activations): {@code min} and {@code max}
 * variables per channel (weights) or one pair (activations). The forward value is the deployed grid's, the ONNX
 * order {@code clamp(rint(x / step) + zp, 0, 2^n - 1)} on the adjusted range ({@link Tensor#uniformGrid}); the
 * gradient follows the reference's surrogate {@code step * clip(rint((x - a) / step)) + a}, with the range adjustment
 * differentiated and its rounding held constant (docs/quantizer-contract.md#uniform-trainable-gradients). Subclasses
 * choose only the {@link GradientRule} and whether the range trains.
 */
abstract class RangeQuantizer extends TrainableQuantizer {
    private final GradientRule gradient;
    private final boolean trainsRange;
    private Tensor min;
    private Tensor max;

    RangeQuantizer(TrainableQuantizerConfig config, boolean freezeQuantParams, GradientRule gradient,
            boolean trainsRange) {
        super(config, freezeQuantParams);
        this.gradient = gradient;
        this.trainsRange = trainsRange;
        if (!isWeightsQuantizer()) {
            GridChecks.requireRanges(config.params().rangeMin(), config.params().rangeMax(), false);
        }
    }

    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        QuantizerSpec spec = config().spec();
        float[] lo = config().params().rangeMin();
        float[] hi = config().params().rangeMax();
        if (isWeightsQuantizer()) {
            GridChecks.requireRanges(lo, hi, spec.perChannel());
            if (spec.perChannel() && shape != null && shape.dim(spec.channelAxis()) != lo.length) {
                throw new IllegalArgumentException("The config has " + lo.length + " per-channel ranges but the "
                        + "tensor of shape " + shape + " has " + shape.dim(spec.channelAxis()) + " channels on axis "
                        + spec.channelAxis());
            }
        }
        min = Tensor.vector(lo).requiresGrad(trainsRange);
        max = Tensor.vector(hi).requiresGrad(trainsRange);
        addQuantizerVariable(host, name + "_min", min);
        addQuantizerVariable(host, name + "_max", max);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireInitialized();
        QuantizerSpec spec = config().spec();
        float k = spec.integers().qmax();
        ChannelLayout layout = spec.layout(x.shape(), min.numel(), "The quantizer");
        Tensor[] grid = Tensor.uniformGrid(min.detach(), max.detach(), spec.bits());
        Tensor value = Tensor.fakeQuantize(x, layout, grid[0], grid[1], 0f, k, RoundingMode.HALF_EVEN);
        Tensor[] range = surrogateRange(min, max, k);
        // The surrogate always scales the step's gradient, by 1 for STE (an affine 1 * g + 0).
        Tensor step = range[1].sub(range[0]).div(k).gradScale(gradient.stepScale(spec, x.shape(), min.numel()));
        return Tensor.fakeQuantizeGradient(value, x, layout, step, range[0], 0f, k, gradient.clippedInput());
    }

    /** The current range; the inferable constructor adjusts it exactly as the forward did. */
    @Override
    public InferableQuantizer convertToInferable() {
        requireInitialized();
        return InferableQuantizers.uniform(config().spec(), min.toFloatArray(), max.toFloatArray());
    }

    /**
     * The range adjustment with gradients, as tensor ops on the variables' device: in the mid-range case
     * {@code a = sc * round(min / sc)} with the rounding constant and {@code b = max - min + a}; a range above zero
     * gives {@code (0, max)}, one below {@code (min, 0)}. Returns {@code {a, b}}.
     */
    private static Tensor[] surrogateRange(Tensor min, Tensor max, float k) {
        // 0/1 masks of the three cases (ranges are finite, so min <= 0 is 1 - (min > 0), and max < 0 is (-max > 0)).
        Tensor abovePositive;
        Tensor belowNegative;
        Tensor mid;
        try (var ignored = Tensor.noGrad()) {
            abovePositive = min.detach().positive();
            belowNegative = abovePositive.neg().add(1f).mul(max.detach().neg().positive());
            mid = abovePositive.neg().add(1f).sub(belowNegative);
        }
        Tensor width = max.sub(min);
        Tensor scale = width.div(k);
        Tensor aMid = scale.mul(min.div(scale).round());
        Tensor bMid = width.add(aMid);
        Tensor a = aMid.mul(mid).add(min.mul(belowNegative));
        Tensor b = bMid.mul(mid).add(max.mul(abovePositive));
        return new Tensor[] {a, b};
    }
}
