package io.jqi.tensor;

/**
 * Single-precision matrix products on the CPU, parallel over output rows. Each output element is accumulated by one
 * thread in ascending k order, so results are bit-identical run to run whatever the thread count.
 */
final class CpuGemm {
    private CpuGemm() {
    }

    /**
     * {@code batch} products {@code C[b] = op(A[b]) @ op(B[b])} of {@code [m, k] x [k, n]}; a batch stride of 0
     * broadcasts that operand.
     */
    static float[] multiply(float[] x, float[] y, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        float[] out = new float[batch * m * n];
        Parallel.forRange(batch * m, (long) k * n, (from, to) -> {
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
}
