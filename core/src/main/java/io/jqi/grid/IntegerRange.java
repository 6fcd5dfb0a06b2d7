package io.jqi.grid;

/**
 * The integers a grid of {@code bits} bits uses, as floats (every one exact in float32 up to
 * {@link GridChecks#MAX_BITS} bits). A symmetric grid of threshold {@code T} has {@link #levels()}
 * {@code = 2^(n - s)} steps in T (s = 1 when signed), so its step is {@code T / levels}; a LUT scales its values by
 * the same count. docs/quantizer-contract.md#symmetric-grids.
 *
 * @param qmin the smallest integer: {@code -2^(n-1)} signed, 0 unsigned
 * @param qmax the largest integer: {@code 2^(n-1) - 1} signed, {@code 2^n - 1} unsigned
 */
public record IntegerRange(float qmin, float qmax) {

    /** {@code [-2^(n-1), 2^(n-1) - 1]} when signed, {@code [0, 2^n - 1]} when not. */
    public static IntegerRange of(int bits, boolean signed) {
        float levels = levels(bits, signed);
        return new IntegerRange(signed ? -levels : 0f, levels - 1f);
    }

    /** {@code [0, 2^n - 1]}: the integers of a uniform grid. */
    public static IntegerRange unsigned(int bits) {
        return of(bits, false);
    }

    /** {@code 2^(n - s)}: how many steps a symmetric threshold spans, and a LUT's multiplier. */
    public static float levels(int bits, boolean signed) {
        return (float) (1L << (signed ? bits - 1 : bits));
    }

    /** The number of steps in the threshold of a symmetric grid of this range: {@code qmax + 1}. */
    public float levels() {
        return qmax + 1f;
    }
}
