package io.jqi.tensor;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.grid.UniformRange;

/**
 * The CPU's fake-quantization kernels, the reference for the CUDA ones in {@code fake_quant.cu} and
 * {@code quant_backward.cu}: the per-element formulas of {@link AffineGrid} and {@link LutGrid}, and the
 * straight-through backward of {@link Backend#fakeQuantAffineBackward}.
 *
 * <p>The backward replays, operation by operation in float32, the element-wise chain rule of the expression it
 * differentiates (the autograd of {@code x / s}, rint, {@code + 0}, clamp, {@code * s}, {@code + a}), and sums each
 * channel's parameter terms in double in storage order, rounding once: exactly what composing those operations as
 * tensor ops gives on this backend. A per-tensor grid (one channel) sums in fixed blocks on several threads instead,
 * then adds the block sums in order: the same result whatever the thread count, and a float rounding of a double sum
 * whose order differs only at block boundaries (docs/cuda.md#fake-quantization-is-a-device-primitive).
 */
final class CpuFakeQuant {
    /** Below this many elements per call the forward runs on one thread. */
    private static final int ELEMENT_COST = 8;
    /** Elements per block of a per-tensor parameter-gradient sum. */
    static final int SUM_BLOCK = 1 << 14;
    /** Elements whose step terms the backward keeps at once: a few KiB, in the level-1 cache. */
    private static final int STRIP = 1 << 10;

    private CpuFakeQuant() {
    }

    static float[] affine(float[] x, ChannelLayout layout, float[] steps, float[] zeroPoints, float qmin, float qmax,
            RoundingMode rounding) {
        float[] out = new float[x.length];
        boolean nudged = rounding == RoundingMode.TF_NUDGE_HALF_UP;
        forEachStretch(layout, x.length, ELEMENT_COST, (c, from, to) -> {
            float step = steps[c];
            float zp = zeroPoints == null ? 0f : zeroPoints[c];
            if (nudged) {
                float lo = AffineGrid.nudgedMin(step, zp, qmin);
                float hi = AffineGrid.nudgedMax(step, zp, qmax);
                for (int i = from; i < to; i++) {
                    out[i] = AffineGrid.fakeQuantNudged(x[i], lo, hi, step);
                }
            } else {
                AffineGrid.fakeQuantRange(x, out, from, to, step, zp, qmin, qmax);
            }
        });
        return out;
    }

    /**
     * Visits {@code [0, size)} as stretches of one channel each, split over threads by element ranges: the channel
     * is found once per stretch rather than once per element.
     */
    private static void forEachStretch(ChannelLayout layout, int size, long cost, ChannelLayout.RunVisitor body) {
        int channels = layout.channels();
        int inner = layout.inner();
        Parallel.forRange(size, cost, (from, to) -> {
            int i = from;
            while (i < to) {
                int run = i / inner;
                int end = Math.min(to, (run + 1) * inner);
                body.visit(channels == 1 ? 0 : run % channels, i, end);
                i = end;
            }
        });
    }

    static float[] lut(float[] x, ChannelLayout layout, float[] levels, float[] thresholds, float multiplier,
            float lo, float hi, float eps) {
        float[] out = new float[x.length];
        forEachStretch(layout, x.length, (long) ELEMENT_COST * levels.length, (c, from, to) -> {
            float threshold = thresholds[c];
            for (int i = from; i < to; i++) {
                out[i] = LutGrid.fakeQuant(x[i], levels, threshold, multiplier, lo, hi, eps);
            }
        });
        return out;
    }

    /** {@link Backend#fakeQuantAffineBackward} on host arrays: {@code {dx, dSteps, dOffsets}}. */
    static float[][] affineBackward(float[] x, float[] dy, ChannelLayout layout, float[] steps, float[] offsets,
            float qmin, float qmax, boolean clipped, boolean parameterGradients) {
        int channels = layout.channels();
        float[] dx = new float[x.length];
        double[] fromProduct = parameterGradients ? new double[channels] : null;
        double[] fromDivision = parameterGradients ? new double[channels] : null;
        double[] fromSum = parameterGradients && offsets != null ? new double[channels] : null;
        double[] fromDifference = parameterGradients && offsets != null ? new double[channels] : null;
        BackwardRun run = new BackwardRun(x, dy, dx, steps, offsets, qmin, qmax, clipped, fromProduct, fromDivision,
                fromSum, fromDifference);
        if (parameterGradients && channels == 1) {
            perTensorBackward(run, x.length);
        } else if (parameterGradients) {
            // Each channel's sums on one thread, its runs in storage order: the same sums whatever the thread count.
            int inner = layout.inner();
            int outer = layout.outer();
            Parallel.forRange(channels, (long) ELEMENT_COST * outer * inner, (from, to) -> {
                for (int c = from; c < to; c++) {
                    for (int o = 0; o < outer; o++) {
                        int start = (o * channels + c) * inner;
                        run.visit(c, start, start + inner);
                    }
                }
            });
        } else {
            forEachStretch(layout, x.length, ELEMENT_COST, run);
        }
        if (!parameterGradients) {
            return new float[][] {dx, null, null};
        }
        return new float[][] {dx, addRounded(fromProduct, fromDivision),
            offsets == null ? null : addRounded(fromSum, fromDifference)};
    }

