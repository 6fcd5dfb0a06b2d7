package io.jqi.quant.trainable;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.QuantizationMethod;
import io.jqi.tensor.FusedQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The trainable quantizers' fused path: on a backend with fused quantizer kernels (CUDA) a quantizer's forward is
 * one autograd node ({@link Tensor#fusedQuantize}) instead of the composed ops, with the same forward bits and dx
 * bits and parameter gradients within the summation-order rounding. Elsewhere (the CPU) the composed path runs
 * unchanged. Each method returns null where the fused path does not apply.
 */
final class FusedQuantizers {
    /** The fused kernels keep every integer level exact in float32 up to this width; wider grids stay composed. */
    private static final int MAX_FUSED_BITS = 16;

    private FusedQuantizers() {
    }

    /** A symmetric or power-of-two quantizer's node, or null; {@code threshold} as the variable (not rounded). */
    static Tensor symmetric(Tensor x, Tensor threshold, TrainableQuantizerConfig config, boolean signed,
            boolean perChannel, int axis, boolean clipped, boolean scaled, float gradScale) {
        if (config.nBits() > MAX_FUSED_BITS || !Tensor.fusesQuantizers(x, threshold)) {
            return null;
        }
        boolean pot = config.method() == QuantizationMethod.POWER_OF_TWO;
        FusedQuantizer q = new FusedQuantizer(pot ? FusedQuantizer.Grid.POWER_OF_TWO : FusedQuantizer.Grid.SYMMETRIC,
                config.nBits(), signed, pot ? config.minThreshold() : 0f, clipped, scaled, gradScale);
        return Tensor.fusedQuantize(q, x, layout(x.shape(), perChannel, axis), threshold);
    }

    /** A uniform quantizer's node, or null. Its surrogate always scales the step's gradient (by 1 for STE). */
    static Tensor uniform(Tensor x, Tensor min, Tensor max, int bits, boolean perChannel, int axis, boolean clipped,
            float gradScale) {
        if (bits > MAX_FUSED_BITS || !Tensor.fusesQuantizers(x, min, max)) {
            return null;
        }
        FusedQuantizer q = new FusedQuantizer(FusedQuantizer.Grid.UNIFORM, bits, false, 0f, clipped, true, gradScale);
        return Tensor.fusedQuantize(q, x, layout(x.shape(), perChannel, axis), min, max);
    }

    private static ChannelLayout layout(Shape shape, boolean perChannel, int axis) {
        return perChannel ? ChannelLayout.around(shape, axis) : ChannelLayout.perTensor(shape);
    }
}
