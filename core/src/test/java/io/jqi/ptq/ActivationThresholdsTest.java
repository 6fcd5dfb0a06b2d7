package io.jqi.ptq;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.PowerOfTwo;
import io.jqi.grid.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationThresholdsTest {
    private static final float MIN_TH = 0x1p-16f;

    @Test
    void signedNoClippingThresholdMatchesT18() {
        assertEquals(0.7055118f, ActivationThresholds.noClippingThreshold(-0.2f, 0.7f, SYMMETRIC, 8, true, MIN_TH));
        assertEquals(1.0f, ActivationThresholds.noClippingThreshold(-0.2f, 0.7f, POWER_OF_TWO, 8, true, MIN_TH));
        assertNear(2.1714286, ActivationThresholds.noClippingThreshold(-0.3f, 1.9f, SYMMETRIC, 4, true, MIN_TH));
        assertEquals(4.0f, ActivationThresholds.noClippingThreshold(-0.3f, 1.9f, POWER_OF_TWO, 4, true, MIN_TH));
        assertEquals(6.0f, ActivationThresholds.noClippingThreshold(0f, 3f, SYMMETRIC, 2, true, MIN_TH));
        assertEquals(8.0f, ActivationThresholds.noClippingThreshold(0f, 3f, POWER_OF_TWO, 2, true, MIN_TH));
    }

    @Test
    void unsignedNoClippingThresholdIsTheMaxLikeTheReferenceAndIgnoresNegatives() {
        assertEquals(1f, ActivationThresholds.noClippingThreshold(0f, 1f, SYMMETRIC, 8, false, MIN_TH));
        assertEquals(1f, ActivationThresholds.noClippingThreshold(-5f, 1f, SYMMETRIC, 8, false, MIN_TH));
        assertEquals(1f, ActivationThresholds.noClippingThreshold(0f, 1f, POWER_OF_TWO, 8, false, MIN_TH));
        assertEquals(2f, ActivationThresholds.noClippingThreshold(0f, 1.01f, POWER_OF_TWO, 8, false, MIN_TH));
    }

    @Test
    void noClippingThresholdIsAtLeastMinThreshold() {
        assertEquals(0.125f, ActivationThresholds.noClippingThreshold(-0.01f, 0.01f, SYMMETRIC, 8, true, 0.125f));
        assertEquals(0.5f, ActivationThresholds.noClippingThreshold(0f, 0f, POWER_OF_TWO, 8, false, 0.3f));
    }

    @Test
    void histogramNoClippingThresholdUsesItsMinAndMax() {
        Histogram h = Histogram.of(new float[] {-0.2f, 0.1f, 0.7f});
        assertEquals(0.7055118f, ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, true, 2,
                MIN_TH));
        assertEquals(1.0f, ActivationThresholds.threshold(h, POWER_OF_TWO, ErrorMethod.NOCLIPPING, 8, true, 2,
                MIN_TH));
    }

    @Test
    void histogramIsSignedWhenANonEmptyBinStartsBelowZero() {
        assertTrue(ActivationThresholds.isSigned(Histogram.of(new float[] {-1f, 2f})));
        assertFalse(ActivationThresholds.isSigned(Histogram.of(new float[] {0f, 2f})));
        // Constant zeros span (-0.5, 0.5), but the only non-empty bin starts at 0.
        assertFalse(ActivationThresholds.isSigned(Histogram.of(new float[] {0f, 0f, 0f})));
    }

    @Test
    void mseSymmetricSearchNeverLosesToNoClippingAndClipsOutliers() {
        float[] x = heavyTailed(new Random(21), 20_000);
        Histogram h = Histogram.of(x);
        float noClip = ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, true, 2, MIN_TH);
        float mse = ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.MSE, 8, true, 2, MIN_TH);
        assertTrue(histogramMse(h, mse, 8, true) <= histogramMse(h, noClip, 8, true));
        assertTrue(mse < h.max(), mse + " should clip below the max " + h.max());
    }

    @Test
    void msePowerOfTwoSearchNeverLosesToNoClippingAndReturnsAPowerOfTwo() {
        float[] x = heavyTailed(new Random(22), 20_000);
        Histogram h = Histogram.of(x);
        float noClip = ActivationThresholds.threshold(h, POWER_OF_TWO, ErrorMethod.NOCLIPPING, 4, true, 2, MIN_TH);
        float mse = ActivationThresholds.threshold(h, POWER_OF_TWO, ErrorMethod.MSE, 4, true, 2, MIN_TH);
        assertTrue(PowerOfTwo.isPowerOfTwo(mse), mse + " is not a power of two");
        assertTrue(histogramMse(h, mse, 4, true) <= histogramMse(h, noClip, 4, true));
        assertTrue(mse < h.max(), mse + " should clip below the max " + h.max());
    }

    @Test
    void powerOfTwoSearchIsAtLeastMinThreshold() {
        Histogram tiny = Histogram.of(new float[] {0f, 1e-6f, 2e-6f});
        float t = ActivationThresholds.threshold(tiny, POWER_OF_TWO, ErrorMethod.MSE, 8, false, 2, 0.01f);
        assertEquals(PowerOfTwo.roundUp(0.01f), t);
    }

    @Test
    void lpWithPTwoEqualsMse() {
        Histogram h = Histogram.of(heavyTailed(new Random(23), 5000));
        assertEquals(ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.MSE, 8, true, 2, MIN_TH),
                ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.LP, 8, true, 2.0, MIN_TH));
        assertArrayEquals(ActivationThresholds.range(h, ErrorMethod.MSE, 8, 2),
                ActivationThresholds.range(h, ErrorMethod.LP, 8, 2.0));
    }

    @Test
    void maeClipsMoreThanMse() {
        Histogram h = Histogram.of(heavyTailed(new Random(24), 20_000));
        float mae = ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.MAE, 4, true, 2, MIN_TH);
        float mse = ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.MSE, 4, true, 2, MIN_TH);
        assertTrue(mae < mse, "MAE " + mae + " should clip more than MSE " + mse);
    }

    @Test
    void noClippingRangeIsTheMinAndMaxWithZeroIncluded() {
        assertArrayEquals(new float[] {-2f, 5f},
                ActivationThresholds.range(Histogram.of(new float[] {-2f, 1f, 5f}), ErrorMethod.NOCLIPPING, 8, 2));
        assertArrayEquals(new float[] {0f, 3f},
                ActivationThresholds.range(Histogram.of(new float[] {1f, 2f, 3f}), ErrorMethod.NOCLIPPING, 8, 2));
    }

    @Test
    void searchedRangeContainsZeroAndNeverLosesToNoClipping() {
        Random random = new Random(25);
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 + Math.abs(random.nextGaussian()));
        }
        x[0] = 12f;
        Histogram h = Histogram.of(x);
        float[] noClip = ActivationThresholds.range(h, ErrorMethod.NOCLIPPING, 8, 2);
        float[] mse = ActivationThresholds.range(h, ErrorMethod.MSE, 8, 2);
        assertTrue(mse[0] <= 0f && 0f <= mse[1], mse[0] + ", " + mse[1]);
        assertTrue(histogramUniformMse(h, mse, 8) <= histogramUniformMse(h, noClip, 8));
        assertTrue(mse[1] < 12f, "the max " + mse[1] + " should clip the outlier");
    }

    @Test
    void knownOutputBoundsGiveTheirRangeWithZeroIncluded() {
        assertArrayEquals(new float[] {0f, 1f}, ActivationThresholds.noClippingRange(0f, 1f));
        assertArrayEquals(new float[] {-1f, 1f}, ActivationThresholds.noClippingRange(-1f, 1f));
        assertArrayEquals(new float[] {0f, 1f}, ActivationThresholds.noClippingRange(0.5f, 1f));
    }

    @Test
    void uniformMethodIsRejectedByThreshold() {
        Histogram h = Histogram.of(new float[] {-1f, 2f});
        assertThrows(IllegalArgumentException.class,
                () -> ActivationThresholds.threshold(h, UNIFORM, ErrorMethod.MSE, 8, true, 2, MIN_TH));
    }

    @Test
    void badBitsOrLpExponentAreRejected() {
        Histogram h = Histogram.of(new float[] {-1f, 2f});
        assertThrows(IllegalArgumentException.class,
                () -> ActivationThresholds.threshold(h, SYMMETRIC, ErrorMethod.MSE, 0, true, 2, MIN_TH));
        assertThrows(IllegalArgumentException.class, () -> ActivationThresholds.range(h, ErrorMethod.LP, 8, -1));
    }

    @Test
    void invertedOrNonFiniteBoundsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ActivationThresholds.noClippingThreshold(1f, 0f, SYMMETRIC, 8, true, MIN_TH));
        assertThrows(IllegalArgumentException.class, () -> ActivationThresholds.noClippingRange(Float.NaN, 1f));
    }

    private static float[] heavyTailed(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        v[0] = 30f;
        v[1] = -25f;
        return v;
    }

    /**
     * The histogram error of docs/quantizer-contract.md#threshold-selection (each bin's left edge, weighted by its
     * count), computed independently of the searches.
     */
    private static double histogramMse(Histogram h, float threshold, int bits, boolean signed) {
        return histogramError(h, AffineGrid.symmetric(new float[] {threshold}, bits, signed, RoundingMode.HALF_EVEN));
    }

    private static double histogramUniformMse(Histogram h, float[] range, int bits) {
        return histogramError(h, AffineGrid.uniform(new float[] {range[0]}, new float[] {range[1]}, bits,
                RoundingMode.HALF_EVEN));
    }

    private static double histogramError(Histogram h, Grid grid) {
        double[] edges = h.edges();
        double[] counts = h.counts();
        float[] left = new float[counts.length];
        for (int k = 0; k < left.length; k++) {
            left[k] = (float) edges[k];
        }
        float[] q = new float[left.length];
        grid.apply(left, q, new ChannelLayout(1, 1, left.length));
        double sum = 0;
        for (int k = 0; k < left.length; k++) {
            double d = (double) q[k] - left[k];
            sum += counts[k] * d * d;
        }
        return sum / h.total();
    }

    /** T18 lists decimals; the float result of float inputs may sit up to one float step away from them. */
    private static void assertNear(double expected, float actual) {
        assertEquals(expected, actual, Math.ulp((float) expected));
    }
}
