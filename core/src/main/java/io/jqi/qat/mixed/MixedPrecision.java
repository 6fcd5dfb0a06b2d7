package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import io.jqi.ptq.ActivationSensitivity;
import io.jqi.ptq.InferableQuantizerSource;
import io.jqi.ptq.NodePlan;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.QuantizationRules;
import io.jqi.ptq.SensitivityProgress;
import io.jqi.ptq.TargetPlatform;
import io.jqi.ptq.WeightSensitivity;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mixed precision under resource budgets: every quantized kernel and, under an activation or total memory budget,
 * every quantized activation gets one of the candidate widths so that the model fits the budgets (weights memory,
 * activation memory, both together, bit operations) and the summed sensitivity ({@link WeightSensitivity},
 * {@link ActivationSensitivity}) is least, chosen exactly by an integer program ({@link BitAllocation}). A QAT config
 * with mixed-precision settings has {@code Qat.init} run it; by hand, the plan feeds QAT through layer rules
 * ({@code config.withWidths(mp.bits(), mp.activationBits(), registry)} when activations are chosen too):
 *
 * <pre>{@code
 * MixedPrecisionPlan mp = MixedPrecision.search(model, data, config, config.ptq(), platform,
 *         WeightsMemoryBudget.relativeTo8Bits(0.5), 2, 4, 8);
 * GraphModel qat = Qat.init(model, data, config.withWeightBits(mp.bits()), platform);
 * }</pre>
 */
public final class MixedPrecision {
    private MixedPrecision() {
    }

    /**
     * Analyses {@code model} under {@code rules} (a QAT config), {@code ptq} and {@code platform} (as {@code Qat.init}
     * will), measures every quantized kernel's sensitivity at each of {@code candidates} bits (none given: the
     * platform's candidates for that kernel), and picks the widths.
     *
     * @throws IllegalArgumentException when the budget is below what the narrowest candidates need, or the model has
     *     no quantized kernel
     */
    public static MixedPrecisionPlan search(Module model, Iterable<Tensor> data, QuantizationRules rules, PtqConfig ptq,
            TargetPlatform platform, WeightsMemoryBudget budget, int... candidates) {
        return search(model, data, rules, ptq, platform, new MixedPrecisionSettings(budget, null,
                java.util.Arrays.stream(candidates).boxed().toList()));
    }

    /**
     * {@link #search(Module, Iterable, QuantizationRules, PtqConfig, TargetPlatform, WeightsMemoryBudget, int...)}
     * within the budgets and with the candidates of {@code settings}: the kernels' widths when it has a weights memory,
     * total memory or bit-operations budget, the activations' widths ({@link ActivationSensitivity}) when it has an
     * activation memory or total memory budget.
     *
     * @throws IllegalArgumentException when a budget is below what the narrowest candidates need, or the model has no
     *     quantized kernel (or activation) to choose a width for
     */
    public static MixedPrecisionPlan search(Module model, Iterable<Tensor> data, QuantizationRules rules, PtqConfig ptq,
            TargetPlatform platform, MixedPrecisionSettings settings) {
        return search(model, data, rules, ptq, platform, settings, SensitivityProgress.NONE);
    }

    /**
     * {@link #search(Module, Iterable, QuantizationRules, PtqConfig, TargetPlatform, MixedPrecisionSettings)}, telling
     * {@code progress} after every run of the sensitivity measurements, which take most of its time.
     */
    public static MixedPrecisionPlan search(Module model, Iterable<Tensor> data, QuantizationRules rules, PtqConfig ptq,
            TargetPlatform platform, MixedPrecisionSettings settings, SensitivityProgress progress) {
        // Read once: the analysis and the measurement both pass over the batches, and an Iterable may be one-shot.
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        QuantizationPlan plan = Ptq.analyze(model, batches, platform, ptq, rules);
        List<WeightSensitivity.Layer> layers = settings.choosesWeights()
                ? WeightSensitivity.measure(plan, batches, ptq, progress, settings.candidates()) : List.of();
        if (settings.choosesWeights() && layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no quantized kernel, so there are no weight bits to "
                    + "choose");
        }
        BitAllocation.Activations activations = settings.choosesActivations()
                ? activations(model, batches, platform, ptq, rules, plan, layers, settings.activationCandidates(),
                        progress)
                : BitAllocation.Activations.none(layers.size());
        long weights = layers.stream().mapToLong(WeightSensitivity.Layer::weights).sum();
        long macs = layers.stream().mapToLong(WeightSensitivity.Layer::macs).sum();
        long eightBitActivations = activations.tensors().heldBits(eights(activations.values().size()));
        BitAllocation.Budgets budgets = new BitAllocation.Budgets(
                settings.weightsMemory() == null ? null : settings.weightsMemory().bits(weights),
                settings.activationMemory() == null ? null : settings.activationMemory().bits(eightBitActivations),
                settings.totalMemory() == null ? null : settings.totalMemory().bits(8 * weights + eightBitActivations),
                settings.bitOps() == null ? null : settings.bitOps().bitOps(macs));
        BitAllocation.Choice choice = BitAllocation.solve(layers, activations, budgets);
        Map<String, Integer> bits = new LinkedHashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            bits.put(layers.get(l).layer(), layers.get(l).bits()[choice.kernels()[l]]);
        }
        Map<String, Integer> activationBits = new LinkedHashMap<>();
        for (int v = 0; v < activations.values().size(); v++) {
            ActivationSensitivity.Value value = activations.values().get(v);
            activationBits.put(value.value(), value.bits()[choice.activations()[v]]);
        }
        return new MixedPrecisionPlan(bits, activationBits, new MixedPrecisionPlan.Resources(budgets.weights(),
                choice.weightsBits(), budgets.activation(), choice.activationBits(), eightBitActivations,
                budgets.total(), budgets.bitOps(), choice.bitOps()), layers, activations.values());
    }

    /** The quantized activations of the plan's model, with their sensitivities, tensors and the kernels' inputs. */
    private static BitAllocation.Activations activations(Module model, List<Tensor> batches, TargetPlatform platform,
            PtqConfig ptq, QuantizationRules rules, QuantizationPlan plan, List<WeightSensitivity.Layer> layers,
            int[] candidates, SensitivityProgress progress) {
        ActivationTensors tensors = ActivationTensors.of(plan.build(new InferableQuantizerSource()), batches.get(0));
        if (tensors.values().isEmpty()) {
            throw new IllegalArgumentException("the model has no quantized activation, so there are no activation "
                    + "bits to choose");
        }
        Map<String, ActivationSensitivity.Value> measured = new LinkedHashMap<>();
        ActivationSensitivity.measure(plan, model, batches, platform, ptq, rules, progress, candidates)
                .forEach(v -> measured.put(v.value(), v));
        if (!measured.keySet().equals(new java.util.HashSet<>(tensors.values()))) {
            throw new IllegalStateException("the measured activations " + measured.keySet() + " are not the model's "
                    + "quantized values " + tensors.values());
        }
        List<ActivationSensitivity.Value> values = tensors.values().stream().map(measured::get).toList();
        int[] inputOf = new int[layers.size()];
        for (int l = 0; l < inputOf.length; l++) {
            NodePlan input = plan.inputActivation(layers.get(l).layer());
            inputOf[l] = input == null ? -1 : tensors.values().indexOf(input.ref().name());
        }
        return new BitAllocation.Activations(values, tensors, inputOf);
    }

    private static int[] eights(int n) {
        int[] bits = new int[n];
        java.util.Arrays.fill(bits, 8);
        return bits;
    }
}
