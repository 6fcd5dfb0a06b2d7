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
                parts[b].visit(0, b * SUM_BLOCK, Math.min(size, (b + 1) * SUM_BLOCK));
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
            float step = steps[c];
            if (!clipped && fromProduct == null) {
                // dx needs no x: the gradient is scaled by the step and back.
                for (int i = from; i < to; i++) {
                    float gradRounded = dy[i] * step;
                    dx[i] = (offsets == null ? gradRounded * 1f + 0f : gradRounded) / step;
                }
                return;
            }
            float stepSquared = step * step;
            float offset = offsets == null ? 0f : offsets[c];
            // The channel's running sums, continued element by element in storage order.
            boolean sums = fromProduct != null;
            double product = sums ? fromProduct[c] : 0;
            double division = sums ? fromDivision[c] : 0;
            double sum = sums && offsets != null ? fromSum[c] : 0;
            double difference = sums && offsets != null ? fromDifference[c] : 0;
            for (int i = from; i < to; i++) {
                float g = dy[i];
                float gradRounded = g * step;
                float d = offsets == null ? x[i] : x[i] - offset;
                // The zero-offset grid adds its zero point 0 after rounding, as AffineGrid does.
                float r = offsets == null ? (float) Math.rint(d / step) + 0f : (float) Math.rint(d / step);
                if (clipped) {
                    gradRounded = gradRounded * (r >= qmin && r <= qmax ? 1f : 0f);
                }
                if (offsets == null) {
                    gradRounded = gradRounded * 1f + 0f;
                }
                float gradD = gradRounded / step;
                dx[i] = gradD;
                if (sums) {
                    product += g * Math.min(Math.max(r, qmin), qmax);
                    division += -((gradRounded * d) / stepSquared);
                    if (offsets != null) {
                        sum += g;
                        difference += -gradD;
                    }
                }
            }
            if (sums) {
                fromProduct[c] = product;
                fromDivision[c] = division;
                if (offsets != null) {
                    fromSum[c] = sum;
                    fromDifference[c] = difference;
                }
            }
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
