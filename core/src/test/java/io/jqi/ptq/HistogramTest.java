package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void countsMatchNumpyOnSmallData() {
        // np.histogram([0, 1, 2, 3, 4], bins=4) -> ([1, 1, 1, 2], [0, 1, 2, 3, 4])
        Histogram h = Histogram.of(new float[] {0, 1, 2, 3, 4}, 4);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, h.edges());
        assertArrayEquals(new double[] {1, 1, 1, 2}, h.counts());
    }

    @Test
    void lastBinIsClosedOnTheRight() {
        // np.histogram([1, 2, 2, 3, 10], bins=3) -> ([4, 0, 1], [1, 4, 7, 10])
        Histogram h = Histogram.of(new float[] {1, 2, 2, 3, 10}, 3);
        assertArrayEquals(new double[] {1, 4, 7, 10}, h.edges());
        assertArrayEquals(new double[] {4, 0, 1}, h.counts());
    }

    @Test
    void constantValuesSpanHalfAUnitEitherSideLikeNumpy() {
        // np.histogram([2, 2, 2], bins=4) -> ([0, 0, 3, 0], [1.5, 1.75, 2, 2.25, 2.5])
        Histogram h = Histogram.of(new float[] {2, 2, 2}, 4);
        assertArrayEquals(new double[] {1.5, 1.75, 2, 2.25, 2.5}, h.edges());
        assertArrayEquals(new double[] {0, 0, 3, 0}, h.counts());
        assertEquals(2.0, h.min());
        assertEquals(2.0, h.max());
    }

    @Test
    void defaultHistogramHas2048BinsAndCountsEveryValue() {
        float[] values = gaussian(new Random(1), 5000, 0, 1);
        Histogram h = Histogram.of(values);
        assertEquals(Histogram.BINS, h.bins());
        assertEquals(Histogram.BINS + 1, h.edges().length);
        assertEquals(5000.0, h.total());
        assertEquals(min(values), h.min());
        assertEquals(max(values), h.max());
    }

    @Test
    void nonFiniteValuesAreRejectedWithTheirCount() {
        float[] values = {1f, Float.NaN, Float.POSITIVE_INFINITY, 2f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Histogram.of(values));
        assertTrue(e.getMessage().contains("2 of 4"), e.getMessage());
    }

    @Test
    void emptyValuesAndZeroBinsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new float[] {1f}, 0));
    }

    @Test
    void mergePreservesTheTotalAndSpansBothRanges() {
        Random random = new Random(2);
        Histogram a = Histogram.of(gaussian(random, 1000, 0, 1));
        Histogram b = Histogram.of(gaussian(random, 500, 3, 2));
        Histogram merged = a.merge(b);
        assertEquals(1500.0, merged.total(), 1e-9);
        assertEquals(Math.min(a.edges()[0], b.edges()[0]), merged.edges()[0]);
        assertEquals(Math.max(a.max(), b.max()), merged.edges()[Histogram.BINS]);
        assertEquals(Math.min(a.min(), b.min()), merged.min());
        assertEquals(Math.max(a.max(), b.max()), merged.max());
    }

    @Test
    void mergeOfHistogramsSharingEdgesEqualsTheHistogramOfAllValues() {
        float[] first = {0, 10, 3, 4, 5, 5.5f};
        float[] second = {10, 0, 7, 7.5f, 1};
        float[] all = {0, 10, 3, 4, 5, 5.5f, 10, 0, 7, 7.5f, 1};
        Histogram merged = Histogram.of(first, 8).merge(Histogram.of(second, 8));
        Histogram direct = Histogram.of(all, 8);
        assertArrayEquals(direct.edges(), merged.edges());
        assertArrayEquals(direct.counts(), merged.counts());
    }

    @Test
    void mergeSpreadsCountsByInterpolatingCumulativeCounts() {
        Histogram a = Histogram.of(new float[] {0, 1}, 2); // edges 0, 0.5, 1; counts 1, 1
        Histogram b = Histogram.of(new float[] {0, 2}, 2); // edges 0, 1, 2; counts 1, 1
        Histogram merged = a.merge(b);
        assertArrayEquals(new double[] {0, 1, 2}, merged.edges());
        assertArrayEquals(new double[] {3, 1}, merged.counts());
    }

    @Test
    void accessorsReturnCopies() {
        Histogram h = Histogram.of(new float[] {0, 1, 2, 3, 4}, 4);
        h.edges()[0] = 99;
        h.counts()[0] = 99;
        assertEquals(0.0, h.edges()[0]);
        assertEquals(1.0, h.counts()[0]);
    }

    static float[] gaussian(Random random, int n, double mean, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + sd * random.nextGaussian());
        }
        return v;
    }

    private static double min(float[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(float[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
