package io.jqi.quant;

/**
 * The ONNX QuantizeLinear/DequantizeLinear pair, jqi's default arithmetic:
 * {@code q = clamp(rint(x / step) + zp, qmin, qmax); out = (q - zp) * step}, ties to even. IEEE division (not
 * multiplication by {@code 1/step}) is what ONNX Runtime does and what the CUDA kernels do.
 */
public final class AffineGrid implements Grid {
    private final float[] steps;
    private final float[] zeroPoints;
    private final float qmin;
    private final float qmax;

    /** Per-channel {@code steps} and integer-valued {@code zeroPoints}; {@code [qmin, qmax]} is the integer range. */
    public AffineGrid(float[] steps, float[] zeroPoints, float qmin, float qmax) {
        if (steps.length != zeroPoints.length || steps.length == 0) {
            throw new IllegalArgumentException("steps and zero points must be non-empty and of equal length, got "
                    + steps.length + " and " + zeroPoints.length);
        }
        this.steps = steps.clone();
        this.zeroPoints = zeroPoints.clone();
        this.qmin = qmin;
        this.qmax = qmax;
    }

    /**
     * The grid of already adjusted ranges ({@link UniformRange#adjust}): step {@code (max - min) / (2^n - 1)}, zero
     * point {@code rint(-min / step)}, integers {@code [0, 2^n - 1]}.
     */
    public static AffineGrid uniformAdjusted(float[] adjustedMin, float[] adjustedMax, int bits) {
        int channels = adjustedMin.length;
        float qmax = (float) ((1L << bits) - 1);
        float[] steps = new float[channels];
        float[] zeroPoints = new float[channels];
        for (int c = 0; c < channels; c++) {
            steps[c] = (adjustedMax[c] - adjustedMin[c]) / qmax;
            QuantizerChecks.requireUsableStep(steps[c], "range width", adjustedMax[c] - adjustedMin[c], bits);
            zeroPoints[c] = Math.min(Math.max((float) Math.rint(-adjustedMin[c] / steps[c]), 0f), qmax);
        }
        return new AffineGrid(steps, zeroPoints, 0f, qmax);
    }

    /**
     * One element. NaN stays NaN ({@code Math.max}/{@code min} propagate it); infinities saturate to the ends of
     * the grid.
     */
    public static float fakeQuant(float x, float step, float zeroPoint, float qmin, float qmax) {
        float q = (float) Math.rint(x / step) + zeroPoint;
        q = Math.min(Math.max(q, qmin), qmax);
        return (q - zeroPoint) * step;
    }

    @Override
    public int channels() {
        return steps.length;
    }

    public float step(int channel) {
        return steps[channel];
    }

    public float zeroPoint(int channel) {
        return zeroPoints[channel];
    }

    public float qmin() {
        return qmin;
    }

    public float qmax() {
        return qmax;
    }

    @Override
    public void apply(float[] in, float[] out, ChannelLayout layout) {
        layout.forEachRun((c, from, to) -> {
            float step = steps[c];
            float zp = zeroPoints[c];
            for (int i = from; i < to; i++) {
                out[i] = fakeQuant(in[i], step, zp, qmin, qmax);
            }
        });
    }
}
