package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.grid.AffineGrid;
import io.jqi.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** The error a threshold search scores (docs/quantizer-contract.md#threshold-selection). */
class SamplesTest {
    private static final ErrorNorm MSE = ErrorNorm.of(ErrorMethod.MSE, 2);

    private static float[] normal(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** The contract's order: blocks of 16384, eight partial sums by position mod 8, the tail into the first. */
    private static double documentedError(float[] row, float step, int bits) {
        float qmax = (1 << (bits - 1)) - 1;
        double total = 0;
        for (int from = 0; from < row.length; from += Chunks.SIZE) {
            int to = Math.min(row.length, from + Chunks.SIZE);
            double[] s = new double[8];
            int full = from + (to - from) / 8 * 8;
            for (int i = from; i < to; i++) {
                double d = (double) AffineGrid.fakeQuant(row[i], step, 0f, -qmax - 1, qmax) - row[i];
                s[i < full ? (i - from) % 8 : 0] += d * d;
            }
            total += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        }
        return total / row.length;
    }

    @Test
    void theSymmetricErrorOfEachChannelIsItsMeanSquaredDistanceToTheGridSummedInTheDocumentedOrder() {
        int length = 2 * Chunks.SIZE + 7;
        float[] values = normal(new Random(3), 2 * length);
        Samples samples = Samples.of(ChannelValues.of(Tensor.of(values, 2, length), true, 0), MSE);
        float[] thresholds = {2f, 0.75f};

        double[] errors = samples.symmetricError(thresholds, 4, true);

        for (int c = 0; c < 2; c++) {
            float[] row = java.util.Arrays.copyOfRange(values, c * length, (c + 1) * length);
            assertEquals(documentedError(row, thresholds[c] / 8, 4), errors[c], 0.0, "channel " + c);
        }
    }

    @Test
    void searchErrorsDoNotDependOnTheThreadCount() throws Exception {
        float[] values = normal(new Random(4), 5 * 40_000);
        Samples samples = Samples.of(ChannelValues.of(Tensor.of(values, 5, 40_000), true, 0), MSE);
        float[] thresholds = {1f, 2f, 3f, 0.5f, 4f};
        double[] shared = samples.symmetricError(thresholds, 8, true);

        ForkJoinPool one = new ForkJoinPool(1);
        try {
            double[] single = one.submit(() -> samples.symmetricError(thresholds, 8, true)).get();
            assertArrayEquals(shared, single, 0.0);
        } finally {
            one.shutdown();
        }
    }

    @Test
    void aRowWithoutAGridScoresItsValuesAgainstZero() {
        float[] values = {0.5f, -1f, 2f, 0f};
        Samples samples = Samples.of(ChannelValues.of(Tensor.of(values, 1, 4), true, 0),
                ErrorNorm.of(ErrorMethod.MAE, 1));

        double[] errors = samples.uniformError(new float[] {0f}, new float[] {0f}, 8);

        assertEquals(3.5 / 4, errors[0], 0.0);
    }
}
