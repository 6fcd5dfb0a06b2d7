package io.jqi.grid;

/** Power-of-two thresholds, computed exactly on the float's bits (no logarithms). */
public final class PowerOfTwo {
    private PowerOfTwo() {
    }

    /** True when {@code t} is {@code 2^k} for an integer k (negative k included). False for {@code t <= 0}, NaN, infinity. */
    public static boolean isPowerOfTwo(float t) {
        if (!(t > 0f) || Float.isInfinite(t)) {
            return false;
        }
        double d = t;
        return d == Math.scalb(1.0, Math.getExponent(d));
    }

    /** {@code 2^ceil(log2 t)}: the smallest power of two at or above a positive finite {@code t}. */
    public static float roundUp(float t) {
        if (!(t > 0f) || Float.isInfinite(t)) {
            throw new IllegalArgumentException("Only a positive finite threshold can be rounded up to a power of "
                    + "two, got " + t);
        }
        double d = t;
        int e = Math.getExponent(d);
        double p = Math.scalb(1.0, e);
        double up = d == p ? p : Math.scalb(1.0, e + 1);
        if (up > Float.MAX_VALUE) {
            throw new IllegalArgumentException("Threshold " + t + " rounds up to 2^" + (e + 1)
                    + ", which does not fit in a float");
        }
        return (float) up;
    }
}
