package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.QuantizationRules;
import io.jqi.ptq.TargetPlatform;
import io.jqi.ptq.WeightSensitivity;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mixed-precision weights under a memory budget, a bit-operations budget or both: every quantized kernel gets one of
 * the candidate widths so that the model fits the budgets and the summed sensitivity ({@link WeightSensitivity}) is
 * least, chosen exactly by an integer
 * program ({@link BitAllocation}). A QAT config with mixed-precision settings has {@code Qat.init} run it; by hand,
 * the plan feeds QAT through layer rules:
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
     * within the budgets and with the candidates of {@code settings}.
     */
    public static MixedPrecisionPlan search(Module model, Iterable<Tensor> data, QuantizationRules rules, PtqConfig ptq,
            TargetPlatform platform, MixedPrecisionSettings settings) {
        // Read once: the analysis and the measurement both pass over the batches, and an Iterable may be one-shot.
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        QuantizationPlan plan = Ptq.analyze(model, batches, platform, ptq, rules);
        List<WeightSensitivity.Layer> layers = WeightSensitivity.measure(plan, batches, ptq, settings.candidates());
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no quantized kernel, so there are no weight bits to "
                    + "choose");
        }
        long weights = layers.stream().mapToLong(WeightSensitivity.Layer::weights).sum();
        long macs = layers.stream().mapToLong(WeightSensitivity.Layer::macs).sum();
        Long budgetBits = settings.weightsMemory() == null ? null : settings.weightsMemory().bits(weights);
        Long bitOpsBudget = settings.bitOps() == null ? null : settings.bitOps().bitOps(macs);
        int[] chosen = BitAllocation.solve(layers, budgetBits, bitOpsBudget);
        Map<String, Integer> bits = new LinkedHashMap<>();
        long used = 0;
        long usedBitOps = 0;
        for (int l = 0; l < layers.size(); l++) {
            WeightSensitivity.Layer layer = layers.get(l);
            bits.put(layer.layer(), layer.bits()[chosen[l]]);
            used += layer.weights() * layer.bits()[chosen[l]];
            usedBitOps += layer.bitOps(chosen[l]);
        }
        return new MixedPrecisionPlan(bits, budgetBits, used, bitOpsBudget, usedBitOps, layers);
    }
}
