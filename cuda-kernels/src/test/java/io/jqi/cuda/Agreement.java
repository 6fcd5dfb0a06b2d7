package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The two ways quantizer results must agree: element values bit for bit (every NaN equal to every NaN: payloads are
 * not part of the contract), and summed parameter gradients within a bound on the rounding of any summation order.
 */
final class Agreement {
    /**
     * Parameter gradients may differ by {@code TOLERANCE * B}, where B is the gradient's magnitude bound: the same
     * sum over absolute values of the per-element terms. Float sums in any order stay within {@code n * 2^-24 * B};
     * the CPU's and the kernels' orders are far better than that worst case, and this bound has room for both.
     */
    static final double TOLERANCE = 1e-4;

    private Agreement() {
    }

    static void assertSameBits(String what, float[] x, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        StringBuilder examples = new StringBuilder();
        int mismatches = 0;
        for (int i = 0; i < expected.length; i++) {
            boolean bothNaN = Float.isNaN(expected[i]) && Float.isNaN(actual[i]);
            if (!bothNaN && Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                if (mismatches++ < 8) {
                    examples.append(String.format("%n  [%d] x=%s (0x%08x): expected %s (0x%08x), got %s (0x%08x)", i,
                            x[i], Float.floatToRawIntBits(x[i]), expected[i], Float.floatToRawIntBits(expected[i]),
                            actual[i], Float.floatToRawIntBits(actual[i])));
                }
            }
        }
        if (mismatches > 0) {
            fail(what + ": " + mismatches + " of " + expected.length + " elements differ" + examples);
        }
    }

    /** Each actual[c] within TOLERANCE * bound[c] of expected[c] (NaN only where expected is NaN). */
    static void assertWithinBound(String what, double[] expected, double[] bound, float[] actual) {
        StringBuilder problems = new StringBuilder();
        for (int c = 0; c < expected.length; c++) {
            boolean ok = Double.isNaN(expected[c]) ? Float.isNaN(actual[c])
                    : Math.abs(actual[c] - expected[c]) <= TOLERANCE * bound[c] + Double.MIN_NORMAL;
            if (!ok) {
                problems.append(String.format("%n  channel %d: expected %s (bound %s), got %s", c, expected[c],
                        bound[c], actual[c]));
            }
        }
        if (problems.length() > 0) {
            fail(what + ": parameter gradients outside " + TOLERANCE + " x their magnitude bound" + problems);
        }
    }
}
