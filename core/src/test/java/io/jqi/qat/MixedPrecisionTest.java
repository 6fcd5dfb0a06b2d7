package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.ptq.TargetPlatform;
import io.jqi.ptq.WeightSensitivity;
import io.jqi.qat.mixed.MixedPrecision;
import io.jqi.qat.mixed.MixedPrecisionPlan;
import io.jqi.qat.mixed.WeightsMemoryBudget;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.wrap.QuantizationWrapper;
import org.junit.jupiter.api.Test;

/**
 * The mixed-precision search on the trained CNN of {@link QatFlowTest}: sensitivities, the budget, QAT at the bits
 * (the calls of docs/qat-config.md#mixed-precision-under-a-weights-memory-budget).
 */
class MixedPrecisionTest {
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();

    @Test
    void narrowerWeightsMoveTheOutputsMoreInEveryLayer() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PLATFORM, WeightsMemoryBudget.relativeTo8Bits(1), 2, 4, 8);
        assertEquals(3, mp.layers().size(), "two convolutions and the dense layer");
        for (WeightSensitivity.Layer l : mp.layers()) {
            assertTrue(l.errors()[0] > l.errors()[1] && l.errors()[1] > l.errors()[2], l.layer() + ": "
                    + java.util.Arrays.toString(l.errors()));
        }
    }

    /** The check: the memory the plan reports is the finalized model's, recomputed from its quantizers. */
    @Test
    void qatTrainsAtTheChosenBitsAndTheFinalizedKernelsFitTheBudgetAsReported() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PLATFORM, WeightsMemoryBudget.relativeTo8Bits(0.5), 2, 4, 8);

        GraphModel finalized = Qat.finalize(Qat.init(task.model(), task.representative(), mp.applyTo(
                QatConfig.defaults()), PLATFORM));

        long used = 0;
        int kernels = 0;
        for (var entry : finalized.namedModules().entrySet()) {
            if (entry.getValue() instanceof QuantizationWrapper wrapper) {
                FakeQuantizer q = wrapper.weightQuantizers().get("weight");
                int bits = ((InferableQuantizer) q).spec().bits();
                String layer = entry.getKey();
                assertEquals(mp.bits().get(layer), bits, layer);
                used += (long) wrapper.layer().parameters().get(0).numel() * bits;
                kernels++;
            }
        }
        assertEquals(3, kernels);
        assertEquals(mp.usedBits(), used);
        assertTrue(used <= mp.budgetBits(), mp.toString());
        assertTrue(mp.bits().containsValue(8) || mp.bits().containsValue(4), "not everything at the narrowest: " + mp);
    }
}
