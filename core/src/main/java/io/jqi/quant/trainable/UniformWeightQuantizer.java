package io.jqi.quant.trainable;

import io.jqi.quant.RoundingMode;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/** What the STE and LSQ uniform weight quantizers share: min/max variables per channel, forward, conversion. */
abstract class UniformWeightQuantizer extends TrainableQuantizer {
    private Tensor min;
    private Tensor max;

    UniformWeightQuantizer(TrainableQuantizerWeightsConfig config) {
        super(config, false);
    }

    @Override
    public TrainableQuantizerWeightsConfig config() {
        return (TrainableQuantizerWeightsConfig) super.config();
    }

    abstract boolean trainsRange();

    /** The gradient scale of the step (1 for STE). */
    abstract float gradScale(Tensor x);

    /** Whether the input gradient is masked where the rounded value was clipped. */
    abstract boolean hardClip();

    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        TrainableQuantizerWeightsConfig c = config();
        float[] lo = c.params().rangeMin();
        float[] hi = c.params().rangeMax();
        io.jqi.quant.QuantizerChecks.requireRanges(lo, hi, c.perChannel());
        if (c.perChannel() && shape != null && shape.dim(c.channelsAxis()) != lo.length) {
            throw new IllegalArgumentException("The config has " + lo.length + " per-channel ranges but the tensor of "
                    + "shape " + shape + " has " + shape.dim(c.channelsAxis()) + " channels on axis " + c.channelsAxis());
        }
        min = Tensor.vector(lo).requiresGrad(trainsRange());
        max = Tensor.vector(hi).requiresGrad(trainsRange());
        addQuantizerVariable(host, name + "_min", min, VariableGroup.QPARAMS);
        addQuantizerVariable(host, name + "_max", max, VariableGroup.QPARAMS);
    }

    final int channels() {
        requireInitialized();
        return min.numel();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireInitialized();
        TrainableQuantizerWeightsConfig c = config();
        Tensor fused = FusedQuantizers.uniform(x, min, max, c.nBits(), c.perChannel(), c.channelsAxis(), hardClip(),
                gradScale(x));
        if (fused != null) {
            return fused;
        }
        Tensor value = UniformGrids.value(x, min, max, c.nBits(), c.perChannel(), c.channelsAxis());
        Tensor surrogate = UniformGrids.surrogate(x, min, max, c.nBits(), gradScale(x), hardClip(), c.perChannel(),
                c.channelsAxis());
        return Tensor.straightThrough(value, surrogate);
    }

    /** The current range; the inferable constructor adjusts it exactly as the forward did. */
    @Override
    public InferableQuantizer convertToInferable() {
        requireInitialized();
        TrainableQuantizerWeightsConfig c = config();
        return new WeightsUniformInferableQuantizer(c.nBits(), min.toFloatArray(), max.toFloatArray(), c.perChannel(),
                c.perChannel() ? c.channelsAxis() : null, null, RoundingMode.HALF_EVEN);
    }
}
