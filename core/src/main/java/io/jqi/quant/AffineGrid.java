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
