package io.jqi.ptq;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.PowerOfTwo;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightThresholdsTest {
    private static final float MIN_TH = 0x1p-16f;

    @Test
    void tensorMaxMatchesT18() {
        assertEquals(0.7055118f, WeightThresholds.tensorMax(-0.2f, 0.7f, 8));
        assertNear(2.1714286, WeightThresholds.tensorMax(-0.3f, 1.9f, 4));
        assertEquals(6.0f, WeightThresholds.tensorMax(0f, 3f, 2));
    }

    @Test
    void noClippingSymmetricThresholdMatchesT18() {
        assertEquals(0.7055118f, noClipping(SYMMETRIC, 8, -0.2f, 0.7f));
        assertNear(2.1714286, noClipping(SYMMETRIC, 4, -0.3f, 1.9f));
        assertEquals(6.0f, noClipping(SYMMETRIC, 2, 0f, 3f));
    }

    @Test
    void noClippingPowerOfTwoThresholdMatchesT18() {
        assertEquals(1.0f, noClipping(POWER_OF_TWO, 8, -0.2f, 0.7f));
        assertEquals(4.0f, noClipping(POWER_OF_TWO, 4, -0.3f, 1.9f));
        assertEquals(8.0f, noClipping(POWER_OF_TWO, 2, 0f, 3f));
    }

    @Test
    void oneBitTensorMaxIgnoresPositiveValues() {
        assertEquals(0.5f, WeightThresholds.tensorMax(-0.5f, 3f, 1));
    }

    @Test
    void noClippingThresholdIsAtLeastMinThreshold() {
        Tensor zeros = Tensor.zeros(3, 4);
        assertArrayEquals(new float[] {0.25f}, WeightThresholds.threshold(zeros, SYMMETRIC, ErrorMethod.NOCLIPPING,
                8, false, 0, 2, 0.25f));
        assertArrayEquals(new float[] {0.5f}, WeightThresholds.threshold(zeros, POWER_OF_TWO,
                ErrorMethod.NOCLIPPING, 8, false, 0, 2, 0.3f));
    }

    @Test
    void perChannelNoClippingUsesEachChannelsOwnValues() {
        Tensor w = Tensor.of(new float[] {-1f, 0.5f, 2f, 4f, -8f, 0f}, 2, 3);
        float[] rows = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, true, 0, 2, MIN_TH);
        assertArrayEquals(new float[] {WeightThresholds.tensorMax(-1f, 2f, 8), 8f}, rows);
        float[] columns = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, true, -1, 2, MIN_TH);
        float[] expected = {WeightThresholds.tensorMax(-1f, 4f, 8), 8f, WeightThresholds.tensorMax(0f, 2f, 8)};
        assertArrayEquals(expected, columns);
    }

    @Test
    void mseSymmetricSearchNeverLosesToNoClippingAndClipsOutliers() {
        Tensor w = heavyTailed(new Random(3), 4096);
        float noClip = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, false, 0, 2, MIN_TH)[0];
        float mse = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 8, false, 0, 2, MIN_TH)[0];
        assertTrue(symmetricMse(w, mse, 8) <= symmetricMse(w, noClip, 8));
        assertTrue(mse < maxAbs(w), mse + " should clip below max|x| = " + maxAbs(w));
    }

    @Test
    void msePowerOfTwoSearchNeverLosesToNoClippingAndClipsOutliers() {
        Tensor w = heavyTailed(new Random(4), 4096);
        float noClip = WeightThresholds.threshold(w, POWER_OF_TWO, ErrorMethod.NOCLIPPING, 4, false, 0, 2,
                MIN_TH)[0];
        float mse = WeightThresholds.threshold(w, POWER_OF_TWO, ErrorMethod.MSE, 4, false, 0, 2, MIN_TH)[0];
        assertTrue(symmetricMse(w, mse, 4) <= symmetricMse(w, noClip, 4));
        assertTrue(mse < maxAbs(w), mse + " should clip below max|x| = " + maxAbs(w));
    }

    @Test
    void powerOfTwoSearchReturnsPowersOfTwoAtLeastMinThreshold() {
        float[] values = new float[4 * 64];
        Random random = new Random(5);
        for (int i = 64; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, -(i / 64)));
        }
        float minThreshold = 0.01f;
        float[] t = WeightThresholds.threshold(Tensor.of(values, 4, 64), POWER_OF_TWO, ErrorMethod.MSE, 4, true, 0,
                2, minThreshold);
        for (float threshold : t) {
            assertTrue(PowerOfTwo.isPowerOfTwo(threshold), threshold + " is not a power of two");
            assertTrue(threshold >= minThreshold, threshold + " < " + minThreshold);
        }
        assertEquals(PowerOfTwo.roundUp(minThreshold), t[3], "the tiny channel's best candidate is below the floor");
    }

    @Test
    void perChannelPowerOfTwoSearchEqualsPerTensorSearchOnEachChannel() {
        Tensor w = channels(new Random(6), 5, 200);
        float[] perChannel = WeightThresholds.threshold(w, POWER_OF_TWO, ErrorMethod.MSE, 4, true, 0, 2, MIN_TH);
        for (int c = 0; c < 5; c++) {
            float alone = WeightThresholds.threshold(w.narrow(0, c, 1), POWER_OF_TWO, ErrorMethod.MSE, 4, false, 0, 2,
                    MIN_TH)[0];
            assertEquals(alone, perChannel[c], "channel " + c);
        }
    }

    @Test
    void perChannelSymmetricSearchEqualsSearchingEachChannelAlone() {
        Tensor w = channels(new Random(7), 5, 200);
        float[] together = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 4, true, 0, 2, MIN_TH);
        for (int c = 0; c < 5; c++) {
            float alone = WeightThresholds.threshold(w.narrow(0, c, 1), SYMMETRIC, ErrorMethod.MSE, 4, true, 0, 2,
                    MIN_TH)[0];
            assertEquals(alone, together[c], "channel " + c);
        }
    }

    @Test
    void perChannelUniformSearchEqualsSearchingEachChannelAlone() {
        Tensor w = channels(new Random(8), 5, 200);
        float[][] together = WeightThresholds.range(w, ErrorMethod.MSE, 4, true, 0, 2);
        for (int c = 0; c < 5; c++) {
            float[][] alone = WeightThresholds.range(w.narrow(0, c, 1), ErrorMethod.MSE, 4, true, 0, 2);
            assertEquals(alone[0][0], together[0][c], "min of channel " + c);
            assertEquals(alone[1][0], together[1][c], "max of channel " + c);
        }
    }

    @Test
    void perChannelSearchOnLastAxisEqualsSearchOnTheTransposedTensor() {
        Tensor w = channels(new Random(9), 4, 100);
        Tensor transposed = w.transpose(0, 1);
        assertArrayEquals(WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 8, true, 0, 2, MIN_TH),
                WeightThresholds.threshold(transposed, SYMMETRIC, ErrorMethod.MSE, 8, true, -1, 2, MIN_TH));
    }

    @Test
    void lpWithPTwoEqualsMse() {
        Tensor w = heavyTailed(new Random(10), 2048);
        assertArrayEquals(WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 8, false, 0, 2, MIN_TH),
                WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.LP, 8, false, 0, 2.0, MIN_TH));
        float[][] mse = WeightThresholds.range(w, ErrorMethod.MSE, 8, false, 0, 2);
        float[][] lp = WeightThresholds.range(w, ErrorMethod.LP, 8, false, 0, 2.0);
        assertArrayEquals(mse[0], lp[0]);
        assertArrayEquals(mse[1], lp[1]);
    }

    @Test
    void maeClipsMoreThanMseAndLargerPClipsLess() {
        Tensor w = heavyTailed(new Random(11), 4096);
        float mae = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MAE, 4, false, 0, 2, MIN_TH)[0];
        float mse = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 4, false, 0, 2, MIN_TH)[0];
        float l4 = WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.LP, 4, false, 0, 4.0, MIN_TH)[0];
        assertTrue(mae < mse, "MAE " + mae + " should clip more than MSE " + mse);
        assertTrue(mse < l4, "L4 " + l4 + " should clip less than MSE " + mse);
    }

    @Test
    void uniformNoClippingWidensMaxToMinusMinAsTheReferenceDoes() {
        Tensor w = Tensor.vector(-10f, 0f, 4f);
        float[][] r = WeightThresholds.range(w, ErrorMethod.NOCLIPPING, 8, false, 0, 2);
        assertArrayEquals(new float[] {-10f}, r[0]);
        assertArrayEquals(new float[] {10f}, r[1]);
    }

    @Test
    void uniformRangesPerTensorContainZeroAfterThePostFix() {
        Random random = new Random(12);
        float[] positive = new float[500];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = 2f + random.nextFloat();
        }
        Tensor w = Tensor.of(positive, 500);
        for (ErrorMethod error : ErrorMethod.values()) {
            float[][] r = WeightThresholds.range(w, error, 8, false, 0, 3);
            assertTrue(r[0][0] <= 0f && 0f <= r[1][0], error + ": " + r[0][0] + ", " + r[1][0]);
        }
    }

    @Test
    void perChannelPostFixOnlyMovesConstantChannels() {
        Tensor w = Tensor.of(new float[] {2f, 2f, 2f, 1f, 3f, 5f}, 2, 3);
        float[][] r = WeightThresholds.range(w, ErrorMethod.NOCLIPPING, 8, true, 0, 2);
        assertArrayEquals(new float[] {0f, 1f}, r[0]);
        assertArrayEquals(new float[] {2f, 5f}, r[1]);
    }

    @Test
    void uniformMseSearchNeverLosesToNoClipping() {
        Tensor w = heavyTailed(new Random(13), 4096);
        float[][] noClip = WeightThresholds.range(w, ErrorMethod.NOCLIPPING, 8, false, 0, 2);
        float[][] mse = WeightThresholds.range(w, ErrorMethod.MSE, 8, false, 0, 2);
        assertTrue(uniformMse(w, mse, 8) < uniformMse(w, noClip, 8));
    }

    @Test
    void allZeroChannelGetsAnEmptyUniformRange() {
        Tensor w = Tensor.of(new float[] {0f, 0f, -1f, 2f}, 2, 2);
        float[][] r = WeightThresholds.range(w, ErrorMethod.MSE, 8, true, 0, 2);
        assertEquals(0f, r[0][0]);
        assertEquals(0f, r[1][0]);
        assertNotEquals(r[0][1], r[1][1]);
    }

    @Test
    void bitsOutsideOneToSixteenAreRejected() {
        Tensor w = Tensor.vector(1f, -2f);
        assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 0, false, 0, 2, MIN_TH));
        assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 17, false, 0, 2, MIN_TH));
        assertThrows(IllegalArgumentException.class, () -> WeightThresholds.range(w, ErrorMethod.MSE, 0, false, 0, 2));
    }

    @Test
    void channelAxisOutOfRangeIsRejected() {
        Tensor w = Tensor.of(new float[] {1f, -2f, 3f, 0.5f}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 8, true, 2, 2, MIN_TH));
        assertTrue(e.getMessage().contains("-2 <= channelAxis < 2"), e.getMessage());
    }

    @Test
    void nonPositiveLpExponentOrMinThresholdIsRejected() {
        Tensor w = Tensor.vector(1f, -2f);
        assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.LP, 8, false, 0, 0, MIN_TH));
        assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.MSE, 8, false, 0, 2, 0f));
    }

    @Test
    void uniformMethodIsRejectedByThreshold() {
        Tensor w = Tensor.vector(1f, -2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, UNIFORM, ErrorMethod.MSE, 8, false, 0, 2, MIN_TH));
        assertTrue(e.getMessage().contains("range()"), e.getMessage());
    }

    @Test
    void nonFiniteWeightsAreRejectedWithTheirCount() {
        Tensor w = Tensor.vector(1f, Float.NaN, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.threshold(w, SYMMETRIC, ErrorMethod.NOCLIPPING, 8, false, 0, 2, MIN_TH));
        assertTrue(e.getMessage().contains("1 of 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WeightThresholds.range(w, ErrorMethod.NOCLIPPING, 8, false, 0, 2));
    }

    private static float noClipping(io.jqi.quant.QuantizationMethod method, int bits, float... values) {
        return WeightThresholds.threshold(Tensor.vector(values), method, ErrorMethod.NOCLIPPING, bits, false, 0, 2,
                MIN_TH)[0];
    }

    /** Gaussian weights with a few large outliers. */
    static Tensor heavyTailed(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 * random.nextGaussian());
        }
        v[7] = 2.5f;
        v[100] = -1.8f;
        v[n - 1] = 3.1f;
        return Tensor.vector(v);
    }

    /** Rows of different scales and offsets. */
    static Tensor channels(Random random, int channels, int length) {
        float[] v = new float[channels * length];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < length; i++) {
                v[c * length + i] = (float) ((c + 1) * 0.3 * random.nextGaussian() + 0.1 * c);
            }
        }
        return Tensor.of(v, channels, length);
    }

    private static double symmetricMse(Tensor w, float threshold, int bits) {
        float[] x = w.toFloatArray();
        float[] q = new float[x.length];
        AffineGrid.symmetric(new float[] {threshold}, bits, true, RoundingMode.HALF_EVEN).apply(x, q,
                ChannelLayout.perTensor(w.shape().numel()));
        return mse(x, q);
    }

    private static double uniformMse(Tensor w, float[][] range, int bits) {
        float[] x = w.toFloatArray();
        float[] q = new float[x.length];
        AffineGrid.uniform(range[0], range[1], bits, RoundingMode.HALF_EVEN)
                .apply(x, q, ChannelLayout.perTensor(w.shape().numel()));
        return mse(x, q);
    }

    private static double mse(float[] x, float[] q) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) q[i] - x[i];
            sum += d * d;
        }
        return sum / x.length;
    }

    private static float maxAbs(Tensor w) {
        float m = 0;
        for (float v : w.toFloatArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** T18 lists decimals; the float result of float inputs may sit up to one float step away from them. */
    private static void assertNear(double expected, float actual) {
        assertEquals(expected, actual, Math.ulp((float) expected));
    }
}
