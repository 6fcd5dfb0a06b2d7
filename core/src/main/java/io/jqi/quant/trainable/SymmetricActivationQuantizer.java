package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * What the STE and LSQ activation quantizers share: one threshold (not rounded to a power of two at initialisation,
 * as in MCT's PyTorch path), the signedness from PTQ, and the conversion.
 */
abstract class SymmetricActivationQuantizer extends TrainableQuantizer {
    private final boolean signed;
    private Tensor threshold;

    SymmetricActivationQuantizer(TrainableQuantizerActivationConfig config, boolean freezeQuantParams) {
        super(config, freezeQuantParams);
        this.signed = config.params().signed();
        SymmetricGrids.requireThresholdShape(null, config.params().threshold(), false, 0);
    }

    @Override
    public TrainableQuantizerActivationConfig config() {
        return (TrainableQuantizerActivationConfig) super.config();
    }

    /** The threshold variable is named after the holder's name for it, as in MCT. */
    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        float[] t = SymmetricGrids.initialThresholds(config(), false);
        threshold = Tensor.vector(t).requiresGrad(!freezeQuantParams());
        addQuantizerVariable(host, name, threshold, VariableGroup.QPARAMS);
    }

    final Tensor threshold() {
        requireInitialized();
        return threshold;
    }

    final boolean signed() {
        return signed;
    }

    /** {@code T / 2^(n - s)}. */
    final Tensor step() {
        return SymmetricGrids.effectiveThreshold(threshold(), config())
                .div(SymmetricGrids.levels(config().nBits(), signed));
    }

    /** This quantizer as one fused node where the backend has the kernels, else null (see FusedQuantizers). */
    final Tensor fused(Tensor x, boolean clipped, boolean scaled, float gradScale) {
        return FusedQuantizers.symmetric(x, threshold(), config(), signed, false, 0, clipped, scaled, gradScale);
    }

    final float qmin() {
        return SymmetricGrids.qmin(config().nBits(), signed);
    }

    final float qmax() {
        return SymmetricGrids.qmax(config().nBits(), signed);
    }

    @Override
    public InferableQuantizer convertToInferable() {
        float t = SymmetricGrids.effectiveThreshold(threshold(), config()).item();
        int bits = config().nBits();
        if (config().method() == QuantizationMethod.POWER_OF_TWO) {
            return new ActivationPOTInferableQuantizer(bits, new float[] {t}, signed, RoundingMode.HALF_EVEN);
        }
        return new ActivationSymmetricInferableQuantizer(bits, new float[] {t}, signed, RoundingMode.HALF_EVEN);
    }
}
