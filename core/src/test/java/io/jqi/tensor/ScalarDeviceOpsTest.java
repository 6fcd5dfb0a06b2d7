package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.PowerOfTwo;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The element-wise ops that keep scalar arithmetic on a tensor's device give the bits of the host formulas. */
class ScalarDeviceOpsTest {

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void ceilPowerOfTwoIsPowerOfTwoRoundUp() {
        Random random = new Random(4);
        float[] x = new float[10_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) Math.scalb(1.0, random.nextInt(250) - 140);
                case 1 -> Float.intBitsToFloat(1 + random.nextInt(0x7f7fffff));
                case 2 -> Math.nextUp((float) Math.scalb(1.0, random.nextInt(200) - 100));
                default -> random.nextFloat() * 1000f;
            };
            if (x[i] == 0f) {
                x[i] = Float.MIN_VALUE;
            }
        }
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] > 0x1p127f ? Float.POSITIVE_INFINITY : PowerOfTwo.roundUp(x[i]);
        }
        assertArrayEquals(bits(expected), bits(Tensor.vector(x).ceilPowerOfTwo().toFloatArray()));
    }

    @Test
    void ceilPowerOfTwoOfNonPositiveValuesIsNaN() {
        for (float v : Tensor.vector(0f, -0f, -1f, Float.NaN).ceilPowerOfTwo().toFloatArray()) {
            assertTrue(Float.isNaN(v));
        }
        assertEquals(Float.POSITIVE_INFINITY, Tensor.vector(Float.POSITIVE_INFINITY).ceilPowerOfTwo().item());
    }

    @Test
    void divisionByAFloatIsDivisionByAScalarTensor() {
        Random random = new Random(5);
        Tensor x = Tensor.randn(random, 1000).requiresGrad(true);
        Tensor byFloat = x.div(3f);
        Tensor byTensor = x.div(Tensor.scalar(3f));
        assertArrayEquals(bits(byTensor.toFloatArray()), bits(byFloat.toFloatArray()));
        byFloat.sum().backward();
        float[] gradFloat = x.grad().toFloatArray();
        x.zeroGrad();
        byTensor.sum().backward();
        assertArrayEquals(bits(x.grad().toFloatArray()), bits(gradFloat));
    }

    @Test
    void positiveIsOneAboveZero() {
        assertArrayEquals(new float[] {0f, 0f, 1f, 0f, 1f},
                Tensor.vector(-1f, 0f, 2f, Float.NaN, Float.MIN_VALUE).positive().toFloatArray());
    }
}
