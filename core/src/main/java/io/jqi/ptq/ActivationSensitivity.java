package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * How much each quantized activation, alone at each candidate bit width, moves the model's outputs: the activations'
 * input to a mixed-precision search, measured like {@link WeightSensitivity}. For value {@code v} and bits {@code b},
 * the model is built with only {@code v} quantized, at the thresholds PTQ chooses for it at {@code b} bits, and
 * everything else float; the sensitivity is the mean squared difference between its outputs and the all-float outputs
 * over the representative batches. The thresholds come from one analysis per candidate width with every activation at
 * that width: an activation's statistics come from the float model, so its thresholds at a width do not depend on
 * the other values' widths.
 */
public final class ActivationSensitivity {
    private ActivationSensitivity() {
    }

    /**
     * One quantized activation: the node whose output it quantizes (or the model input), and {@code errors[i]} for
     * {@code bits[i]}.
     */
    public record Value(String value, int[] bits, double[] errors) {
    }

    /**
     * The sensitivity of every quantized activation of {@code model} analysed under {@code platform}, {@code config}
     * and {@code rules} (as {@link Ptq#analyze}), at every width of {@code bits}, in the model's order (inputs first);
     * with no {@code bits}, at the candidate widths its target platform declares for each activation.
     *
     * @throws IllegalArgumentException without data or candidates, or when shift-negative correction makes graphs
     *     that differ between widths
     */
    public static List<Value> measure(Module model, List<Tensor> batches, TargetPlatform platform, PtqConfig config,
            QuantizationRules rules, int... bits) {
        return measure(model, batches, platform, config, rules, SensitivityProgress.NONE, bits);
    }

    /**
     * {@link #measure(Module, List, TargetPlatform, PtqConfig, QuantizationRules, int...)}, telling {@code progress}
     * after every run.
     */
    public static List<Value> measure(Module model, List<Tensor> batches, TargetPlatform platform, PtqConfig config,
            QuantizationRules rules, SensitivityProgress progress, int... bits) {
        Objects.requireNonNull(rules, "rules");
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a sensitivity needs at least one representative batch");
        }
        return measure(Ptq.analyze(model, batches, platform, config, rules), model, batches, platform, config, rules,
                progress, bits);
    }

    /**
     * {@link #measure(Module, List, TargetPlatform, PtqConfig, QuantizationRules, SensitivityProgress, int...)} with
     * {@code asIs}, the analysis of these arguments already made: its statistics pass is not made again, nor the one
     * at a width every value already has.
     */
    public static List<Value> measure(QuantizationPlan asIs, Module model, List<Tensor> batches,
            TargetPlatform platform, PtqConfig config, QuantizationRules rules, SensitivityProgress progress,
            int... bits) {
        Objects.requireNonNull(rules, "rules");
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a sensitivity needs at least one representative batch");
        }
        Map<String, int[]> candidates = new LinkedHashMap<>();
        for (NodePlan n : quantizedValues(asIs)) {
            int[] c = bits.length > 0 ? bits.clone()
                    : n.quantization().activation().candidateBits().stream().mapToInt(Integer::intValue).toArray();
            if (c.length == 0) {
                throw new IllegalArgumentException("value " + n.ref() + ": the target platform declares no "
                        + "mixed-precision candidate widths for its activation; give the candidates "
                        + "(activation_candidate_bits)");
            }
            candidates.put(n.ref().name(), c);
        }
        // One analysis per width any value may take: a value's thresholds at a width come from the analysis at it.
        Map<Integer, QuantizationPlan> plans = new LinkedHashMap<>();
        candidates.values().stream().flatMapToInt(java.util.Arrays::stream).distinct().forEach(b -> plans.put(b,
                quantizedValues(asIs).stream().allMatch(n -> n.quantization().activation().bits() == b) ? asIs
                        : Ptq.analyze(model, batches, platform, config, atWidth(rules, b))));
        List<String> values = List.copyOf(candidates.keySet());
        plans.forEach((b, plan) -> {
            if (!quantizedValues(plan).stream().map(n -> n.ref().name()).toList().equals(values)) {
                throw new IllegalArgumentException("shift-negative correction quantizes other values at " + b
                        + " bits than at the config's widths, so activation widths cannot be chosen one value at a "
                        + "time; turn shift_negative_correction off for an activation or total memory budget");
            }
        });
        List<float[]> reference = SensitivityRuns.outputs(asIs.build(new Only(null)), batches);
        int total = candidates.values().stream().mapToInt(c -> c.length).sum();
        int done = 0;
        List<Value> out = new ArrayList<>();
        for (Map.Entry<String, int[]> value : candidates.entrySet()) {
            int[] widths = value.getValue();
            double[] errors = new double[widths.length];
            for (int i = 0; i < widths.length; i++) {
                GraphModel one = plans.get(widths[i]).build(new Only(value.getKey()));
                errors[i] = SensitivityRuns.meanSquaredDifference(reference, SensitivityRuns.outputs(one, batches));
                progress.measured("activations", ++done, total);
            }
            out.add(new Value(value.getKey(), widths, errors));
        }
        return out;
    }

    /** {@code rules} with every quantized activation at {@code bits}. */
    private static QuantizationRules atWidth(QuantizationRules rules, int bits) {
        return new QuantizationRules() {
            @Override
            public OpQuantization resolve(NodeRef node, OpQuantization op) {
                OpQuantization out = rules.resolve(node, op);
                ActivationQuantization a = out.activation();
                return a == null ? out
                        : out.withActivation(a.withBits(bits));
            }

            @Override
            public void validate(List<NodeRef> nodes) {
                rules.validate(nodes);
            }
        };
    }

    private static List<NodePlan> quantizedValues(QuantizationPlan plan) {
        return Stream.concat(plan.inputs().stream(), plan.nodes().stream()).filter(NodePlan::quantizesActivation)
                .toList();
    }

    /** Quantizes the activation of {@code value} alone (none: nothing); every other quantizer passes values through. */
    private record Only(String value) implements QuantizerSource {
        @Override
        public FakeQuantizer weights(NodePlan n) {
            return new SensitivityRuns.PassThrough(QuantizationTarget.WEIGHTS);
        }

        @Override
        public FakeQuantizer activation(NodePlan n) {
            return n.ref().name().equals(value) ? new InferableQuantizerSource().activation(n)
                    : new SensitivityRuns.PassThrough(QuantizationTarget.ACTIVATION);
        }
    }
}
