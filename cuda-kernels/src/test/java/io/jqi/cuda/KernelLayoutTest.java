package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The multiply-shift divider the kernels use instead of integer division, on the host: exact where it is used. */
class KernelLayoutTest {

    @Test
    void dividesExactlyForEverySmallDivisor() {
        Random random = new Random(1);
        for (int d = 1; d <= 5000; d++) {
            check(d, random);
        }
    }

    @Test
    void dividesExactlyForLargeAndPowerOfTwoDivisors() {
        Random random = new Random(2);
        for (int shift = 0; shift < 31; shift++) {
            check(1 << shift, random);
            check((1 << shift) + 1, random);
            check((1 << shift) - 1 > 0 ? (1 << shift) - 1 : 1, random);
        }
        check(Integer.MAX_VALUE, random);
        for (int i = 0; i < 20_000; i++) {
            check(1 + random.nextInt(Integer.MAX_VALUE), random);
        }
    }

    @Test
    void anEmptyExtentGetsTheDividerOfOne() {
        assertEquals(7, KernelLayout.divide(7, KernelLayout.divider(0)));
    }

    /** Edges of the quotient around multiples of d, the ends of the range, and random numerators below 2^31. */
    private static void check(int d, Random random) {
        int[] divider = KernelLayout.divider(d);
        long[] edges = {0, 1, d - 1L, d, d + 1L, 2L * d - 1, 2L * d, Integer.MAX_VALUE, Integer.MAX_VALUE - 1L,
            (Integer.MAX_VALUE / (long) d) * d, (Integer.MAX_VALUE / (long) d) * d - 1};
        for (long n : edges) {
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                assertEquals(n / d, KernelLayout.divide(n, divider), () -> n + " / " + d);
            }
        }
        for (int i = 0; i < 200; i++) {
            long n = random.nextInt(Integer.MAX_VALUE);
            assertEquals(n / d, KernelLayout.divide(n, divider), () -> n + " / " + d);
        }
    }
}
