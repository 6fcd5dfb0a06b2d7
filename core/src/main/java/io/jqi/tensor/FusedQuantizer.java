package io.jqi.tensor;

/**
 * What a backend's fused trainable-quantizer kernels need to know about one quantizer: its grid, its gradient rule
 * and (for power-of-two) the threshold floor. The quantizer's parameters travel as tensors beside it: the
 * threshold for a symmetric or power-of-two grid, min then max for a uniform one. Every grid rounds half to even,
 * as every trainable quantizer does.
 *
 * @param grid         SYMMETRIC or POWER_OF_TWO (step {@code T / 2^(bits - s)}) or UNIFORM (the adjusted range)
 * @param bits         the bit width
 * @param signed       whether a symmetric or power-of-two grid is signed; false for UNIFORM
 * @param minThreshold the power-of-two threshold floor ({@code max(T, minThreshold)} before rounding up); 0 otherwise
 * @param clipped      whether dx is masked where the rounded value was clipped (CLIPPED STE, every LSQ quantizer)
 * @param scaled       whether the parameters' gradient is multiplied by {@code gradScale} (LSQ; a uniform
 *                     quantizer's surrogate always scales, by 1 for STE)
 * @param gradScale    LSQ's g; 1 when not scaled
 */
public record FusedQuantizer(Grid grid, int bits, boolean signed, float minThreshold, boolean clipped,
        boolean scaled, float gradScale) {

    /** The grid kinds the fused kernels cover. */
    public enum Grid {
        SYMMETRIC, POWER_OF_TWO, UNIFORM
    }

    public FusedQuantizer {
        if (grid == null) {
            throw new IllegalArgumentException("a fused quantizer needs its grid kind");
        }
        if (bits < 1 || bits > 30) {
            throw new IllegalArgumentException("bits must be in [1, 30], got " + bits);
        }
        if (!(gradScale > 0f) || Float.isInfinite(gradScale) || (!scaled && gradScale != 1f)) {
            throw new IllegalArgumentException("the gradient scale must be positive and finite, and 1 when not "
                    + "scaled; got " + gradScale + (scaled ? "" : " (unscaled)"));
        }
        if (grid == Grid.UNIFORM && signed) {
            throw new IllegalArgumentException("a uniform grid has no sign");
        }
    }

    /** The parameter tensors the quantizer takes: one threshold, or min and max. */
    public int parameterCount() {
        return grid == Grid.UNIFORM ? 2 : 1;
    }
}
