package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The CPU's ReLU and its one-pass gradient: the gradient against {@link Backend}'s composition (a mask, then a
 * product), the forward against its definition, both over lengths that end in a partial vector.
 */
class ReluGradientTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -2.5f, Float.MIN_VALUE, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00001)};
    /** Every pair of special values, then again shifted by a few lanes, and a tail short of a vector. */
    private static final int N = 3 * SPECIAL.length * SPECIAL.length + 13;

    @Test
    void theFusedGradientGivesTheMaskedProductsBitsForSignedZerosInfinitiesAndNaN() {
        float[] dy = new float[N];
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            dy[i] = SPECIAL[(i / SPECIAL.length) % SPECIAL.length];
            y[i] = SPECIAL[(i + i / 100) % SPECIAL.length];
        }
        Shape shape = Shape.of(N);
        Storage g = CpuBackend.INSTANCE.fromHost(dy);
        Storage out = CpuBackend.INSTANCE.fromHost(y);
        float[] expected = ComposedBackend.cpu().reluGradient(g, out, shape).toHostArray();
        float[] actual = CpuBackend.INSTANCE.reluGradient(g, out, shape).toHostArray();
        assertArrayEquals(expected, actual);
    }

    @Test
    void reluKeepsPositiveValuesBitForBitAndGivesPlusZeroForEverythingElse() {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = SPECIAL[(i + i / 50) % SPECIAL.length] * (1 + i % 3);
        }
        float[] y = Tensor.of(x, N).relu().toFloatArray();
        for (int i = 0; i < N; i++) {
            int expected = x[i] > 0f ? Float.floatToRawIntBits(x[i]) : 0;
            assertEquals(expected, Float.floatToRawIntBits(y[i]), "relu(" + x[i] + ") at " + i);
        }
    }

    @Test
    void aReluPassesItsGradientWhereItsOutputIsPositive() {
        Tensor x = Tensor.of(new float[] {-1f, 0f, 2f, Float.NaN}, 4).requiresGrad(true);
        x.relu().backward(Tensor.of(new float[] {5f, 6f, 7f, 8f}, 4));
        assertArrayEquals(new float[] {0f, 0f, 7f, 0f}, x.grad().toFloatArray());
    }
}
