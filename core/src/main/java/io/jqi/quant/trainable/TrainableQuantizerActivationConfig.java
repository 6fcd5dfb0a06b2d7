package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;

/** An activation quantizer's configuration (docs/quantizer-contract.md#trainable-configs). */
public final class TrainableQuantizerActivationConfig extends TrainableQuantizerConfig {

    public TrainableQuantizerActivationConfig(QuantizationMethod method, int nBits, QuantizationParams params,
            boolean enabled, float minThreshold) {
        super(method, nBits, params, enabled, minThreshold);
    }

    /** An enabled activation config with the default min threshold. */
    public static TrainableQuantizerActivationConfig of(QuantizationMethod method, int nBits, QuantizationParams params) {
        return new TrainableQuantizerActivationConfig(method, nBits, params, true,
                TrainableQuantizerWeightsConfig.DEFAULT_MIN_THRESHOLD);
    }

    @Override
    public QuantizationTarget target() {
        return QuantizationTarget.ACTIVATION;
    }

    /** Per tensor; the signedness of a threshold from its parameters (a uniform range carries its own sign). */
    @Override
    public QuantizerSpec spec() {
        return QuantizerSpec.activations(method(), nBits(), method() != QuantizationMethod.UNIFORM && params().signed());
    }
}
