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
 * Mixed-precision weights under a memory budget: every quantized kernel gets one of the candidate widths so that the
 * kernels fit the budget and the summed sensitivity ({@link WeightSensitivity}) is least, chosen exactly by an integer
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
        // Read once: the analysis and the measurement both pass over the batches, and an Iterable may be one-shot.
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        QuantizationPlan plan = Ptq.analyze(model, batches, platform, ptq, rules);
        List<WeightSensitivity.Layer> layers = WeightSensitivity.measure(plan, batches, ptq, candidates);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no quantized kernel, so there are no weight bits to "
                    + "choose");
        }
        long weights = layers.stream().mapToLong(WeightSensitivity.Layer::weights).sum();
        long budgetBits = budget.bits(weights);
        int[] chosen = BitAllocation.solve(layers, budgetBits);
        Map<String, Integer> bits = new LinkedHashMap<>();
        long used = 0;
        for (int l = 0; l < layers.size(); l++) {
            int b = layers.get(l).bits()[chosen[l]];
            bits.put(layers.get(l).layer(), b);
            used += layers.get(l).weights() * b;
        }
        return new MixedPrecisionPlan(bits, budgetBits, used, layers);
    }
}
