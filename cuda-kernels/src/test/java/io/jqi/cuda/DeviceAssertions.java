package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of device results with the CPU's: bit for bit where promised, in float ulps or relative error else. */
final class DeviceAssertions {
    private DeviceAssertions() {
    }

    /** Same bits everywhere; any NaN matches any NaN (Java does not promise a NaN's payload). */
    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.isNaN(e) ? Float.isNaN(a) : Float.floatToRawIntBits(e) == Float.floatToRawIntBits(a);
            if (!same) {
                fail(what + ": element " + i + " is " + a + " (0x" + Integer.toHexString(Float.floatToRawIntBits(a))
                        + ") on CUDA but " + e + " (0x" + Integer.toHexString(Float.floatToRawIntBits(e))
                        + ") on the CPU");
            }
        }
    }

    /** At most {@code maxUlps} floats apart (NaN matches NaN, infinities must match exactly). */
    static void assertWithinUlps(float[] expected, float[] actual, int maxUlps, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) {
                    fail(what + ": element " + i + " is " + a + " on CUDA but " + e + " on the CPU");
                }
                continue;
            }
            if (ulpDistance(e, a) > maxUlps) {
                fail(what + ": element " + i + " is " + a + " on CUDA but " + e + " on the CPU, "
                        + ulpDistance(e, a) + " ulps apart (at most " + maxUlps + " allowed)");
            }
        }
    }

    /** |a - e| <= tolerance * scale[i] for every element (scale: the sum of magnitudes that formed the value). */
    static void assertWithinRelative(float[] expected, float[] actual, float[] scale, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double bound = tolerance * Math.max(scale[i], Float.MIN_NORMAL);
            if (!(Math.abs((double) actual[i] - expected[i]) <= bound)) {
                fail(what + ": element " + i + " is " + actual[i] + " on CUDA but " + expected[i] + " on the CPU ("
                        + "allowed " + bound + ")");
            }
        }
    }

    static long ulpDistance(float a, float b) {
        return Math.abs(ordered(a) - ordered(b));
    }

    /** Float bits mapped onto a line where adjacent floats differ by 1 (+0 and -0 coincide). */
    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : (long) Integer.MIN_VALUE - bits;
    }
}
