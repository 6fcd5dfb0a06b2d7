package io.jqi.grid;

/**
 * A uniform grid of integers {@code [qmin, qmax]} with a step and an integer zero point per channel: jqi's one affine
 * arithmetic, in one of two rounding modes (docs/quantizer-contract.md#rounding-modes).
 * <ul>
 *   <li>{@link RoundingMode#HALF_EVEN}, the ONNX QuantizeLinear/DequantizeLinear pair:
 *   {@code q = clamp(rint(x / step) + zp, qmin, qmax); out = (q - zp) * step}. IEEE division (not multiplication by
 *   {@code 1/step}) is what ONNX Runtime does and what the CUDA kernels do; the CPU loops multiply only where that
 *   gives the division's bits ({@link #exactReciprocal}).</li>
 *   <li>{@link RoundingMode#TF_NUDGE_HALF_UP}, TensorFlow's {@code fake_quant_with_min_max_vars}: the nudged range
 *   {@code lo = (qmin - zp) * step}, {@code hi = (qmax - zp) * step}, the input clamped to it in the float domain,
 *   then {@code floor((c - lo) / step + 0.5) * step + lo}.</li>
 * </ul>
 * Symmetric and power-of-two grids have zero points 0; uniform grids get theirs from their adjusted range.
 */
public final class AffineGrid implements Grid {
    /** Added and subtracted to round a float to an integer: 1.5 * 2^23. */
    private static final float ROUNDER = 0x1.8p23f;
    /** Grid ends and zero points up to this size keep every wrongly rounded large code beyond the ends. */
    private static final float FLOAT_ROUNDING_LIMIT = 0x1p20f;
    private final float[] steps;
    private final float[] zeroPoints;
    private final float qmin;
    private final float qmax;
    private final RoundingMode rounding;

    /** Per-channel {@code steps} and integer-valued {@code zeroPoints}; {@code [qmin, qmax]} is the integer range. */
    public AffineGrid(float[] steps, float[] zeroPoints, float qmin, float qmax, RoundingMode rounding) {
        if (steps.length != zeroPoints.length || steps.length == 0) {
            throw new IllegalArgumentException("steps and zero points must be non-empty and of equal length, got "
                    + steps.length + " and " + zeroPoints.length);
        }
        if (rounding == null) {
            throw new IllegalArgumentException("an affine grid needs a rounding mode");
        }
        this.steps = steps.clone();
        this.zeroPoints = zeroPoints.clone();
        this.qmin = qmin;
        this.qmax = qmax;
        this.rounding = rounding;
    }

    /** A half-even grid: {@link #AffineGrid(float[], float[], float, float, RoundingMode)} with HALF_EVEN. */
    public AffineGrid(float[] steps, float[] zeroPoints, float qmin, float qmax) {
        this(steps, zeroPoints, qmin, qmax, RoundingMode.HALF_EVEN);
    }

    /**
     * The symmetric (or power-of-two) grid of threshold {@code T} per channel: step {@code T / 2^(n - s)}, integers
     * {@link IntegerRange#of}. In TF mode the Keras quantizers' range {@code [-T, T - step]} (or {@code [0, T - step]})
     * is nudged instead (docs/quantizer-contract.md#symmetric-grids).
     */
    public static AffineGrid symmetric(float[] thresholds, int bits, boolean signed, RoundingMode rounding) {
        IntegerRange range = IntegerRange.of(bits, signed);
        float[] steps = new float[thresholds.length];
        for (int c = 0; c < thresholds.length; c++) {
            steps[c] = thresholds[c] / range.levels();
            GridChecks.requireUsableStep(steps[c], "threshold", thresholds[c], bits);
        }
        if (rounding == RoundingMode.TF_NUDGE_HALF_UP) {
            float[] min = new float[thresholds.length];
            float[] max = new float[thresholds.length];
            for (int c = 0; c < thresholds.length; c++) {
                min[c] = signed ? -thresholds[c] : 0f;
                max[c] = thresholds[c] - steps[c];
            }
            return tfNudged(min, max, bits);
        }
        return new AffineGrid(steps, new float[thresholds.length], range.qmin(), range.qmax());
    }

    /**
     * The uniform grid on {@code [min, max]} per channel, after the range adjustment {@link UniformRange#adjust} that
     * puts zero on the grid (docs/quantizer-contract.md#uniform-range-adjustment).
     */
    public static AffineGrid uniform(float[] min, float[] max, int bits, RoundingMode rounding) {
        float[][] adjusted = UniformRange.adjustAll(min, max, bits);
        if (rounding == RoundingMode.TF_NUDGE_HALF_UP) {
            return tfNudged(adjusted[0], adjusted[1], bits);
        }
        return uniformAdjusted(adjusted[0], adjusted[1], bits);
    }