    /**
     * The per-tensor backward with parameter gradients over threads: fixed blocks of {@link #SUM_BLOCK} elements sum
     * their terms on their own, then the block sums are added in block order. The blocks do not depend on the thread
     * count, so neither do the sums (docs/quantizer-contract.md#ste-quantizers).
     */
    private static void perTensorBackward(BackwardRun run, int size) {
        int blocks = (size + SUM_BLOCK - 1) / SUM_BLOCK;
        boolean offsets = run.fromSum() != null;
        BackwardRun[] parts = new BackwardRun[blocks];
        Parallel.forRange(blocks, (long) ELEMENT_COST * SUM_BLOCK, (from, to) -> {
            for (int b = from; b < to; b++) {
                parts[b] = run.withOwnSums(offsets);
                parts[b].backward(0, b * SUM_BLOCK, Math.min(size, (b + 1) * SUM_BLOCK), new double[4][8]);
            }
        });
        for (BackwardRun part : parts) {
            run.fromProduct()[0] += part.fromProduct()[0];
            run.fromDivision()[0] += part.fromDivision()[0];
            if (offsets) {
                run.fromSum()[0] += part.fromSum()[0];
                run.fromDifference()[0] += part.fromDifference()[0];
            }
        }
    }

    /** The backward of one channel's stretch of elements; adds its parameter terms when the sums are not null. */
    private record BackwardRun(float[] x, float[] dy, float[] dx, float[] steps, float[] offsets, float qmin,
            float qmax, boolean clipped, double[] fromProduct, double[] fromDivision, double[] fromSum,
            double[] fromDifference) implements ChannelLayout.RunVisitor {
        /** The same run with fresh one-channel sums of its own. */
        BackwardRun withOwnSums(boolean offsetSums) {
            return new BackwardRun(x, dy, dx, steps, offsets, qmin, qmax, clipped, new double[1], new double[1],
                    offsetSums ? new double[1] : null, offsetSums ? new double[1] : null);
        }

        @Override
        public void visit(int c, int from, int to) {
            backward(c, from, to, null);
        }

        /**
         * The backward of one stretch of channel {@code c}. With {@code lanes} null the parameter terms continue the
         * channel's sums in storage order; otherwise ({@code double[4][8]}, fresh) they go into eight sums per
         * parameter by position mod 8 from {@code from}, the tail into the first, and the lanes' combination is added
         * once at the end (docs/quantizer-contract.md#ste-quantizers).
         */
        void backward(int c, int from, int to, double[][] lanes) {
            float step = steps[c];
            if (!clipped && fromProduct == null) {
                // dx needs no x: the gradient is scaled by the step and back.
                float inverse = AffineGrid.exactReciprocal(step);
                float shift = offsets == null ? 0f : -0f;
                for (int i = from; i < to; i++) {
                    float gradRounded = dy[i] * step + shift;
                    dx[i] = inverse != 0f ? gradRounded * inverse : gradRounded / step;
                }
                return;
            }
            boolean branchFree = AffineGrid.roundsInFloat(0f, qmin, qmax) && qmin == Math.rint(qmin)
                    && qmax == Math.rint(qmax);
            Strip strip = new Strip(Math.min(STRIP, to - from));
            boolean inLanes = lanes != null && fromProduct != null;
            double[][] before = inLanes ? new double[lanes.length][lanes[0].length] : null;
            for (int s = from; s < to; s += STRIP) {
                int n = Math.min(to, s + STRIP) - s;
                if (branchFree) {
                    strip.run(this, c, s, s + n);
                }
                if (branchFree && inLanes) {
                    // A NaN product term makes its lane's sum NaN: the sums look for them, and only when one shows
                    // are the terms scanned, fixed and added again. A scan of its own cost a tenth of the backward.
                    for (int k = 0; k < lanes.length; k++) {
                        System.arraycopy(lanes[k], 0, before[k], 0, lanes[k].length);
                    }
                    addStrip(lanes, strip, s, n);
                    if (!anyNaN(lanes[0])) {
                        continue;
                    }
                    for (int k = 0; k < lanes.length; k++) {
                        System.arraycopy(before[k], 0, lanes[k], 0, lanes[k].length);
                    }
                }
                for (int j = 0; j < n; j++) {
                    // A NaN code (a NaN input or step) is the one case the branch-free mask gets wrong.
                    if (!branchFree || Float.isNaN(strip.productTerms[j])) {
                        exactElement(c, s + j, strip.productTerms, strip.divisionTerms, j);
                    }
                }
                if (fromProduct == null) {
                    continue;
                }
                if (lanes == null) {
                    addInOrder(c, s, n, strip);
                } else {
                    addStrip(lanes, strip, s, n);
                }
            }
            if (inLanes) {
                fromProduct[c] += combine(lanes[0]);
                fromDivision[c] += combine(lanes[1]);
                if (offsets != null) {
                    fromSum[c] += combine(lanes[2]);
                    // The lanes hold the sums of dx; negating them is negating every term, exactly.
                    fromDifference[c] += -combine(lanes[3]);
                }
            }
        }

        /** The strip's terms into the lane sums: products, divisions and, with offsets, dy and dx. */
        private void addStrip(double[][] lanes, Strip strip, int s, int n) {
            addLanes(lanes[0], strip.productTerms, 0, n);
            addLanes(lanes[1], strip.divisionTerms, 0, n);
            if (offsets != null) {
                addLanes(lanes[2], dy, s, n);
                addLanes(lanes[3], dx, s, n);
            }
        }

        private static boolean anyNaN(double[] values) {
            for (double v : values) {
                if (Double.isNaN(v)) {
                    return true;
                }
            }
            return false;
        }

        /** One element by the formula itself: dx, and its two step terms at index {@code j} of the arrays. */
        private void exactElement(int c, int i, float[] productTerms, float[] divisionTerms, int j) {
            float step = steps[c];
            float g = dy[i];
            float gradRounded = g * step;
            float d = offsets == null ? x[i] : x[i] - offsets[c];
            // The zero-offset grid adds its zero point 0 after rounding, as AffineGrid does.
            float r = offsets == null ? (float) Math.rint(d / step) + 0f : (float) Math.rint(d / step);
            if (clipped) {
                gradRounded = gradRounded * (r >= qmin && r <= qmax ? 1f : 0f);
            }
            if (offsets == null) {
                gradRounded = gradRounded * 1f + 0f;
            }
            dx[i] = gradRounded / step;
            productTerms[j] = g * Math.min(Math.max(r, qmin), qmax);
            divisionTerms[j] = -((gradRounded * d) / (step * step));
        }

        /** Adds the terms of the {@code n} elements from {@code from} to channel c's sums in storage order. */
        private void addInOrder(int c, int from, int n, Strip strip) {
            double product = fromProduct[c];
            double division = fromDivision[c];
            for (int j = 0; j < n; j++) {
                product += strip.productTerms[j];
                division += strip.divisionTerms[j];
            }
            fromProduct[c] = product;
            fromDivision[c] = division;
            if (offsets != null) {
                double sum = fromSum[c];
                double difference = fromDifference[c];
                for (int i = from; i < from + n; i++) {
                    sum += dy[i];
                    difference += -dx[i];
                }
                fromSum[c] = sum;
                fromDifference[c] = difference;
            }
        }
    }

