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
            for (int c = from; c < to; c++) {
                double sum = 0;
                for (int n = 0; n < outer; n++) {
                    int base = (n * channels + c) * inner;
                    for (int i = base; i < base + inner; i++) {
                        sum += x[i];
                    }
                }
                float m = inverseCount * (float) sum + 0f;
                double squares = 0;
                for (int n = 0; n < outer; n++) {
                    int base = (n * channels + c) * inner;
                    for (int i = base; i < base + inner; i++) {
                        float d = x[i] - m;
                        squares += d * d;
                    }
                }
                mean[c] = m;
                var[c] = inverseCount * (float) squares + 0f;
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
}
