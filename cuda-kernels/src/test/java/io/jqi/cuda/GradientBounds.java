package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;

/**
 * The oracle for the parameter gradients of the fake-quantization backward: per channel, the sum the kernel forms,
 * taken in double over the same float per-element terms (so without the rounding of any summation order), and a bound
 * on the sum's magnitude, {@code sum |term|} carried through the (linear) remainder of the formula. A float sum of
 * the terms in any order is within about n ulps of that bound from the truth; {@link Agreement#assertWithinBound}
 * allows {@link Agreement#TOLERANCE} of it. The per-element terms follow the expression the backward differentiates
 * (see quant_backward.cu); {@link #primitive} stops at the step and offset gradients, {@link #of} carries them on
 * through the quantizer's own tensor ops to its threshold or range.
 */
final class GradientBounds {
    private GradientBounds() {
    }

    /** Per parameter (dT; or dMin, dMax), per channel: the double-precision sum and its magnitude bound. */
    record Result(double[][] exact, double[][] bound) {
    }

    /** The quantizer's dT, or dMin and dMax. */
    static Result of(TrainableCase c, float[] x, float[] dy) {
        return c.uniform() ? uniform(x, dy, c.mins(), c.maxs(), c.bits(), c.rule().clippedInput(), c.gradScale(),
                c.layout())
                : symmetric(x, dy, c.steps(), c.bits(), c.signed(), c.rule().clippedInput(),
                        c.rule().lsq() == null ? 1.0 : c.gradScale(), c.layout());
    }

    /** The primitive's dSteps, and for a range dOffsets: the element-wise sums before any quantizer op. */
    static Result primitive(TrainableCase c, float[] x, float[] dy) {
        TrainableCase.Primitive p = c.primitive();
        boolean clipped = c.rule().clippedInput();
        int channels = c.layout().channels();
        boolean offsets = p.offsets() != null;
        double[][] exactSums = new double[channels][4];
        double[][] absSums = new double[channels][4];
        forEachElement(c.layout(), (ch, i) -> {
            float step = p.steps()[ch];
            float g = dy[i];
            float gR = g * step;
            float d = offsets ? x[i] - p.offsets()[ch] : x[i];
            float r = offsets ? (float) Math.rint(d / step) : (float) Math.rint(d / step) + 0f;
            if (clipped) {
                gR = gR * inside(r, p.qmin(), p.qmax());
            }
            if (!offsets) {
                gR = gR * 1f + 0f;
            }
            add(exactSums[ch], absSums[ch], g * Math.min(Math.max(r, p.qmin()), p.qmax()),
                    -((gR * d) / (step * step)), g, -(gR / step));
        });
        double[][] exact = new double[offsets ? 2 : 1][channels];
        double[][] bound = new double[offsets ? 2 : 1][channels];
        for (int ch = 0; ch < channels; ch++) {
            for (int parameter = 0; parameter < exact.length; parameter++) {
                exact[parameter][ch] = exactSums[ch][2 * parameter] + exactSums[ch][2 * parameter + 1];
                bound[parameter][ch] = absSums[ch][2 * parameter] + absSums[ch][2 * parameter + 1];
            }
        }
        return new Result(exact, bound);
    }

    private static Result symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed,
            boolean clipped, double scale, ChannelLayout layout) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        int channels = layout.channels();
        double[][] exactSums = new double[channels][2];
        double[][] absSums = new double[channels][2];
        forEachElement(layout, (c, i) -> {
            float step = steps[c];
            float g = dy[i];
            float gR = g * step;
            float r = (float) Math.rint(x[i] / step) + 0f;
            if (clipped) {
                gR = gR * inside(r, qmin, qmax);
            }
            gR = gR * 1f + 0f;
            add(exactSums[c], absSums[c], g * Math.min(Math.max(r, qmin), qmax), -((gR * x[i]) / (step * step)));
        });
        double[] exact = new double[channels];
        double[] bound = new double[channels];
        for (int c = 0; c < channels; c++) {
            exact[c] = (exactSums[c][0] + exactSums[c][1]) * scale / levels;
            bound[c] = (absSums[c][0] + absSums[c][1]) * scale / levels;
        }
        return new Result(new double[][] {exact}, new double[][] {bound});
    }

    private static Result uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits, boolean clipped,
            float scale, ChannelLayout layout) {
        float k = (float) ((1L << bits) - 1);
        int channels = layout.channels();
        Surrogate[] surrogates = new Surrogate[channels];
        for (int c = 0; c < channels; c++) {
            surrogates[c] = new Surrogate(mins[c], maxs[c], k);
        }
        double[][] exactSums = new double[channels][4];
        double[][] absSums = new double[channels][4];
        forEachElement(layout, (c, i) -> {
            Surrogate s = surrogates[c];
            float g = dy[i];
            float gR = g * s.step;
            float d = x[i] - s.a;
            float r = (float) Math.rint(d / s.step);
            if (clipped) {
                gR = gR * inside(r, 0f, k);
            }
            add(exactSums[c], absSums[c], g * Math.min(Math.max(r, 0f), k), -((gR * d) / (s.step * s.step)), g,
                    -(gR / s.step));
        });
        double[][] exact = new double[2][channels];
        double[][] bound = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            Surrogate s = surrogates[c];
            double[] truth = s.finish(exactSums[c], scale);
            exact[0][c] = truth[0];
            exact[1][c] = truth[1];
            // The finish is linear in the four sums: its error is at most the sum of |coefficient| * |terms|.
            for (int acc = 0; acc < 4; acc++) {
                double[] unit = new double[4];
                unit[acc] = 1.0;
                double[] coefficient = s.finish(unit, scale);
                bound[0][c] += Math.abs(coefficient[0]) * absSums[c][acc];
                bound[1][c] += Math.abs(coefficient[1]) * absSums[c][acc];
            }
        }
        return new Result(exact, bound);
    }

    /**
     * The surrogate range of the uniform trainable quantizers' range adjustment (float, as their tensor ops compute
     * it) and its backward in double.
     */
    static final class Surrogate {
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

        double[] finish(double[] sums, float gradScale) {
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

    private static void add(double[] exact, double[] abs, float... terms) {
        for (int t = 0; t < terms.length; t++) {
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