    /**
     * The half-even grid of already adjusted ranges ({@link UniformRange#adjust}): step {@link #uniformStep}, zero point
     * {@link #uniformZeroPoint}, integers {@code [0, 2^n - 1]}; a step that is not a positive finite float is an error.
     */
    public static AffineGrid uniformAdjusted(float[] adjustedMin, float[] adjustedMax, int bits) {
        int channels = adjustedMin.length;
        float qmax = IntegerRange.unsigned(bits).qmax();
        float[] steps = new float[channels];
        float[] zeroPoints = new float[channels];
        for (int c = 0; c < channels; c++) {
            steps[c] = uniformStep(adjustedMin[c], adjustedMax[c], qmax);
            GridChecks.requireUsableStep(steps[c], "range width", adjustedMax[c] - adjustedMin[c], bits);
            zeroPoints[c] = uniformZeroPoint(adjustedMin[c], steps[c], qmax);
        }
        return new AffineGrid(steps, zeroPoints, 0f, qmax);
    }

    /**
     * TensorFlow's grid of {@code [min[c], max[c]]} for integers {@code [0, 2^bits - 1]} (narrow_range false): step
     * {@code (max - min) / qmax}, zero point {@code -min / step} rounded half away from zero and clamped to the
     * integers, all in float32 in TF's order.
     */
    public static AffineGrid tfNudged(float[] min, float[] max, int bits) {
        int channels = min.length;
        float qmax = IntegerRange.unsigned(bits).qmax();
        float[] steps = new float[channels];
        float[] zeroPoints = new float[channels];
        for (int c = 0; c < channels; c++) {
            float step = (max[c] - min[c]) / qmax;
            GridChecks.requireUsableStep(step, "range width", max[c] - min[c], bits);
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
            zeroPoints[c] = zp;
        }
        return new AffineGrid(steps, zeroPoints, 0f, qmax, RoundingMode.TF_NUDGE_HALF_UP);
    }

    /** The step of an adjusted uniform range: {@code (max' - min') / qmax}. */
    public static float uniformStep(float adjustedMin, float adjustedMax, float qmax) {
        return (adjustedMax - adjustedMin) / qmax;
    }

    /** The zero point of an adjusted uniform range: {@code clamp(rint(-min' / step), 0, qmax)}. */
    public static float uniformZeroPoint(float adjustedMin, float step, float qmax) {
        return Math.min(Math.max((float) Math.rint(-adjustedMin / step), 0f), qmax);
    }

    /**
     * One element, half-even. NaN stays NaN ({@code Math.max}/{@code min} propagate it); infinities saturate to the
     * ends of the grid.
     */
    public static float fakeQuant(float x, float step, float zeroPoint, float qmin, float qmax) {
        return (code(x, step, zeroPoint, qmin, qmax) - zeroPoint) * step;
    }

    /**
     * {@code out[i] = fakeQuant(x[i], step, zeroPoint, qmin, qmax)} for {@code from <= i < to}, the same bits, in a
     * loop that C2 compiles to vector instructions.
     *
     * <p>{@link #fakeQuant} rounds through {@code Math.rint} on a double, which C2 does not vectorize. This loop rounds
     * in float by adding and subtracting {@code 1.5 * 2^23}: for {@code |q| <= 2^22} the sum lies where floats are the
     * integers, so the addition itself rounds half to even, and the subtraction is exact. That is {@code rint(q)} but
     * for the sign of a zero result, which the following {@code + zeroPoint} and {@code - zeroPoint} erase. Larger
     * {@code |q|} round wrongly but stay beyond the grid's ends, so the clamp gives the same code, provided
     * {@code |qmin|, |qmax|} and the zero point are well inside {@code 2^22} ({@link #roundsInFloat}); other grids take
     * the formula element by element. NaN and infinities pass through as in the formula ({@code FakeQuantRangeTest}
     * compares bits on a sweep of every exponent). Plain float operations and {@code Math.min}/{@code max} are what
     * C2's loop vectorizer handles: about 0.14 ns an element on this project's machine against 2.1 for the formula,
     * with none of the Vector API's compilation hazards (docs/performance.md#the-vector-api).
     */
    public static void fakeQuantRange(float[] x, float[] out, int from, int to, float step, float zeroPoint,
            float qmin, float qmax) {
        if (roundsInFloat(zeroPoint, qmin, qmax)) {
            // A power-of-two step divides by multiplying: C2 compiles one loop for each side of the test.
            float inverse = exactReciprocal(step);
            for (int i = from; i < to; i++) {
                float q = inverse != 0f ? x[i] * inverse : x[i] / step;
                out[i] = (Math.min(Math.max(roundInFloat(q) + zeroPoint, qmin), qmax) - zeroPoint) * step;
            }
            return;
        }
        for (int i = from; i < to; i++) {
            out[i] = fakeQuant(x[i], step, zeroPoint, qmin, qmax);
        }
    }

