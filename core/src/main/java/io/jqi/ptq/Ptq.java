package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Post-training quantization (docs/quantizer-contract.md#ptq-essentials): folds batch norms, runs the
 * representative data through the float model to collect statistics, picks every threshold or range, corrects
 * biases, and returns a model with inferable quantizers. The float model is not changed.
 *
 * <pre>{@code
 * GraphModel quantized = Ptq.quantize(model, RepresentativeData.of(loader, 16), TargetPlatform.defaultPlatform(),
 *         PtqConfig.defaults());
 * }</pre>
 */
public final class Ptq {
    /**
     * Ops whose outputs have known bounds: their thresholds come from the bounds, not the data
     * (docs/quantizer-contract.md#threshold-selection).
     */
    private static final Map<String, float[]> OUTPUT_BOUNDS = Map.of(
            "Sigmoid", new float[] {0f, 1f}, "Softmax", new float[] {0f, 1f}, "CoercedSoftmax", new float[] {0f, 1f},
            "Tanh", new float[] {-1f, 1f});

    private Ptq() {
    }

    /** A quantized copy of {@code model}, as {@code platform} quantizes it. */
    public static GraphModel quantize(Module model, Iterable<Tensor> data, TargetPlatform platform, PtqConfig config) {
        return quantize(model, data, platform, config, QuantizationRules.NONE);
    }

    /** A quantized copy of {@code model}, with {@code rules} (such as a QAT config's) adjusting the platform. */
    public static GraphModel quantize(Module model, Iterable<Tensor> data, TargetPlatform platform, PtqConfig config,
            QuantizationRules rules) {
        return analyze(model, data, platform, config, rules).build(new InferableQuantizerSource());
    }

    /** The analysis alone: what each node gets and with which parameters, ready to {@link QuantizationPlan#build}. */
    public static QuantizationPlan analyze(Module model, Iterable<Tensor> data, TargetPlatform platform,
            PtqConfig config, QuantizationRules rules) {
        // Read once: shift-negative correction passes over the batches again, and an Iterable may be one-shot.
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        return analyze(Setup.of(model, platform, rules), config,
                pass -> pass.fold(() -> batches.stream().map(pass::summarize).iterator()));
    }

    /**
     * The statistics pass that {@link #analyze} with these arguments makes: for a data-parallel run, which gives
     * every worker its own pass (from its own copy of the model) to summarize the batches it holds.
     */
    public static StatisticsPass statisticsPass(Module model, TargetPlatform platform, PtqConfig config,
            QuantizationRules rules) {
        Setup setup = Setup.of(model, platform, rules);
        return new StatisticsPass(setup.graph, setup.ops, config);
    }

    /**
     * {@link #analyze} with the statistics folded from {@code summaries}, every batch's in batch order, made by
     * {@link #statisticsPass} with the same arguments: the same plan, bit for bit, as {@link #analyze} over those
     * batches. A shift-negative correction that changes the graph needs the second pass's summaries too
     * ({@link #fromSummaries(Module, PtqSummaries, TargetPlatform, PtqConfig, QuantizationRules)}); without them
     * it is refused with an error.
     */
    public static QuantizationPlan fromSummaries(Module model, List<BatchSummary> summaries, TargetPlatform platform,
            PtqConfig config, QuantizationRules rules) {
        return fromSummaries(model, new PtqSummaries(summaries, null), platform, config, rules);
    }

    /**
     * {@link #analyze} with the statistics of both passes folded from {@code summaries}: the first pass's from
     * {@link #statisticsPass}, the corrected graph's from {@link #correctedStatisticsPass}, made with the same
     * arguments. The same plan, bit for bit, as {@link #analyze} over those batches.
     */
    public static QuantizationPlan fromSummaries(Module model, PtqSummaries summaries, TargetPlatform platform,
            PtqConfig config, QuantizationRules rules) {
        int[] passes = {0};
        return analyze(Setup.of(model, platform, rules), config, pass -> {
            if (passes[0]++ == 0) {
                return pass.fold(summaries.first());
            }
            if (summaries.corrected() == null) {
                throw new IllegalArgumentException("Shift-negative correction changed the graph and needs a second "
                        + "pass over the data through it: give its batch summaries too "
                        + "(Ptq.correctedStatisticsPass), run Ptq.analyze over the batches, or turn "
                        + "shift_negative_correction off");
            }
            return pass.fold(summaries.corrected());
        });
    }

    /**
     * The statistics pass through the graph that shift-negative correction makes from the first pass's statistics
     * ({@code first}, every batch's summary in batch order): what a data-parallel run gives every worker for the
     * second pass. Null when the correction is off or changes nothing, so that no second pass is needed.
     */
    public static StatisticsPass correctedStatisticsPass(Module model, TargetPlatform platform, PtqConfig config,
            QuantizationRules rules, List<BatchSummary> first) {
        Setup setup = Setup.of(model, platform, rules);
        Map<String, ValueStatistics> stats = new StatisticsPass(setup.graph, setup.ops, config).fold(first);
        return shiftNegative(setup, config, stats).isEmpty() ? null
                : new StatisticsPass(setup.graph, setup.ops, config);
    }

    /** Both passes' summaries of {@code batches}, made here: what {@link #fromSummaries} folds. */
    public static PtqSummaries summaries(Module model, Iterable<Tensor> data, TargetPlatform platform,
            PtqConfig config, QuantizationRules rules) {
        // Read once: the corrected graph's pass goes over the batches again, and an Iterable may be one-shot.
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        StatisticsPass pass = statisticsPass(model, platform, config, rules);
        List<BatchSummary> first = new ArrayList<>();
        batches.forEach(b -> first.add(pass.summarize(b)));
        StatisticsPass corrected = correctedStatisticsPass(model, platform, config, rules, first);
        if (corrected == null) {
            return new PtqSummaries(first, null);
        }
        List<BatchSummary> second = new ArrayList<>();
        batches.forEach(b -> second.add(corrected.summarize(b)));
        return new PtqSummaries(first, second);
    }

    /** The flattened model with its batch norms folded, and what the platform and rules give each value. */
    private record Setup(FlatGraph graph, Map<String, NodeRef> refs, Map<String, OpQuantization> ops) {
        static Setup of(Module model, TargetPlatform platform, QuantizationRules rules) {
            FlatGraph graph = FlatGraph.of(model);
            BatchNormFolding.fold(graph);
            Map<String, NodeRef> refs = new LinkedHashMap<>();
            Map<String, OpQuantization> ops = new LinkedHashMap<>();
            for (String in : graph.inputs) {
                NodeRef ref = new NodeRef(in, in, TargetPlatform.INPUT);
                refs.put(in, ref);
                ops.put(in, rules.resolve(ref, platform.forOp(TargetPlatform.INPUT)));
            }
            for (FlatGraph.Node n : graph.nodes.values()) {
                NodeRef ref = new NodeRef(n.name, n.path, n.kind(), graph.outputs.contains(n.name));
                refs.put(n.name, ref);
                OpQuantization op = rules.resolve(ref, platform.forOp(n.kind()));
                if (op.weights() != null && !n.module.namedParameters().containsKey(op.kernelAttribute())) {
                    throw new IllegalArgumentException("Layer " + ref + " has no kernel parameter '"
                            + op.kernelAttribute() + "' to quantize; its parameters are "
                            + n.module.namedParameters().keySet());
                }
                ops.put(n.name, fused(graph, n, op, platform));
            }
            rules.validate(List.copyOf(refs.values()));
            return new Setup(graph, refs, ops);
        }
    }

    /**
     * The plan for {@code setup}, with {@code statistics} giving the statistics of a pass over the data: once, and
     * once more through the corrected graph when shift-negative correction changes it.
     */
    private static QuantizationPlan analyze(Setup setup, PtqConfig config,
            Function<StatisticsPass, Map<String, ValueStatistics>> statistics) {
        FlatGraph graph = setup.graph;
        Map<String, NodeRef> refs = setup.refs;
        Map<String, OpQuantization> ops = setup.ops;
        Map<String, ValueStatistics> stats = statistics.apply(new StatisticsPass(graph, ops, config));
        Map<String, Float> shiftThresholds = shiftNegative(setup, config, stats);
        if (!shiftThresholds.isEmpty()) {
            stats = statistics.apply(new StatisticsPass(graph, ops, config));
        }
        List<NodePlan> inputs = new ArrayList<>();
        for (String in : graph.inputs) {
            inputs.add(activationPlan(refs.get(in), ops.get(in), stats.get(in), config));
        }
        List<NodePlan> nodes = new ArrayList<>();
        InferableQuantizerSource inferable = new InferableQuantizerSource();
        for (FlatGraph.Node n : graph.nodes.values()) {
            NodePlan plan = activationPlan(refs.get(n.name), ops.get(n.name), stats.get(n.name), config);
            Float shifted = shiftThresholds.get(n.name);
            if (shifted != null) {   // the shift's grid keeps the non-linearity's threshold, unsigned
                plan = new NodePlan(plan.ref(), plan.quantization(), null, QuantizationParams.threshold(shifted, false));
            }
            WeightQuantization w = plan.quantization().weights();
            if (w != null) {
                Tensor kernel = n.module.namedParameters().get(plan.quantization().kernelAttribute());
                plan = new NodePlan(plan.ref(), plan.quantization(), weightParams(kernel, w, config, plan.ref()),
                        plan.activation());
                int axis = BiasCorrection.inputMeanAxis(n.module);
                if (config.weightsBiasCorrection() && axis >= 0) {
                    n.module = BiasCorrection.correct(n.module, inferable.weights(plan),
                            stats.get(n.inputs.get(0)).channelMean(axis));
                }
            }
            nodes.add(plan);
        }
        return new QuantizationPlan(graph, inputs, nodes);
    }

    /**
     * Shift-negative correction of {@code setup}'s graph from the first pass's statistics, when the config asks for
     * it: the shifted nodes and the thresholds their grids keep; empty when nothing changed.
     */
    private static Map<String, Float> shiftNegative(Setup setup, PtqConfig config, Map<String, ValueStatistics> stats) {
        Map<String, Float> shiftThresholds = new LinkedHashMap<>();
        if (config.shiftNegativeCorrection()) {
            for (ShiftNegativeCorrection.Shift s : ShiftNegativeCorrection.correct(setup.graph, setup.refs, setup.ops,
                    stats, name -> activationPlan(setup.refs.get(name), setup.ops.get(name), stats.get(name), config)
                            .activation().threshold()[0], config.shiftNegativeParamsSearch())) {
                shiftThresholds.put(s.node(), s.threshold());
            }
        }
        return shiftThresholds;
    }

    /** {@code op} without its output quantization when the platform runs the node fused with its only consumer. */
    private static OpQuantization fused(FlatGraph graph, FlatGraph.Node n, OpQuantization op, TargetPlatform platform) {
        if (op.activation() == null || graph.outputs.contains(n.name)) {
            return op;
        }
        List<FlatGraph.Node> consumers = graph.consumers(n.name);
        return consumers.size() == 1 && platform.fuses(n.kind(), consumers.get(0).kind()) ? op.withActivation(null)
                : op;
    }

    private static NodePlan activationPlan(NodeRef ref, OpQuantization op, ValueStatistics stats, PtqConfig config) {
        ActivationQuantization a = op.activation();
        if (a == null) {
            return new NodePlan(ref, op, null, null);
        }
        float[] bounds = OUTPUT_BOUNDS.get(ref.kind());
        Histogram h = stats.histogram();
        boolean signed = switch (a.signedness()) {
            case SIGNED -> true;
            case UNSIGNED -> false;
            case AUTO -> bounds != null ? bounds[0] < 0f : ActivationThresholds.isSigned(h);
        };
        QuantizationParams params;
        if (a.method() == QuantizationMethod.UNIFORM) {
            float[] r = bounds != null ? ActivationThresholds.noClippingRange(bounds[0], bounds[1])
                    : ActivationThresholds.range(h, config.activationErrorMethod(), a.bits(), config.lpValue());
            float[][] widened = nonEmpty(new float[] {r[0]}, new float[] {r[1]}, config);
            params = QuantizationParams.range(widened[0], widened[1]);
        } else {
            float t = bounds != null
                    ? ActivationThresholds.noClippingThreshold(bounds[0], bounds[1], a.method(), a.bits(), signed,
                            config.minThreshold())
                    : ActivationThresholds.threshold(h, a.method(), config.activationErrorMethod(), a.bits(), signed,
                            config.lpValue(), config.minThreshold());
            params = QuantizationParams.threshold(t, signed);
        }
        return new NodePlan(ref, op, null, params);
    }

    static QuantizationParams weightParams(Tensor kernel, WeightQuantization w, PtqConfig config,
            NodeRef ref) {
        if (w.perChannel() && w.channelAxis() >= kernel.rank()) {
            throw new IllegalArgumentException("Layer " + ref + ": channel axis " + w.channelAxis() + " is outside its "
                    + "kernel of shape " + kernel.shape());
        }
        if (w.method() == QuantizationMethod.UNIFORM) {
            float[][] r = WeightThresholds.range(kernel, config.weightsErrorMethod(), w.bits(), w.perChannel(),
                    w.channelAxis(), config.lpValue());
            float[][] widened = nonEmpty(r[0], r[1], config);
            return QuantizationParams.range(widened[0], widened[1]);
        }
        if (w.method() == QuantizationMethod.LUT_POT || w.method() == QuantizationMethod.LUT_SYMMETRIC) {
            LutWeights.Selection lut = LutWeights.select(kernel, w.method(), w.bits(), w.perChannel(), w.channelAxis(),
                    config.minThreshold(), WeightsLUTSymmetricInferableQuantizer.DEFAULT_LUT_VALUES_BITWIDTH,
                    WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS, LutWeights.DEFAULT_SEED);
            return QuantizationParams.lut(lut.levels(), lut.thresholds(), kernel.rank());
        }
        return QuantizationParams.threshold(WeightThresholds.threshold(kernel, w.method(), config.weightsErrorMethod(),
                w.bits(), w.perChannel(), w.channelAxis(), config.lpValue(), config.minThreshold()));
    }

    /**
     * Ranges with every empty channel (all its values zero, so the search returns [0, 0]) widened to
     * [0, minThreshold], which keeps zero exact: a pruned channel must not make the model unquantizable.
     */
    private static float[][] nonEmpty(float[] min, float[] max, PtqConfig config) {
        for (int c = 0; c < min.length; c++) {
            if (!(max[c] > min[c])) {
                max[c] = min[c] + config.minThreshold();
            }
        }
        return new float[][] {min, max};
    }
}
