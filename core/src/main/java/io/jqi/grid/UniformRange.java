package io.jqi.grid;

/**
 * The range adjustment {@code A(min, max, n)} of the reference: it moves {@code [min, max]} so that 0.0 is exactly
 * on the {@code 2^n - 1}-step grid. A range entirely above zero becomes {@code [0, max]} (max is kept), one
 * entirely below becomes {@code [min, 0]}, and a range around zero is shifted with its width preserved.
 *
 * <p>In float32 one step of {@code A} is not always idempotent (about 0.6% of random ranges move by an ulp when it
 * is applied again), and the reference applies it several times along its pipeline. jqi applies the step until
 * the range stops moving (two steps at most in practice), which makes {@link #adjust} idempotent: a quantizer
 * saved with its adjusted range reloads bit for bit.
 */
public final class UniformRange {
    private static final int MAX_STEPS = 8;

    private UniformRange() {
    }

    /** Returns {@code {min', max'}}, a fixed point of the reference's float32 adjustment step. */
    public static float[] adjust(float min, float max, int bits) {
        float[] current = step(min, max, bits);
        for (int i = 1; i < MAX_STEPS; i++) {
            float[] next = step(current[0], current[1], bits);
            if (Float.floatToIntBits(next[0]) == Float.floatToIntBits(current[0])
                    && Float.floatToIntBits(next[1]) == Float.floatToIntBits(current[1])) {
                break;
            }
            current = next;
        }
        return current;
    }

    /** {@link #adjust} channel by channel: returns {@code {min'[], max'[]}}. */
    public static float[][] adjustAll(float[] min, float[] max, int bits) {
        float[][] out = new float[2][min.length];
        for (int c = 0; c < min.length; c++) {
            float[] r = adjust(min[c], max[c], bits);
            out[0][c] = r[0];
            out[1][c] = r[1];
        }
        return out;
    }

    /** One application of the reference's adjustment, in float32 in its order of operations. */
    static float[] step(float min, float max, int bits) {
        if (min > 0f) {
            return new float[] {0f, max};
        }
        if (max < 0f) {
            return new float[] {min, 0f};
        }
        float scale = (max - min) / (float) ((1L << bits) - 1);
        float adjMin = scale * (float) Math.rint(min / scale);
        float adjMax = (max - min) + adjMin;
        // The numpy variant's clamps: no-ops in exact arithmetic, they keep float error from moving zero off
        // the range. -0.0 becomes +0.0 so that files show 0.
        adjMin = Math.min(adjMin, 0f);
        adjMax = Math.max(adjMax, 0f);
        return new float[] {adjMin == 0f ? 0f : adjMin, adjMax};
    }
}