    /**
     * Adds {@code values[from + k]} for k below n into {@code lanes[k mod 8]}, the last {@code n mod 8} into lane 0:
     * eight independent chains, where one chain waits on each previous addition.
     */
    private static void addLanes(double[] lanes, float[] values, int from, int n) {
        double s0 = lanes[0];
        double s1 = lanes[1];
        double s2 = lanes[2];
        double s3 = lanes[3];
        double s4 = lanes[4];
        double s5 = lanes[5];
        double s6 = lanes[6];
        double s7 = lanes[7];
        int k = from;
        for (int end = from + n - 8; k <= end; k += 8) {
            s0 += (double) values[k];
            s1 += (double) values[k + 1];
            s2 += (double) values[k + 2];
            s3 += (double) values[k + 3];
            s4 += (double) values[k + 4];
            s5 += (double) values[k + 5];
            s6 += (double) values[k + 6];
            s7 += (double) values[k + 7];
        }
        for (; k < from + n; k++) {
            s0 += (double) values[k];
        }
        lanes[0] = s0;
        lanes[1] = s1;
        lanes[2] = s2;
        lanes[3] = s3;
        lanes[4] = s4;
        lanes[5] = s5;
        lanes[6] = s6;
        lanes[7] = s7;
    }

    /** {@code ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))}. */
    private static double combine(double[] s) {
        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }

