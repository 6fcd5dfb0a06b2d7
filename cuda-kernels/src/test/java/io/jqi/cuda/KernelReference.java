package io.jqi.cuda;

import io.jqi.quant.ChannelLayout;

/**
 * A line-by-line Java transcription of the kernels in {@code quant_backward.cu} and of the parameter kernels in
 * {@code fake_quant.cu}, in the same float operations and order (Java's float arithmetic rounds each operation to
 * nearest, as the kernels' _rn intrinsics do). {@code KernelReferenceTest} holds it against the CPU autograd on this
 * machine, which checks the kernels' formulas without a GPU; the GPU tests then hold the kernels against the same
 * autograd. The parameter gradients are also computed in double, with a bound on their rounding error.
 */
final class KernelReference {
    private KernelReference() {
    }

    /** The result of one backward: float gradients as a kernel computes them, and the double-precision truth. */
    record Result(QuantizerGradients gradients, double[][] exact, double[][] bound) {
    }

    static float[] symmetricSteps(float[] thresholds, int bits, boolean signed, boolean powerOfTwo,
            float minThreshold) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float[] steps = new float[thresholds.length];
        for (int c = 0; c < steps.length; c++) {
            float t = thresholds[c];
            if (powerOfTwo) {
                t = potRoundUp(Math.max(t, minThreshold));
            }
            steps[c] = t / levels;
        }
        return steps;
    }

    /** pot_round_up: from the bits, NaN where Java's PowerOfTwo.roundUp throws. */
    static float potRoundUp(float t) {
        if (!(t > 0f) || Float.isInfinite(t)) {
            return Float.NaN;
        }
        int bits = Float.floatToRawIntBits(t);
        int exponent = bits >>> 23;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0) {
            int p = Integer.highestOneBit(mantissa);
            if (p != mantissa) {
                p <<= 1;
            }
            return Float.intBitsToFloat(p);
        }
        if (mantissa == 0) {
            return t;
        }
        if (exponent + 1 >= 255) {
            return Float.NaN;
        }
        return Float.intBitsToFloat((exponent + 1) << 23);
    }

    /** jqi_uniform_grid: returns {steps, zeroPoints}. */
    static float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
        float k = (float) ((1L << bits) - 1);
        float[] steps = new float[mins.length];
        float[] zeroPoints = new float[mins.length];
        for (int c = 0; c < mins.length; c++) {
            float[] range = rangeStep(mins[c], maxs[c], k);
            for (int i = 1; i < 8; i++) {
                float[] next = rangeStep(range[0], range[1], k);
                if (Float.floatToIntBits(next[0]) == Float.floatToIntBits(range[0])
                        && Float.floatToIntBits(next[1]) == Float.floatToIntBits(range[1])) {
                    break;
                }
                range = next;
            }
            float step = (range[1] - range[0]) / k;
            steps[c] = step;
            zeroPoints[c] = Math.min(Math.max((float) Math.rint(-range[0] / step), 0f), k);
        }
        return new float[][] {steps, zeroPoints};
    }

    private static float[] rangeStep(float min, float max, float k) {
        if (min > 0f) {
            return new float[] {0f, max};
        }
        if (max < 0f) {
            return new float[] {min, 0f};
        }
        float width = max - min;
        float scale = width / k;
        float adjMin = scale * (float) Math.rint(min / scale);
        float adjMax = width + adjMin;
        adjMin = Math.min(adjMin, 0f);
        adjMax = Math.max(adjMax, 0f);
        return new float[] {adjMin == 0f ? 0f : adjMin, adjMax};
    }

    /** jqi_symmetric_backward. */
    static Result symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed, GradientRule rule,
            boolean trains, ChannelLayout layout) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        int channels = layout.channels();
        float[] dx = new float[x.length];
        float[][] sums = new float[channels][2];
        double[][] exactSums = new double[channels][2];
        double[][] absSums = new double[channels][2];
        forEachElement(layout, (c, i) -> {
            float step = steps[c];
            float g = dy[i];
            float gR = g * step;
            float r = (float) Math.rint(x[i] / step) + 0f;
            if (rule.clipped()) {
                gR = gR * inside(r, qmin, qmax);
            }
            gR = gR * 1f + 0f;
            dx[i] = gR / step;
            float fromProduct = g * Math.min(Math.max(r, qmin), qmax);
            float fromDivision = -((gR * x[i]) / (step * step));
            add(sums[c], exactSums[c], absSums[c], fromProduct, fromDivision);
        });
        if (!trains) {
            return new Result(new QuantizerGradients(dx, null, null, null), null, null);
        }
        float[] dThresholds = new float[channels];
        double[] exact = new double[channels];
        double[] bound = new double[channels];
        for (int c = 0; c < channels; c++) {
            float dStep = sums[c][0] + sums[c][1];
            double exactStep = exactSums[c][0] + exactSums[c][1];
            double boundStep = absSums[c][0] + absSums[c][1];
            if (rule.scaled()) {
                dStep = dStep * rule.scale() + 0f;
                exactStep *= rule.scale();
                boundStep *= rule.scale();
            }
            dThresholds[c] = dStep / levels;
            exact[c] = exactStep / levels;
            bound[c] = boundStep / levels;
        }
        return new Result(new QuantizerGradients(dx, dThresholds, null, null), new double[][] {exact},
                new double[][] {bound});
    }

    /** jqi_uniform_backward. */
    static Result uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits, GradientRule rule,
            boolean trains, ChannelLayout layout) {
        float k = (float) ((1L << bits) - 1);
        int channels = layout.channels();
        Surrogate[] surrogates = new Surrogate[channels];
        for (int c = 0; c < channels; c++) {
            surrogates[c] = new Surrogate(mins[c], maxs[c], k);
        }
        float[] dx = new float[x.length];
        float[][] sums = new float[channels][4];
        double[][] exactSums = new double[channels][4];
        double[][] absSums = new double[channels][4];
        forEachElement(layout, (c, i) -> {
            Surrogate s = surrogates[c];
            float g = dy[i];
            float gR = g * s.step;
            float d = x[i] - s.a;
            float r = (float) Math.rint(d / s.step);
            if (rule.clipped()) {
                gR = gR * inside(r, 0f, k);
            }
            float gD = gR / s.step;
            dx[i] = gD;
            add(sums[c], exactSums[c], absSums[c], g * Math.min(Math.max(r, 0f), k),
                    -((gR * d) / (s.step * s.step)), g, -gD);
        });
        if (!trains) {
            return new Result(new QuantizerGradients(dx, null, null, null), null, null);
        }
        float[] dMin = new float[channels];
        float[] dMax = new float[channels];
        double[][] exact = new double[2][channels];
        double[][] bound = new double[2][channels];
        float scale = rule.scale();
        for (int c = 0; c < channels; c++) {
            Surrogate s = surrogates[c];
            float[] result = s.finish(sums[c], scale);
            dMin[c] = result[0];
            dMax[c] = result[1];
            double[] truth = s.finishExact(exactSums[c], scale);
            exact[0][c] = truth[0];
            exact[1][c] = truth[1];
            // The finish is linear in the four sums: its error is at most the sum of |coefficient| * |terms|.
            for (int acc = 0; acc < 4; acc++) {
                double[] unit = new double[4];
                unit[acc] = 1.0;
                double[] coefficient = s.finishExact(unit, scale);
                bound[0][c] += Math.abs(coefficient[0]) * absSums[c][acc];
                bound[1][c] += Math.abs(coefficient[1]) * absSums[c][acc];
            }
        }
        return new Result(new QuantizerGradients(dx, null, dMin, dMax), exact, bound);
    }

    /** The surrogate range of UniformGrids.adjust and its backward (finish_uniform). */
    private static final class Surrogate {
        final float k;
        final float above;
        final float below;
        final float mid;
        final float rounded;
        final float a;
        final float step;

        Surrogate(float lo, float hi, float k) {
            this.k = k;
            above = lo > 0f ? 1f : 0f;
            below = lo <= 0f && hi < 0f ? 1f : 0f;
            mid = 1f - above - below;
            float width = hi - lo;
            float scale = width / k;
            rounded = (float) Math.rint(lo / scale);
            float aMid = scale * rounded;
            float bMid = width + aMid;
            a = aMid * mid + lo * below;
            float b = bMid * mid + hi * above;
            step = (b - a) / k;
        }

        float[] finish(float[] sums, float gradScale) {
            float dStep = sums[0] + sums[1];
            dStep = dStep * gradScale + 0f;
            float dWidthAb = dStep / k;
            float dA = (sums[2] + sums[3]) + -dWidthAb;
            float dB = dWidthAb;
            float dAMid = dA * mid;
            float gMin = dA * below;
            float dBMid = dB * mid;
            float gMax = dB * above;
            dAMid = dAMid + dBMid;
            float dScale = dAMid * rounded;
            float dWidth = dBMid + dScale / k;
            gMax = gMax + dWidth;
            gMin = gMin + -dWidth;
            return new float[] {gMin, gMax};
        }

        double[] finishExact(double[] sums, float gradScale) {
            double dStep = (sums[0] + sums[1]) * gradScale;
            double dWidthAb = dStep / k;
            double dA = sums[2] + sums[3] - dWidthAb;
            double dB = dWidthAb;
            double dAMid = dA * mid + dB * mid;
            double dWidth = dB * mid + dAMid * rounded / k;
            return new double[] {dA * below - dWidth, dB * above + dWidth};
        }
    }

    private static float inside(float x, float lo, float hi) {
        return x >= lo && x <= hi ? 1f : 0f;
    }

    private static void add(float[] sums, double[] exact, double[] abs, float... terms) {
        for (int t = 0; t < terms.length; t++) {
            sums[t] += terms[t];
            exact[t] += terms[t];
            abs[t] += Math.abs((double) terms[t]);
        }
    }

    @FunctionalInterface
    private interface ElementVisitor {
        void visit(int channel, int index);
    }

    private static void forEachElement(ChannelLayout layout, ElementVisitor visitor) {
        layout.forEachRun((channel, from, to) -> {
            for (int i = from; i < to; i++) {
                visitor.visit(channel, i);
            }
        });
    }
}