    /**
     * {@code 1 / divisor} where multiplying by it rounds every float exactly as dividing by {@code divisor} does, else
     * 0. That holds for a normal power of two: its reciprocal is a power of two too, a float (down to {@code 2^-127},
     * subnormal but exact), so {@code x * (1 / d)} and {@code x / d} are the same real number, rounded once, for
     * every x, zeros, infinities and NaN included. A division costs several times a multiplication in the vectorized
     * loops, and power-of-two grids, the default for activations, divide by such steps.
     */
    public static float exactReciprocal(float divisor) {
        int bits = Float.floatToRawIntBits(divisor);
        int exponent = (bits >>> 23) & 0xFF;
        boolean normalPowerOfTwo = (bits & 0x7FFFFF) == 0 && exponent != 0 && exponent != 0xFF;
        return normalPowerOfTwo ? 1f / divisor : 0f;
    }

    /**
     * {@code rint(q)} for {@code |q| <= 2^22} up to the sign of a zero, in two float additions that C2 vectorizes;
     * larger codes come out beyond {@code 2^20}, so grids that {@link #roundsInFloat round in float} clamp them to
     * the same end. NaN and infinities pass through.
     */
    public static float roundInFloat(float q) {
        return (q + ROUNDER) - ROUNDER;
    }

    /** Whether {@link #fakeQuantRange} may round in float for this grid (ends and zero point within 2^20). */
    public static boolean roundsInFloat(float zeroPoint, float qmin, float qmax) {
        return Math.abs(zeroPoint) <= FLOAT_ROUNDING_LIMIT && Math.abs(qmin) <= FLOAT_ROUNDING_LIMIT
                && Math.abs(qmax) <= FLOAT_ROUNDING_LIMIT;
    }

    /**
     * The integer code of one element, {@code clamp(rint(x / step) + zp, qmin, qmax)}, as a float (exact for codes of
     * up to 24 bits); what {@link #fakeQuant} dequantizes and what a QuantizeLinear stores. NaN stays NaN.
     */
    public static float code(float x, float step, float zeroPoint, float qmin, float qmax) {
        return Math.min(Math.max(unclampedCode(x, step, zeroPoint), qmin), qmax);
    }

    /** {@code rint(x / step) + zp} before clamping: inside {@code [qmin, qmax]} exactly where the grid does not clip. */
    public static float unclampedCode(float x, float step, float zeroPoint) {
        return (float) Math.rint(x / step) + zeroPoint;
    }

    /** The nudged lower end {@code (qmin - zp) * step} of a TF grid. */
    public static float nudgedMin(float step, float zeroPoint, float qmin) {
        return (qmin - zeroPoint) * step;
    }

    /** The nudged upper end {@code (qmax - zp) * step} of a TF grid. */
    public static float nudgedMax(float step, float zeroPoint, float qmax) {
        return (qmax - zeroPoint) * step;
    }

    /** One element of a TF grid, given its nudged range; NaN stays NaN, infinities saturate. */
    public static float fakeQuantNudged(float x, float nudgedMin, float nudgedMax, float step) {
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

    public float step(int channel) {
        return steps[channel];
    }

    public float zeroPoint(int channel) {
        return zeroPoints[channel];
    }

    public float[] steps() {
        return steps.clone();
    }

    public float[] zeroPoints() {
        return zeroPoints.clone();
    }

    public float qmin() {
        return qmin;
    }

    public float qmax() {
        return qmax;
    }

    public RoundingMode rounding() {
        return rounding;
    }

    /** Every value channel {@code channel} can output, ascending: {@code (q - zp) * step} for each integer q. */
    @Override
    public float[] values(int channel) {
        int count = (int) (qmax - qmin) + 1;
        float step = steps[channel];
        float zp = zeroPoints[channel];
        float lo = nudgedMin(step, zp, qmin);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = rounding == RoundingMode.TF_NUDGE_HALF_UP ? i * step + lo : (qmin + i - zp) * step;
        }
        return out;
    }

    @Override
    public void apply(float[] in, float[] out, ChannelLayout layout) {
        if (rounding == RoundingMode.TF_NUDGE_HALF_UP) {
            layout.forEachRun((c, from, to) -> {
                float step = steps[c];
                float lo = nudgedMin(step, zeroPoints[c], qmin);
                float hi = nudgedMax(step, zeroPoints[c], qmax);
                for (int i = from; i < to; i++) {
                    out[i] = fakeQuantNudged(in[i], lo, hi, step);
                }
            });
            return;
        }
        layout.forEachRun((c, from, to) -> fakeQuantRange(in, out, from, to, steps[c], zeroPoints[c], qmin, qmax));
    }
}
