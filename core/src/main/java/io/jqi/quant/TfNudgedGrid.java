package io.jqi.quant;

/**
 * TensorFlow's {@code fake_quant_with_min_max_vars} (narrow_range = false), the Keras path of the reference: the
 * range is nudged so that zero is on the grid, values are clamped in the float domain, then rounded half up.
 * All arithmetic is float32 in TF's order.
 */
public final class TfNudgedGrid implements Grid {
    private final float[] nudgedMin;
    private final float[] nudgedMax;
    private final float[] steps;

    private TfNudgedGrid(float[] nudgedMin, float[] nudgedMax, float[] steps) {
        this.nudgedMin = nudgedMin;
        this.nudgedMax = nudgedMax;
        this.steps = steps;
    }

    /** Nudges each {@code [min[c], max[c]]} for integers {@code [0, 2^bits - 1]}. */
    public static TfNudgedGrid of(float[] min, float[] max, int bits) {
        int channels = min.length;
        float qmax = (float) ((1L << bits) - 1);
        float[] nMin = new float[channels];
        float[] nMax = new float[channels];
        float[] steps = new float[channels];
        for (int c = 0; c < channels; c++) {
            float step = (max[c] - min[c]) / qmax;
            QuantizerChecks.requireUsableStep(step, "range width", max[c] - min[c], bits);
            float zpFromMin = 0f - min[c] / step;
            float zp;
            if (zpFromMin < 0f) {
                zp = 0f;
            } else if (zpFromMin > qmax) {
                zp = qmax;
            } else {
                zp = roundHalfAwayFromZero(zpFromMin);
            }
            steps[c] = step;
            nMin[c] = (0f - zp) * step;
            nMax[c] = (qmax - zp) * step;
        }
        return new TfNudgedGrid(nMin, nMax, steps);
    }

    /** One element; NaN stays NaN, infinities saturate. */
    public static float fakeQuant(float x, float nudgedMin, float nudgedMax, float step) {
        float clamped = Math.max(Math.min(x, nudgedMax), nudgedMin);
        float shifted = clamped - nudgedMin;
        return (float) Math.floor(shifted / step + 0.5f) * step + nudgedMin;
    }

    /** C's {@code roundf}: ties away from zero, computed in double so that {@code v + 0.5} cannot round up. */
    static float roundHalfAwayFromZero(float v) {
        return (float) (Math.signum(v) * Math.floor(Math.abs((double) v) + 0.5));
    }

    @Override
    public int channels() {
        return steps.length;
    }

    public float nudgedMin(int channel) {
        return nudgedMin[channel];
    }

    public float nudgedMax(int channel) {
        return nudgedMax[channel];
    }

    public float step(int channel) {
        return steps[channel];
    }

    @Override
    public void apply(float[] in, float[] out, ChannelLayout layout) {
        layout.forEachRun((c, from, to) -> {
            float lo = nudgedMin[c];
            float hi = nudgedMax[c];
            float step = steps[c];
            for (int i = from; i < to; i++) {
                out[i] = fakeQuant(in[i], lo, hi, step);
            }
        });
    }
}
