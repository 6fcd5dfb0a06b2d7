package io.jqi.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.UniformRange;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UniformRangeTest {

    @Test
    void positiveRangeBecomesZeroToMax() {
        assertArrayEquals(new float[] {0f, 10f}, UniformRange.adjust(3f, 10f, 2));
    }

    @Test
    void negativeRangeBecomesMinToZero() {
        assertArrayEquals(new float[] {-10f, 0f}, UniformRange.adjust(-10f, -3f, 2));
    }

    @Test
    void rangeAroundZeroShiftsWithItsWidthPreserved() {
        float[] r = UniformRange.adjust(-0.3f, 1.0f, 2);
        float step = (r[1] - r[0]) / 3f;
        assertEquals(-1f, r[0] / step, 1e-6);
        assertEquals(1.3f, r[1] - r[0], 1e-6);
    }

    @Test
    void zeroIsOnTheAdjustedGrid() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            int bits = 1 + random.nextInt(16);
            float min = (float) -Math.exp(random.nextGaussian() * 4);
            float max = (float) Math.exp(random.nextGaussian() * 4);
            float[] r = UniformRange.adjust(min, max, bits);
            assertTrue(r[0] <= 0f && 0f <= r[1]);
            double zp = -r[0] / ((r[1] - r[0]) / ((1L << bits) - 1.0));
            assertEquals(Math.rint(zp), zp, 1e-3 * Math.max(1, zp), () -> min + " " + max + " " + bits);
        }
    }

    @Test
    void adjustingTwiceChangesNoBit() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 300_000; i++) {
            int bits = 1 + random.nextInt(16);
            float min = (float) -Math.exp(random.nextGaussian() * 6);
            float max = (float) Math.exp(random.nextGaussian() * 6);
            float[] once = UniformRange.adjust(min, max, bits);
            float[] twice = UniformRange.adjust(once[0], once[1], bits);
            assertArrayEquals(once, twice, () -> min + " " + max + " " + bits);
        }
    }

    @Test
    void oneReferenceStepIsNotAlwaysIdempotentWhichIsWhyAdjustIterates() {
        float[] once = UniformRange.step(-19.905403f, 37.145397f, 14);
        float[] twice = UniformRange.step(once[0], once[1], 14);
        assertTrue(once[0] != twice[0] || once[1] != twice[1]);
        assertArrayEquals(twice, UniformRange.adjust(-19.905403f, 37.145397f, 14));
    }
}
