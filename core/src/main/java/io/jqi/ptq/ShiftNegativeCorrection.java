package io.jqi.ptq;

import io.jqi.nn.AddConstant;
import io.jqi.nn.AvgPool2D;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Dropout;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.KernelLayer;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.Module;
import io.jqi.nn.Pad;
import io.jqi.nn.Reshape;
import io.jqi.nn.SiLU;
import io.jqi.quant.QuantizationMethod;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Shift-negative correction (docs/quantizer-contract.md#shift-negative-correction): a non-linearity whose outputs are
 * mostly positive with a small negative tail (SiLU, Hardswish, LeakyReLU) wastes half of a signed grid on the tail. When
 * it feeds a convolution or dense layer, a constant {@code shift} is added after it so that its values are
 * non-negative and quantize unsigned at the original bits, and the linear layer's bias subtracts what the shift adds:
 * {@code b - shift * sum(W)} over each output's inputs. The non-linearity itself is then quantized at 16 bits, and
 * zero padding on the way becomes padding with {@code shift}, the shifted image of zero.
 */
final class ShiftNegativeCorrection {
    /** MCT's {@code SHIFT_NEGATIVE_NON_LINEAR_NUM_BITS}: the bits of the non-linearity once corrected. */
    static final int NON_LINEAR_BITS = 16;
    /** MCT's {@code shift_negative_ratio}: the largest {@code |min| / T} that is corrected. */
    static final double RATIO = 0.05;

    private static final Set<Class<? extends Module>> NON_LINEAR = Set.of(SiLU.class, Hardswish.class,
            LeakyReLU.class);
    /** Layers that pass a constant shift through unchanged, so it reaches the linear layer as it was added. */
    private static final Set<Class<? extends Module>> BYPASS = Set.of(Dropout.class, Identity.class, Flatten.class,
            MatrixFlatten.class, Reshape.class, GlobalAvgPool2D.class);

    /** One correction made: the added node and the threshold its unsigned quantizer keeps. */
    record Shift(String node, float threshold) {
    }

    private ShiftNegativeCorrection() {
    }

    /** A shift and the threshold of the unsigned grid its values quantize on. */
    record Choice(float shift, float threshold) {
    }

    /**
     * Corrects every eligible non-linearity of {@code graph} in place, adding its shift node to {@code refs} and
     * {@code ops} and setting the non-linearity's activation to 16 bits; the statistics must be collected again
     * afterwards. {@code threshold} gives a node's activation threshold as PTQ chooses it; with {@code paramsSearch}
     * the shift and that threshold are {@linkplain #searched searched} together.
     */
    static List<Shift> correct(FlatGraph graph, Map<String, NodeRef> refs, Map<String, OpQuantization> ops,
            Map<String, ValueStatistics> stats, ToDoubleFunction<String> threshold, boolean paramsSearch) {
        List<Shift> shifts = new ArrayList<>();
        for (FlatGraph.Node n : graph.nodes.values().stream().toList()) {
            ActivationQuantization a = ops.get(n.name).activation();
            if (!NON_LINEAR.contains(n.module.getClass()) || a == null || a.method() == QuantizationMethod.UNIFORM
                    || !(stats.get(n.name).min() < 0f)) {
                continue;
            }
            float min = stats.get(n.name).min();
            float t = (float) threshold.applyAsDouble(n.name);
            List<FlatGraph.Node> path = -min / t > RATIO ? null : pathToLinear(graph, n);
            if (path == null) {
                continue;
            }
            float shift = shift(min, t, a.bits());
            Choice best = paramsSearch ? searched(stats.get(n.name).histogram(), t, a.bits()) : null;
            if (best != null) {
                shift = best.shift();
                t = best.threshold();
            }
            String name = n.name + "_shift";
            String path0 = refs.get(n.name).path() + "_shift";
            graph.insertAfter(n.name, new FlatGraph.Node(name, path0, new AddConstant(Tensor.scalar(shift)),
                    List.of(n.name)));
            refs.put(name, new NodeRef(name, path0, "AddConstant"));
            ops.put(name, OpQuantization.activationOnly(new ActivationQuantization(a.method(), a.bits(),
                    Signedness.UNSIGNED, a.candidateBits())));
            ops.put(n.name, ops.get(n.name).withActivation(new ActivationQuantization(a.method(), NON_LINEAR_BITS,
                    Signedness.SIGNED, a.candidateBits())));
            for (FlatGraph.Node p : path) {
                p.module = shifted(p.module, shift);
            }
            FlatGraph.Node linear = path.get(path.size() - 1);
            if (linear.module instanceof Conv2D conv && (conv.padding()[0] > 0 || conv.padding()[1] > 0)) {
                padExplicitly(graph, refs, ops, linear, conv, shift);
            }
            shifts.add(new Shift(name, t));
        }
        return shifts;
    }

    /** Moves {@code conv}'s zero padding into a pad node before it that pads with {@code shift}. */
    private static void padExplicitly(FlatGraph graph, Map<String, NodeRef> refs, Map<String, OpQuantization> ops,
            FlatGraph.Node node, Conv2D conv, float shift) {
        int[] p = conv.padding();
        String name = node.name + "_pad";
        String path = refs.get(node.name).path() + "_pad";
        graph.insertAfter(node.inputs.get(0), new FlatGraph.Node(name, path,
                new Pad(new int[] {0, 0, p[0], p[1], 0, 0, p[0], p[1]}, shift), List.of(node.inputs.get(0))));
        refs.put(name, new NodeRef(name, path, "Pad"));
        ops.put(name, OpQuantization.preserving());
        node.module = conv.withPadding(new int[] {0, 0});
    }

    /** The smallest point of the unsigned grid {@code k * T / 2^n} that is at least {@code -min}. */
    static float shift(float min, float threshold, int bits) {
        double step = threshold / Math.pow(2, bits);
        return (float) (Math.ceil(-min / step) * step);
    }

    /**
     * The reference's {@code shift_negative_params_search}: for the threshold {@code T} and then {@code 2T}, every
     * point {@code k * T / 2^n} of the unsigned grid in ascending order as the shift; each scored by the mean squared
     * error of the non-linearity's histogram, every left edge moved by the shift in float, on the unsigned n-bit grid
     * of that threshold ({@link Samples}). The first lowest error wins. A shift need not lift the minimum to zero
     * here: the error decides. Null when no candidate has a finite error (an empty histogram).
     */
    static Choice searched(Histogram h, float threshold, int bits) {
        if (h == null) {
            throw new IllegalStateException("the shift-negative parameter search needs the non-linearity's histogram");
        }
        ErrorNorm mse = ErrorNorm.of(ErrorMethod.MSE, 2);
        int points = 1 << bits;
        Choice best = null;
        double least = Double.POSITIVE_INFINITY;
        for (float t : new float[] {threshold, 2 * threshold}) {
            for (int k = 0; k < points; k++) {
                float shift = (float) (k * ((double) t / points));
                double error = Samples.of(h, mse, shift).symmetricError(new float[] {t}, bits, false)[0];
                if (error < least) {
                    least = error;
                    best = new Choice(shift, t);
                }
            }
        }
        return best;
    }

    /**
     * The nodes from {@code n}'s only consumer to the first convolution or dense layer, each the only consumer of the
     * one before and none an output; null when the chain ends anywhere else.
     */
    private static List<FlatGraph.Node> pathToLinear(FlatGraph graph, FlatGraph.Node n) {
        List<FlatGraph.Node> path = new ArrayList<>();
        FlatGraph.Node at = n;
        while (true) {
            List<FlatGraph.Node> consumers = graph.consumers(at.name);
            if (consumers.size() != 1 || graph.outputs.contains(at.name)) {
                return null;
            }
            FlatGraph.Node next = consumers.get(0);
            if (next.inputs.size() != 1) {
                return null;
            }
            path.add(next);
            Module m = next.module;
            if (m instanceof Conv2D || m instanceof Dense) {
                return path;
            }
            boolean passes = BYPASS.contains(m.getClass()) || (m instanceof Pad pad && pad.value() == 0f)
                    || (m instanceof AvgPool2D pool && pool.padding()[0] == 0 && pool.padding()[1] == 0);
            if (!passes) {
                return null;
            }
            at = next;
        }
    }

    /**
     * {@code m} as it must be when its input is shifted: zero padding pads with the shift, and a linear layer takes
     * the shift back from its bias ({@code b - shift * sum(W)}, a bias created if it had none) and, for a convolution
     * with padding, pads through an explicit pad with the shift instead.
     */
    private static Module shifted(Module m, float shift) {
        if (m instanceof Pad pad) {
            return new Pad(pad.pads(), shift);
        }
        if (!(m instanceof KernelLayer kernel)) {
            return m;
        }
        Tensor w = kernel.weight();
        int out = w.shape().dim(0);
        float[] weights = w.toFloatArray();
        int perOutput = weights.length / out;
        float[] bias = kernel.bias() == null ? new float[out] : kernel.bias().toFloatArray();
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int i = o * perOutput; i < (o + 1) * perOutput; i++) {
                sum += weights[i];
            }
            bias[o] = (float) (bias[o] - shift * sum);
        }
        return kernel.withParameters(w, Tensor.of(bias, out));
    }
}
