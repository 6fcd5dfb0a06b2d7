package io.jqi.tensor;

/**
 * The CPU's batch-normalization kernels: {@link Backend#channelMoments}, {@link Backend#normalizeChannels} and
 * {@link Backend#batchNormBackward} in one or two passes over the data instead of the ten or so of their compositions,
 * with the same float operations in the same order, so they give the compositions' bits on this backend. Each
 * channel's sums run on one thread, in storage order, in double (as {@link CpuBackend#sumTo} adds), so results do not
 * depend on the number of threads.
 */
final class CpuNormalization {
    private CpuNormalization() {
    }

    /** {@code {mean, var}} per channel of {@code x} seen as {@code [outer, channels, inner]}. */
    static float[][] moments(float[] x, int outer, int channels, int inner) {
        float[] mean = new float[channels];
        float[] var = new float[channels];
        float inverseCount = 1f / ((long) outer * inner);
        Parallel.forRange(channels, 2L * outer * inner, (from, to) -> {
            for (int c = from; c < to; c += SIDE_BY_SIDE) {
                int[] four = sideBySide(c, to);
                double[] sums = new double[SIDE_BY_SIDE];
                double[] squares = new double[SIDE_BY_SIDE];
                int[] starts = new int[SIDE_BY_SIDE];
                for (int n = 0; n < outer; n++) {
                    runStarts(n, channels, inner, four, starts);
                    CpuBackend.addSideBySide(x, sums, SLOTS, starts, SIDE_BY_SIDE, inner);
                }
                float[] m = new float[SIDE_BY_SIDE];
                for (int k = 0; k < SIDE_BY_SIDE; k++) {
                    m[k] = inverseCount * (float) sums[k] + 0f;
                }
                for (int n = 0; n < outer; n++) {
                    runStarts(n, channels, inner, four, starts);
                    addSquaresSideBySide(x, starts, inner, m, squares);
                }
                for (int k = 0; k < SIDE_BY_SIDE; k++) {
                    mean[four[k]] = m[k];
                    var[four[k]] = inverseCount * (float) squares[k] + 0f;
                }
            }
        });
        return new float[][] {mean, var};
    }

    /** {@code ((x - shift[c]) * scale[c]) + bias[c]}, bias null: no addition. */
    static float[] normalize(float[] x, int outer, int channels, int inner, float[] shift, float[] scale,
            float[] bias) {
        float[] y = new float[x.length];
        Parallel.forRange(outer * channels, inner, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int c = plane % channels;
                float m = shift[c];
                float s = scale[c];
                int base = plane * inner;
                if (bias == null) {
                    for (int i = base; i < base + inner; i++) {
                        y[i] = (x[i] - m) * s;
                    }
                } else {
                    float b = bias[c];
                    for (int i = base; i < base + inner; i++) {
                        y[i] = (x[i] - m) * s + b;
                    }
                }
            }
        });
        return y;
    }

    /** {@code {dx, sumDyXhat, sumDy}} of {@link Backend#batchNormBackward}. */
    static float[][] backward(float[] x, float[] dy, int outer, int channels, int inner, float[] mean,
            float[] invStd, float[] weight) {
        float[] dx = new float[x.length];
        float[] sumDy = new float[channels];
        float[] sumDyXhat = new float[channels];
        float count = (float) ((long) outer * inner);
        Parallel.forRange(channels, 3L * outer * inner, (from, to) -> {
            for (int c = from; c < to; c++) {
                float m = mean[c];
                float s = invStd[c];
                double g = 0;
                double gx = 0;
                for (int n = 0; n < outer; n++) {
                    int base = (n * channels + c) * inner;
                    for (int i = base; i < base + inner; i++) {
                        g += dy[i];
                        gx += dy[i] * ((x[i] - m) * s);
                    }
                }
                float sg = (float) g;
                float sgx = (float) gx;
                float factor = (weight == null ? s : s * weight[c]) / count;
                for (int n = 0; n < outer; n++) {
                    int base = (n * channels + c) * inner;
                    for (int i = base; i < base + inner; i++) {
                        dx[i] = ((count * dy[i] + 0f - sg) - ((x[i] - m) * s) * sgx) * factor;
                    }
                }
                sumDy[c] = sg;
                sumDyXhat[c] = sgx;
            }
        });
        return new float[][] {dx, sumDyXhat, sumDy};
    }

    /**
     * Channels whose moments are summed side by side: four chains of additions, each one channel's in storage order,
     * do not wait on each other's latency, where one channel at a time waited on every addition (1.7 to 1.9 times
     * as fast on ResNet-18's layers). The backward, tried the same way, ran no faster (its second pass reads the
     * runs again, four channels' worth), so it keeps one channel at a time.
     */
    private static final int SIDE_BY_SIDE = 4;
    /** Where the four channels' sums go: one slot each, even where a channel repeats. */
    private static final int[] SLOTS = {0, 1, 2, 3};

    /** Channels {@code c, c + 1, ...} up to four, below {@code to}; past it the last repeats (its sums again). */
    private static int[] sideBySide(int c, int to) {
        int[] four = new int[SIDE_BY_SIDE];
        for (int k = 0; k < SIDE_BY_SIDE; k++) {
            four[k] = Math.min(c + k, to - 1);
        }
        return four;
    }

    /** Where the four channels' runs of image n start. */
    private static void runStarts(int n, int channels, int inner, int[] four, int[] starts) {
        for (int k = 0; k < SIDE_BY_SIDE; k++) {
            starts[k] = (n * channels + four[k]) * inner;
        }
    }

    /** {@code squares[k] += (x - m[k])^2} over run k, the difference and its square in float, as the moments are. */
    private static void addSquaresSideBySide(float[] x, int[] starts, int length, float[] m, double[] squares) {
        double s0 = squares[0];
        double s1 = squares[1];
        double s2 = squares[2];
        double s3 = squares[3];
        int i0 = starts[0];
        int i1 = starts[1];
        int i2 = starts[2];
        int i3 = starts[3];
        float m0 = m[0];
        float m1 = m[1];
        float m2 = m[2];
        float m3 = m[3];
        for (int i = 0; i < length; i++) {
            float d0 = x[i0 + i] - m0;
            float d1 = x[i1 + i] - m1;
            float d2 = x[i2 + i] - m2;
            float d3 = x[i3 + i] - m3;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        squares[0] = s0;
        squares[1] = s1;
        squares[2] = s2;
        squares[3] = s3;
    }
}
