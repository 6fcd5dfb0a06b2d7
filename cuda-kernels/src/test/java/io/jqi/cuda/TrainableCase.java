package io.jqi.cuda;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.PowerOfTwo;
import io.jqi.grid.UniformRange;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.trainable.GradientRule;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.tensor.Backend;
import io.jqi.tensor.CpuBackend;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * One trainable quantizer configuration of {@code io.jqi.quant.trainable}, with what the kernels need to run the
 * same quantizer: its grid kind, bits, signedness, power-of-two rounding, gradient rule and whether it trains its
 * parameters. {@link #cpu} runs the CPU quantizer's forward and autograd backward on an input and output gradient;
 * {@link #primitive} gives the fake-quantization primitive's parameters that the quantizer's forward passes on.
 */
record TrainableCase(String name, Supplier<TrainableQuantizer> factory, boolean uniform, int bits, boolean signed,
        boolean powerOfTwo, float minThreshold, GradientRule rule, boolean trains, int[] shape, Integer axis,
        float[] thresholds, float[] mins, float[] maxs) {

    /** The CPU quantizer's forward value and gradients. */
    record CpuResult(float[] y, QuantizerGradients gradients) {
    }

    ChannelLayout layout() {
        Shape s = Shape.of(shape);
        return axis == null ? ChannelLayout.perTensor(s.numel()) : ChannelLayout.around(s.toArray(), axis);
    }

    int size() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    CpuResult cpu(float[] x, float[] dy) {
        return on(CpuBackend.INSTANCE, x, dy);
    }

    /** {@link #cpu} with the input, output gradient and the quantizer's variables on {@code backend}. */
    CpuResult on(Backend device, float[] x, float[] dy) {
        TrainableQuantizer quantizer = factory.get();
        List<Tensor> variables = new ArrayList<>();
        QuantizerHost host = (name, variable) -> variables.add(variable);
        quantizer.initializeQuantization(Shape.of(shape), "q", host);
        variables.forEach(v -> v.moveTo(device));
        Tensor input = Tensor.of(x.clone(), shape).to(device).detach().requiresGrad(true);
        Tensor y = quantizer.forward(input, true);
        y.backward(Tensor.of(dy.clone(), shape).to(device));
        float[] dx = input.grad().toFloatArray();
        if (!trains) {
            return new CpuResult(y.toFloatArray(), new QuantizerGradients(dx, null, null, null));
        }
        if (uniform) {
            return new CpuResult(y.toFloatArray(), new QuantizerGradients(dx, null, grad(variables.get(0)),
                    grad(variables.get(1))));
        }
        return new CpuResult(y.toFloatArray(), new QuantizerGradients(dx, grad(variables.get(0)), null, null));
    }

    /** A variable that got no gradient (no element reached it) has a zero gradient. */
    private static float[] grad(Tensor variable) {
        Tensor g = variable.grad();
        return g == null ? new float[variable.numel()] : g.toFloatArray();
    }

    /** What the quantizer's backward hands the primitive: the steps, the offsets (null: none) and the integers. */
    record Primitive(float[] steps, float[] offsets, float qmin, float qmax) {
    }

    /**
     * The primitive's parameters for this quantizer: the forward grid's steps for a threshold, the reference
     * surrogate's step and offset for a range ({@link GradientBounds.Surrogate}).
     */
    Primitive primitive() {
        if (!uniform) {
            IntegerRange integers = IntegerRange.of(bits, signed);
            return new Primitive(steps(), null, integers.qmin(), integers.qmax());
        }
        float k = IntegerRange.unsigned(bits).qmax();
        float[] steps = new float[mins.length];
        float[] offsets = new float[mins.length];
        for (int c = 0; c < mins.length; c++) {
            GradientBounds.Surrogate s = new GradientBounds.Surrogate(mins[c], maxs[c], k);
            steps[c] = s.step;
            offsets[c] = s.a;
        }
        return new Primitive(steps, offsets, 0f, k);
    }

    /** LSQ's g for this quantizer on its shape (1 for STE), as the quantizer computes it. */
    float gradScale() {
        int channels = uniform ? mins.length : thresholds.length;
        return rule.stepScale(factory.get().config().spec(), Shape.of(shape), channels);
    }

    /** The steps of the forward grid, from the CPU's own power-of-two rounding: threshold / 2^(bits - signed). */
    float[] steps() {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float[] steps = new float[thresholds.length];
        for (int c = 0; c < steps.length; c++) {
            float t = powerOfTwo ? PowerOfTwo.roundUp(Math.max(thresholds[c], minThreshold)) : thresholds[c];
            steps[c] = t / levels;
        }
        return steps;
    }

    /** Per channel, the interval the input generator should cover: the grid's range, its step and its origin. */
    float[][] channelRanges() {
        int c = uniform ? mins.length : thresholds.length;
        float[][] ranges = new float[c][];
        if (uniform) {
            float[][] adjusted = UniformRange.adjustAll(mins, maxs, bits);
            AffineGrid grid = AffineGrid.uniformAdjusted(adjusted[0], adjusted[1], bits);
            for (int ch = 0; ch < c; ch++) {
                float step = grid.step(ch);
                float lo = -grid.zeroPoint(ch) * step;
                ranges[ch] = new float[] {lo, lo + step * ((1L << bits) - 1), step, lo};
            }
        } else {
            float[] steps = steps();
            float levels = (float) (1L << (signed ? bits - 1 : bits));
            for (int ch = 0; ch < c; ch++) {
                ranges[ch] = new float[] {signed ? -levels * steps[ch] : 0f, (levels - 1) * steps[ch], steps[ch], 0f};
            }
        }
        return ranges;
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + (axis == null ? " per tensor" : " axis " + axis);
    }
}
