package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.TargetPlatform;
import io.jqi.ptq.WeightSensitivity;
import io.jqi.ptq.ActivationSensitivity;
import io.jqi.qat.mixed.ActivationMemory;
import io.jqi.qat.mixed.ActivationMemoryBudget;
import io.jqi.qat.mixed.BitOpsBudget;
import io.jqi.qat.mixed.MixedPrecision;
import io.jqi.qat.mixed.MixedPrecisionSettings;
import io.jqi.qat.mixed.TotalMemoryBudget;
import io.jqi.qat.mixed.MixedPrecisionPlan;
import io.jqi.qat.mixed.WeightsMemory;
import io.jqi.qat.mixed.WeightsMemoryBudget;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The mixed-precision search on the trained CNN of {@link QatFlowTest}: sensitivities, the budget, QAT at the bits
 * (the calls of docs/qat-config.md#mixed-precision-under-resource-budgets).
 */
class MixedPrecisionTest {
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();

    @Test
    void narrowerWeightsMoveTheOutputsMoreInEveryLayer() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, WeightsMemoryBudget.relativeTo8Bits(1), 2, 4, 8);
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
                PtqConfig.defaults(), PLATFORM, WeightsMemoryBudget.relativeTo8Bits(0.5), 2, 4, 8);

        GraphModel finalized = Qat.finalize(Qat.init(task.model(), task.representative(),
                QatConfig.defaults().withWeightBits(mp.bits()), PLATFORM));

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
        assertEquals(mp.resources().weights(), used);
        assertTrue(used <= mp.resources().weightsBudget(), mp.toString());
        WeightsMemory memory = WeightsMemory.of(finalized);
        assertEquals(new WeightsMemory(used, mp.eightBitBits(), mp.bits()), memory);
        assertTrue(memory.fits(WeightsMemoryBudget.relativeTo8Bits(0.5)));
        assertTrue(mp.bits().containsValue(8) || mp.bits().containsValue(4), "not everything at the narrowest: " + mp);
    }
    @Test
    void aConfigWithABudgetHasInitRunTheSearchAndTrainAtItsWidths() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        WeightsMemoryBudget budget = WeightsMemoryBudget.relativeTo8Bits(0.5);
        QatConfig config = QatConfig.builder().mixedPrecision(budget, 2, 4, 8).build();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, budget, 2, 4, 8);

        GraphModel qat = Qat.init(task.model(), task.representative(), config, PLATFORM);
        GraphModel byHand = Qat.init(task.model(), task.representative(),
                QatConfig.defaults().withWeightBits(mp.bits()), PLATFORM);
        Tensor x = task.representative().iterator().next();
        qat.eval();
        byHand.eval();
        assertArrayEquals(byHand.forward(x).toFloatArray(), qat.forward(x).toFloatArray());
        assertEquals(mp.bits(), WeightsMemory.of(Qat.finalize(qat)).bitsPerLayer());
        assertArrayEquals(byHand.forward(x).toFloatArray(),
                Qat.ptq(task.model(), task.representative(), config, PLATFORM).forward(x).toFloatArray(),
                "right after init, QAT equals PTQ at the same widths");
    }

    @Test
    void initFromAPlanCannotSearchAndSaysWhatToCall() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        QatConfig config = QatConfig.builder().mixedPrecision(WeightsMemoryBudget.relativeTo8Bits(0.5)).build();
        var plan = io.jqi.ptq.Ptq.analyze(task.model(), task.representative(), PLATFORM, config.ptq(), config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Qat.init(plan, config, io.jqi.quant.registry.QuantizerRegistry.global()));
        assertTrue(e.getMessage().contains("Qat.init(model, data, config, platform)"), e.getMessage());
    }
    @Test
    void withoutCandidatesEachKernelTakesItsPlatformsCandidates() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        TargetPlatform platform = PLATFORM.withOp("Dense", PLATFORM.forOp("Dense").withWeights(
                PLATFORM.forOp("Dense").weights().withCandidateBits(java.util.List.of(8, 6))));
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), platform, WeightsMemoryBudget.relativeTo8Bits(0.9));
        for (WeightSensitivity.Layer l : mp.layers()) {
            int[] expected = l.layer().equals("9") ? new int[] {8, 6} : new int[] {8, 4, 2};   // 9: the Dense layer
            assertArrayEquals(expected, l.bits(), l.layer());
        }
        assertTrue(mp.toString().contains("sensitivity at 6 bits"), mp.toString());
    }
    @Test
    void aBitOperationsBudgetIsMetAsCountedFromTheLayersMacsAndInputBits() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, new io.jqi.qat.mixed.MixedPrecisionSettings(null,
                        io.jqi.qat.mixed.BitOpsBudget.relativeTo8Bits(0.5), java.util.List.of(2, 4, 8)));
        // conv1: 8 channels of 8x8 outputs (8x8 bars, padding 1), each from a 1x3x3 kernel; 8-bit inputs.
        WeightSensitivity.Layer first = mp.layers().get(0);
        assertEquals(8L * 8 * 8 * 9, first.macs());
        assertEquals(8, first.inputBits());
        long used = 0;
        for (WeightSensitivity.Layer l : mp.layers()) {
            used += l.macs() * mp.bits().get(l.layer()) * l.inputBits();
        }
        assertEquals(mp.resources().bitOps(), used);
        assertTrue(used <= mp.resources().bitOpsBudget(), mp.toString());
        assertTrue(mp.toString().contains("bit operations"), mp.toString());
        assertEquals(null, mp.resources().weightsBudget(), "no weights memory budget");
    }

    @Test
    void narrowerActivationsMoveTheOutputsMoreForEveryValue() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, activationBudget(1));
        assertTrue(mp.layers().isEmpty(), "an activation memory budget leaves the kernels' widths to the config");
        assertTrue(mp.activations().size() >= 3, mp.toString());
        for (ActivationSensitivity.Value v : mp.activations()) {
            assertArrayEquals(new int[] {8, 4, 2}, v.bits(), "the default activation candidates");
            assertTrue(v.errors()[2] > v.errors()[1] && v.errors()[1] > v.errors()[0], v.value() + ": "
                    + java.util.Arrays.toString(v.errors()));
        }
    }

    /** The check for activations: the plan's memory is the finalized model's, recounted from its holders. */
    @Test
    void anActivationMemoryBudgetIsMetAsRecountedFromTheTrainedModel() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionSettings settings = activationBudget(0.6);
        QatConfig config = QatConfig.builder().mixedPrecision(settings).build();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, settings);

        GraphModel finalized = Qat.finalize(Qat.init(task.model(), task.representative(), config, PLATFORM));

        Tensor x = task.representative().iterator().next();
        ActivationMemory memory = ActivationMemory.of(finalized, x);
        assertEquals(mp.activationBits(), memory.bitsPerValue());
        assertEquals(mp.resources().activation(), memory.bits());
        assertEquals(mp.resources().eightBitActivation(), memory.eightBitBits());
        assertTrue(memory.bits() <= mp.resources().activationBudget(), mp.toString());
        assertEquals((long) Math.floor(0.6 * memory.eightBitBits()), mp.resources().activationBudget());
        assertTrue(mp.activationBits().containsValue(8) && mp.activationBits().values().stream().anyMatch(b -> b < 8),
                "some values narrowed, not all: " + mp);
    }

    @Test
    void aTotalMemoryBudgetChoosesKernelsAndActivationsTogether() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionSettings settings = new MixedPrecisionSettings(null, null, null,
                TotalMemoryBudget.relativeTo8Bits(0.5), java.util.List.of(2, 4, 8), java.util.List.of(4, 8));
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, settings);
        GraphModel finalized = Qat.finalize(Qat.init(task.model(), task.representative(),
                QatConfig.builder().mixedPrecision(settings).build(), PLATFORM));

        WeightsMemory weights = WeightsMemory.of(finalized);
        ActivationMemory activations = ActivationMemory.of(finalized, task.representative().iterator().next());
        assertEquals(mp.bits(), weights.bitsPerLayer());
        assertEquals(mp.activationBits(), activations.bitsPerValue());
        long total = weights.bits() + activations.bits();
        assertEquals(mp.resources().weights() + mp.resources().activation(), total);
        assertTrue(total <= (long) Math.floor(0.5 * (weights.eightBitBits() + activations.eightBitBits())),
                mp.toString());
        assertTrue(mp.toString().contains("total memory"), mp.toString());
    }

    @Test
    void aBitOperationsBudgetCountsTheChosenWidthsOfTheActivationsKernelsRead() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, new MixedPrecisionSettings(null, BitOpsBudget.relativeTo8Bits(0.3),
                        ActivationMemoryBudget.relativeTo8Bits(1), null, java.util.List.of(2, 4, 8), null));
        var plan = io.jqi.ptq.Ptq.analyze(task.model(), task.representative(), PLATFORM, PtqConfig.defaults(),
                QatConfig.defaults().withWidths(mp.bits(), mp.activationBits(),
                        io.jqi.quant.registry.QuantizerRegistry.global()));
        long used = 0;
        for (WeightSensitivity.Layer l : mp.layers()) {
            used += l.macs() * mp.bits().get(l.layer()) * plan.inputActivationBits(l.layer());
        }
        assertEquals(mp.resources().bitOps(), used, "recounted with the input widths the search chose");
        assertTrue(used <= mp.resources().bitOpsBudget(), mp.toString());
    }

    @Test
    void withoutActivationCandidatesEachValueTakesItsPlatformsOrTheSearchSaysWhatToGive() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        TargetPlatform noCandidates = PLATFORM.withOp("ReLU", PLATFORM.forOp("ReLU").withActivation(
                PLATFORM.forOp("ReLU").activation().withCandidateBits(java.util.List.of())));
        var e = assertThrows(IllegalArgumentException.class, () -> MixedPrecision.search(task.model(),
                task.representative(), QatConfig.defaults(), PtqConfig.defaults(), noCandidates,
                activationBudget(0.5)));
        assertTrue(e.getMessage().contains("activation_candidate_bits"), e.getMessage());

        TargetPlatform sixes = PLATFORM.withOp("ReLU", PLATFORM.forOp("ReLU").withActivation(
                PLATFORM.forOp("ReLU").activation().withCandidateBits(java.util.List.of(8, 6))));
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), sixes, activationBudget(0.9));
        assertTrue(mp.activations().stream().anyMatch(v -> java.util.Arrays.equals(v.bits(), new int[] {8, 6})),
                mp.toString());
        assertTrue(mp.activations().stream().anyMatch(v -> java.util.Arrays.equals(v.bits(), new int[] {8, 4, 2})),
                mp.toString());
    }

    @Test
    void theSearchTellsItsProgressAfterEverySensitivityRun() {
        QatFlowTest.Task task = QatFlowTest.cnn();
        java.util.List<String> told = new java.util.ArrayList<>();
        MixedPrecisionPlan mp = MixedPrecision.search(task.model(), task.representative(), QatConfig.defaults(),
                PtqConfig.defaults(), PLATFORM, new MixedPrecisionSettings(null, null, null,
                        TotalMemoryBudget.relativeTo8Bits(0.9), java.util.List.of(4, 8), java.util.List.of(4, 8)),
                (what, done, total) -> told.add(what + " " + done + "/" + total));
        int kernels = 2 * mp.layers().size();
        int activations = 2 * mp.activations().size();
        java.util.List<String> expected = new java.util.ArrayList<>();
        for (int i = 1; i <= kernels; i++) {
            expected.add("kernels " + i + "/" + kernels);
        }
        for (int i = 1; i <= activations; i++) {
            expected.add("activations " + i + "/" + activations);
        }
        assertEquals(expected, told);
    }

    @Test
    void anActivationsSensitivityAtAWidthIsTheSameWhateverWidthTheConfigGivesIt() {
        // At 8 bits the 8-bit config's own analysis is reused; under a 4-bit config the 8-bit thresholds come from a
        // fresh analysis. Statistics come from the float model, so both must give the same bits.
        QatFlowTest.Task task = QatFlowTest.cnn();
        QatConfig fourBits = QatConfig.builder().activations(a -> a.powerOfTwo(4)).build();
        java.util.List<Tensor> batches = new java.util.ArrayList<>();
        task.representative().forEach(batches::add);
        var eight = ActivationSensitivity.measure(task.model(), batches, PLATFORM, PtqConfig.defaults(),
                QatConfig.defaults(), 8, 4);
        var four = ActivationSensitivity.measure(task.model(), batches, PLATFORM, PtqConfig.defaults(), fourBits, 8, 4);
        assertEquals(eight.size(), four.size());
        for (int v = 0; v < eight.size(); v++) {
            assertArrayEquals(eight.get(v).errors(), four.get(v).errors(), eight.get(v).value());
        }
    }

    private static MixedPrecisionSettings activationBudget(double fraction) {
        return new MixedPrecisionSettings(null, null, ActivationMemoryBudget.relativeTo8Bits(fraction), null, null,
                null);
    }
}
