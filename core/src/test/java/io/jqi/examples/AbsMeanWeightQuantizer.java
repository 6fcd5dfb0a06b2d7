package io.jqi.examples;

import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * A user's weight quantizer with its own training method, "ABS_MEAN" (docs/custom-quantizers.md): each output
 * channel's threshold follows its weights, {@code T_c = gamma_c * mean(|w_c|)}, with a learnable multiplier
 * {@code gamma} per channel. Nothing in jqi knows this identifier; the registry finds the class by annotation.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.SYMMETRIC, identifier = "ABS_MEAN")
public final class AbsMeanWeightQuantizer extends TrainableQuantizer {
    private static final float INITIAL_GAMMA = 2.5f;

    private Tensor gamma;
    private float[] lastThreshold;

    public AbsMeanWeightQuantizer(TrainableQuantizerWeightsConfig config) {
        super(config, false);
    }

    @Override
    public TrainableQuantizerWeightsConfig config() {
        return (TrainableQuantizerWeightsConfig) super.config();
    }

    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        int channels = shape.dim(config().channelsAxis());
        float[] initial = new float[channels];
        java.util.Arrays.fill(initial, INITIAL_GAMMA);
        gamma = Tensor.vector(initial).requiresGrad(true);
        addQuantizerVariable(host, name + "_gamma", gamma);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int axis = x.shape().normalizeAxis(config().channelsAxis());
        int[] others = new int[x.rank() - 1];
        for (int d = 0, i = 0; d < x.rank(); d++) {
            if (d != axis) {
                others[i++] = d;
            }
        }
        int[] along = new int[x.rank()];
        java.util.Arrays.fill(along, 1);
        along[axis] = gamma.numel();
        Tensor threshold = x.abs().mean(others, true).mul(gamma.reshape(along));
        lastThreshold = threshold.toFloatArray();
        float levels = 1 << (config().nBits() - 1);
        Tensor step = threshold.div(levels);
        return x.div(step).steRound().steClip(-levels, levels - 1).mul(step);
    }

    /** The thresholds of the last forward pass (run one forward on the final weights before converting). */
    @Override
    public InferableQuantizer convertToInferable() {
        if (lastThreshold == null) {
            throw new IllegalStateException("AbsMeanWeightQuantizer derives its thresholds from the weights: run "
                    + "forward on the final weights once before convertToInferable()");
        }
        return new WeightsSymmetricInferableQuantizer(config().nBits(), lastThreshold, true, config().channelsAxis(),
                null, RoundingMode.HALF_EVEN);
    }
}
