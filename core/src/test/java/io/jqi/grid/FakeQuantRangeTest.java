package io.jqi.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vectorizable fake-quant loop against the formula it stands for: same bits, not close values. */
class FakeQuantRangeTest {
    private static final float[] SPECIAL = {Float.NaN, -Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        0f, -0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0x1p23f, -0x1p23f, 0x1p23f - 0.5f, 0x1p22f + 0.5f, 0x1p24f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 0.49999997f, -0.49999997f};
    /**
     * {step, zero point, qmin, qmax}: 8-bit signed and unsigned, 4-bit, 16-bit, a tiny step, and power-of-two steps
     * at both ends of the exponents, which the loop multiplies by.
     */
    private static final float[][] GRIDS = {{0.03125f, 0f, -128f, 127f}, {0.1f, 3f, 0f, 255f},
        {0.7f, -2f, -8f, 7f}, {1f, 0f, -32768f, 32767f}, {1e-30f, 0f, -128f, 127f}, {1f, -0f, -128f, 127f},
        {0x1p-126f, 0f, -128f, 127f}, {0x1p127f, 0f, -128f, 127f}, {0x1p-7f, 5f, 0f, 255f}};

    private static void check(float[] x, int from, float[] grid) {
        float[] out = new float[x.length];
        AffineGrid.fakeQuantRange(x, out, from, x.length, grid[0], grid[1], grid[2], grid[3]);
        for (int i = from; i < x.length; i++) {
            float expected = AffineGrid.fakeQuant(x[i], grid[0], grid[1], grid[2], grid[3]);
            int e = Float.floatToRawIntBits(expected);
            int a = Float.floatToRawIntBits(out[i]);
            if (e != a && !(Float.isNaN(expected) && Float.isNaN(out[i]))) {
                assertEquals(expected, out[i], "x = " + x[i] + " on grid " + java.util.Arrays.toString(grid));
            }
        }
    }

    @Test
    void theLoopIsTheGridFormulaBitForBitOnASweepOfEveryExponent() {
        // Every 4099th bit pattern covers every exponent and sign with many mantissas, NaN payloads included.
        int size = (int) (0x100000000L / 4099) + 1;
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = Float.intBitsToFloat((int) (4099L * k));
        }
        for (float[] grid : GRIDS) {
            check(x, 0, grid);
        }
    }

    @Test
    void multiplyingByAnExactReciprocalRoundsEveryFloatAsTheDivisionDoes() {
        int size = (int) (0x100000000L / 65537) + 1;
        for (int k = -126; k <= 127; k++) {
            for (float divisor : new float[] {Math.scalb(1f, k), -Math.scalb(1f, k)}) {
                float inverse = AffineGrid.exactReciprocal(divisor);
                assertEquals(1f / divisor, inverse, "2^" + k);
                for (int i = 0; i < size; i++) {
                    float x = Float.intBitsToFloat((int) (65537L * i));
                    assertEquals(Float.floatToIntBits(x / divisor), Float.floatToIntBits(x * inverse),
                            x + " / " + divisor);
                }
            }
        }
    }

    @Test
    void onlyNormalPowersOfTwoHaveAnExactReciprocal() {
        for (float divisor : new float[] {0.7f, 3f, 0x1.000002p0f, 0x1p-127f, Float.MIN_VALUE, 0f, -0f,
            Float.POSITIVE_INFINITY, Float.NaN, Float.MAX_VALUE}) {
            assertEquals(0f, AffineGrid.exactReciprocal(divisor), "divisor " + divisor);
        }
    }

    @Test
    void theLoopIsTheGridFormulaBitForBitOnSpecialValuesAndHalfwayPoints() {
        Random random = new Random(3);
        int size = 1000 + SPECIAL.length;
        float[] x = new float[size];
        for (int i = 0; i < 1000; i++) {
            // Multiples of half a step: ties, which must round half to even as rint does.
            x[i] = (random.nextInt(2001) - 1000) * 0.5f * (i % 2 == 0 ? 0.03125f : 0.1f);
        }
        System.arraycopy(SPECIAL, 0, x, 1000, SPECIAL.length);
        for (float[] grid : GRIDS) {
            check(x, 3, grid);
        }
    }

    @Test
    void gridsWithEndsNear2To22AreLeftToTheFormula() {
        assertFalse(AffineGrid.roundsInFloat(0f, -(float) (1 << 23), (float) (1 << 23)));
        assertFalse(AffineGrid.roundsInFloat(3e6f, 0f, 255f));
    }
}
