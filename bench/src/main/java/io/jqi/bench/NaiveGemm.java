package io.jqi.bench;

import java.util.stream.IntStream;

/**
 * The CPU GEMM as it was before the blocked kernel (git a26f55c, {@code io.jqi.tensor.CpuGemm} with
 * {@code io.jqi.tensor.Parallel} inlined), kept here only so that one benchmark run can show both kernels.
 */
final class NaiveGemm {
    private static final long SERIAL_WORK = 1 << 15;

    private interface RangeBody {
        void run(int from, int to);
    }

    private NaiveGemm() {
    }

    static float[] multiply(float[] x, float[] y, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        float[] out = new float[batch * m * n];
        forRange(batch * m, (long) k * n, (from, to) -> {
            float[] row = new float[k];
            for (int r = from; r < to; r++) {
                int bi = r / m;
                int i = r % m;
                int aBase = bi * aBatchStride;
                int bBase = bi * bBatchStride;
                for (int p = 0; p < k; p++) {
                    row[p] = transposeA ? x[aBase + p * m + i] : x[aBase + i * k + p];
                }
                int cBase = r * n;
                if (transposeB) {
                    for (int j = 0; j < n; j++) {
                        float s = 0f;
                        int yBase = bBase + j * k;
                        for (int p = 0; p < k; p++) {
                            s += row[p] * y[yBase + p];
                        }
                        out[cBase + j] = s;
                    }
                } else {
                    for (int p = 0; p < k; p++) {
                        float av = row[p];
                        int yBase = bBase + p * n;
                        for (int j = 0; j < n; j++) {
                            out[cBase + j] += av * y[yBase + j];
                        }
                    }
                }
            }
        });
        return out;
    }

    private static void forRange(int n, long costPerItem, RangeBody body) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (threads == 1 || (long) n * costPerItem < SERIAL_WORK || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            body.run(from, to);
        });
    }
}
