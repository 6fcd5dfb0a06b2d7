package io.jqi.quant.trainable;

import io.jqi.grid.GridChecks;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;

/** What the two trainable configs share (docs/quantizer-contract.md#trainable-configs). */
public abstract sealed class TrainableQuantizerConfig
        permits TrainableQuantizerWeightsConfig, TrainableQuantizerActivationConfig {
    private final QuantizationMethod method;
    private final int nBits;
    private final QuantizationParams params;
    private final boolean enabled;
    private final float minThreshold;

    TrainableQuantizerConfig(QuantizationMethod method, int nBits, QuantizationParams params, boolean enabled,
            float minThreshold) {
        GridChecks.requireBits(nBits, "n_bits");
        if (method == null || params == null) {
            throw new IllegalArgumentException("A trainable quantizer config needs a quantization method and "
                    + "quantization parameters");
        }
        if (!(minThreshold >= 0f) || Float.isInfinite(minThreshold)) {
            throw new IllegalArgumentException("min_threshold must be a non-negative finite number, got " + minThreshold);
        }
        this.method = method;
        this.nBits = nBits;
        this.params = params;
        this.enabled = enabled;
        this.minThreshold = minThreshold;
    }

    public abstract QuantizationTarget target();

    /** What the quantizer built from this config computes (its parameters aside). */
    public abstract QuantizerSpec spec();

    public QuantizationMethod method() {
        return method;
    }

    public int nBits() {
        return nBits;
    }

    public QuantizationParams params() {
        return params;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The smallest threshold initialisation may produce; MCT's default is 2^-16. */
    public float minThreshold() {
        return minThreshold;
    }
}
