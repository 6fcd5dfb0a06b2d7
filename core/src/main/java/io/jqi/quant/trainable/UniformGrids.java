package io.jqi.quant.trainable;

import io.jqi.quant.AffineGrid;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The arithmetic of the uniform trainable quantizers. The forward value follows jqi's one uniform formula, the ONNX
 * order {@code clamp(rint(x / step) + zp, 0, 2^n - 1)} on the adjusted range, from the same floats as the inferable
 * quantizer ({@link AffineGrid#uniformAdjusted}). The gradient follows the reference's formulas (spec 7.2, 7.3),
 * which are written for {@code step * clip(round((x - a) / step)) + a} with the range adjustment differentiated
 * and its rounding held constant; {@link Tensor#straightThrough} joins the two.
 */
final class UniformGrids {
    private UniformGrids() {
    }

    static float qmax(int bits) {
        return (float) ((1L << bits) - 1);
    }

    /**
     * The exact fake-quantized values for the current range. The grid comes from {@link Tensor#uniformGrid} on the
     * range's device, so a training step reads nothing to the host (on the CPU the grid is computed, and the range
     * checked, by {@link io.jqi.quant.UniformRange} and {@link AffineGrid#uniformAdjusted} as before).
     */
    static Tensor value(Tensor x, Tensor min, Tensor max, int bits, boolean perChannel, int axis) {
        Shape shape = x.shape();
        try (var ignored = Tensor.noGrad()) {
            Tensor[] grid = Tensor.uniformGrid(min.detach(), max.detach(), bits);
            Tensor step = PerChannel.alongAxis(grid[0].to(x.device()), shape, perChannel, axis);
            Tensor zp = PerChannel.alongAxis(grid[1].to(x.device()), shape, perChannel, axis);
            return x.div(step).round().add(zp).clamp(0f, qmax(bits)).sub(zp).mul(step);
        }
    }

    /**
     * The reference's expression, for its gradient: {@code (a, b) = A(min, max)}, {@code step = (b - a) / K} scaled
     * by {@code gradScale}, {@code c = clip(ste_round((x - a) / step))} (hard clip for LSQ, straight-through for STE),
     * {@code step * c + a}.
     */
    static Tensor surrogate(Tensor x, Tensor min, Tensor max, int bits, float gradScale, boolean hardClip,
            boolean perChannel, int axis) {
        float k = qmax(bits);
        Tensor[] range = adjust(min, max, k);
        Shape shape = x.shape();
        Tensor a = PerChannel.alongAxis(range[0], shape, perChannel, axis);
        Tensor step = PerChannel.alongAxis(range[1].sub(range[0]).div(k), shape, perChannel, axis).gradScale(gradScale);
        Tensor r = x.sub(a).div(step).steRound();
        Tensor c = hardClip ? r.clamp(0f, k) : r.steClip(0f, k);
        return c.mul(step).add(a);
    }

    /**
     * The range adjustment with gradients: in the mid-range case {@code a = sc * round(min / sc)} with the rounding
     * constant and {@code b = max - min + a}; a range above zero gives {@code (0, max)}, one below {@code (min, 0)}.
     */
    private static Tensor[] adjust(Tensor min, Tensor max, float k) {
        // 0/1 masks of the three cases, as tensor ops on the variables' device (ranges are finite, so
        // min <= 0 is 1 - (min > 0), and max < 0 is (-max > 0)).
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
