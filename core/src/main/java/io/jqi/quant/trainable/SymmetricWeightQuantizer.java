package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/** What the STE and LSQ weight quantizers share: a threshold variable per channel, and its conversion. */
abstract class SymmetricWeightQuantizer extends TrainableQuantizer {
    /** Suffix of the threshold variable's name (MCT's {@code THRESHOLD_TENSOR}). */
    static final String THRESHOLD_SUFFIX = "_ptq_threshold_tensor";

    private Tensor threshold;

    SymmetricWeightQuantizer(TrainableQuantizerWeightsConfig config) {
        super(config, false);
    }

    @Override
    public TrainableQuantizerWeightsConfig config() {
        return (TrainableQuantizerWeightsConfig) super.config();
    }

    /** Whether training updates the threshold. */
    abstract boolean trainsThreshold();

    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        TrainableQuantizerWeightsConfig c = config();
        float[] t = SymmetricGrids.initialThresholds(c, true);
        SymmetricGrids.requireThresholdShape(shape, t, c.perChannel(), c.channelsAxis());
        threshold = Tensor.vector(t).requiresGrad(trainsThreshold());
        addQuantizerVariable(host, name + THRESHOLD_SUFFIX, threshold, VariableGroup.QPARAMS);
    }

    /** The threshold variable. */
    final Tensor threshold() {
        requireInitialized();
        return threshold;
    }

    /** The step {@code T / 2^(n-1)}, shaped to broadcast over an input of {@code shape}. */
    final Tensor step(Shape shape) {
        TrainableQuantizerWeightsConfig c = config();
        Tensor step = SymmetricGrids.effectiveThreshold(threshold(), c).div(SymmetricGrids.levels(c.nBits(), true));
        return PerChannel.alongAxis(step, shape, c.perChannel(), c.channelsAxis());
    }

    /** This quantizer as one fused node where the backend has the kernels, else null (see FusedQuantizers). */
    final Tensor fused(Tensor x, boolean clipped, boolean scaled, float gradScale) {
        TrainableQuantizerWeightsConfig c = config();
        return FusedQuantizers.symmetric(x, threshold(), c, true, c.perChannel(), c.channelsAxis(), clipped, scaled,
                gradScale);
    }

    final float qmin() {
        return SymmetricGrids.qmin(config().nBits(), true);
    }

    final float qmax() {
        return SymmetricGrids.qmax(config().nBits(), true);
    }

    /** The thresholds the forward pass uses: the learned ones, for POT rounded up to powers of two. */
    @Override
    public InferableQuantizer convertToInferable() {
        TrainableQuantizerWeightsConfig c = config();
        float[] t = SymmetricGrids.effectiveThreshold(threshold(), c).toFloatArray();
        Integer axis = c.perChannel() ? c.channelsAxis() : null;
        if (c.method() == QuantizationMethod.POWER_OF_TWO) {
            return new WeightsPOTInferableQuantizer(c.nBits(), t, c.perChannel(), axis, null, RoundingMode.HALF_EVEN);
        }
        return new WeightsSymmetricInferableQuantizer(c.nBits(), t, c.perChannel(), axis, null, RoundingMode.HALF_EVEN);
    }
}