    /**
     * Level-1-cache scratch for a stretch of the backward: the stretch's x and dy are copied in and its dx out, so
     * that the branch-free loop indexes every array alike, which C2's loop vectorizer needs (with the stretch's
     * offset on some arrays and not others the loop ran ten times slower than with plain scalar code).
     */
    private static final class Strip {
        final float[] x;
        final float[] dy;
        final float[] dx;
        final float[] productTerms;
        final float[] divisionTerms;

        Strip(int length) {
            x = new float[length];
            dy = new float[length];
            dx = new float[length];
            productTerms = new float[length];
            divisionTerms = new float[length];
        }

        /**
         * dx of {@code [from, to)} and each element's two step terms, without branches: the code rounds in float
         * ({@link AffineGrid#roundInFloat}) and the clip mask is {@code 1 - min(1, |r - clamp(r)|)}, exactly 0 or 1
         * for any code but NaN. The bits are {@link BackwardRun#exactElement}'s wherever the code is not NaN (the
         * sign of a zero code aside, which reaches only a product with a zero sum). A power-of-two step divides by
         * multiplying ({@link AffineGrid#exactReciprocal}), the same bits.
         */
        void run(BackwardRun b, int c, int from, int to) {
            int n = to - from;
            System.arraycopy(b.x(), from, x, 0, n);
            System.arraycopy(b.dy(), from, dy, 0, n);
            float step = b.steps()[c];
            float stepSquared = step * step;
            float inverse = AffineGrid.exactReciprocal(step);
            float inverseSquared = AffineGrid.exactReciprocal(stepSquared);
            boolean multiply = inverse != 0f && inverseSquared != 0f;
            float offset = b.offsets() == null ? 0f : b.offsets()[c];
            boolean clipped = b.clipped();
            // x + 0 turns -0 into +0 where the zero-offset grid adds its zero point; + -0 changes nothing.
            float shift = b.offsets() == null ? 0f : -0f;
            float qmin = b.qmin();
            float qmax = b.qmax();
            // The tests of clipped and multiply do not change within the loop: C2 compiles a loop for each outcome,
            // and the unclipped ones skip the mask, which cost as much as the rest of the loop (a NaN code's mask
            // was NaN; such elements are recomputed by the formula anyway).
            for (int j = 0; j < n; j++) {
                float g = dy[j];
                float d = x[j] - offset;
                float r = AffineGrid.roundInFloat(multiply ? d * inverse : d / step);
                float code = Math.min(Math.max(r, qmin), qmax);
                float keep = clipped ? 1f - Math.min(1f, Math.abs(r - code)) : 1f;
                float gradRounded = (g * step) * keep + shift;
                dx[j] = multiply ? gradRounded * inverse : gradRounded / step;
                productTerms[j] = g * code;
                divisionTerms[j] = -(multiply ? (gradRounded * d) * inverseSquared : (gradRounded * d) / stepSquared);
            }
            System.arraycopy(dx, 0, b.dx(), from, n);
        }
    }

    /** Each sum rounded to float, then added in float: what accumulating two summed gradients does. */
    private static float[] addRounded(double[] a, double[] b) {
        float[] out = new float[a.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) a[c] + (float) b[c];
        }
        return out;
    }

    /** {@link Backend#uniformGrid} on host arrays, unchecked: {@code [step..., zeroPoint...]}. */
    static float[] uniformGrid(float[] min, float[] max, int channels, int bits) {
        float qmax = IntegerRange.unsigned(bits).qmax();
        float[] out = new float[2 * channels];
        for (int c = 0; c < channels; c++) {
            float[] adjusted = UniformRange.adjust(min[c], max[c], bits);
            float step = AffineGrid.uniformStep(adjusted[0], adjusted[1], qmax);
            out[c] = step;
            out[channels + c] = AffineGrid.uniformZeroPoint(adjusted[0], step, qmax);
        }
        return out;
    }
}
