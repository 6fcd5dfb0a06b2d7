package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;

/** A weights quantizer's configuration (docs/quantizer-contract.md#trainable-configs). */
public final class TrainableQuantizerWeightsConfig extends TrainableQuantizerConfig {
    /** MCT's {@code MIN_THRESHOLD}. */
    public static final float DEFAULT_MIN_THRESHOLD = 0x1p-16f;

    private final int channelsAxis;
    private final boolean perChannel;

    /**
     * @param channelsAxis the output-channel axis of the kernel (0 for jqi's [out, in, ...] layouts); ignored per
     *     tensor
     */
    public TrainableQuantizerWeightsConfig(QuantizationMethod method, int nBits, QuantizationParams params,
            boolean enabled, int channelsAxis, boolean perChannel, float minThreshold) {
        super(method, nBits, params, enabled, minThreshold);
        this.channelsAxis = channelsAxis;
        this.perChannel = perChannel;
    }

    /** Per-channel symmetric or power-of-two weights on {@code axis}, enabled, default min threshold. */
    public static TrainableQuantizerWeightsConfig perChannel(QuantizationMethod method, int nBits, float[] thresholds,
            int axis) {
        return new TrainableQuantizerWeightsConfig(method, nBits, QuantizationParams.threshold(thresholds), true, axis,
                true, DEFAULT_MIN_THRESHOLD);
    }

    @Override
    public QuantizationTarget target() {
        return QuantizationTarget.WEIGHTS;
    }

    /** Signed unless uniform; per channel on {@link #channelsAxis()} when {@link #perChannel()}. */
    @Override
    public QuantizerSpec spec() {
        return QuantizerSpec.weights(method(), nBits(), perChannel ? channelsAxis : null);
    }

    public int channelsAxis() {
        return channelsAxis;
    }

    public boolean perChannel() {
        return perChannel;
    }
}
