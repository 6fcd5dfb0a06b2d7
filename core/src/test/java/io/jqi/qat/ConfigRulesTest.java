package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.ptq.NodeRef;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.Signedness;
import io.jqi.ptq.TargetPlatform;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.TrainingMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The rules every QAT config obeys, however it is written: the settings records reject choices that would have no
 * effect, and the Java builder (which the Kotlin DSL fills) takes each block and option once, naming the block.
 */
class ConfigRulesTest {
    private static String message(Executable make) {
        return assertThrows(IllegalArgumentException.class, make).getMessage();
    }

    private static WeightsSettings weights(String training, QuantizationMethod method, Integer bits,
            Boolean perChannel, Integer axis, Boolean enabled, Map<String, String> overrides) {
        return new WeightsSettings(training, method, bits, perChannel, axis, enabled, overrides);
    }

    @Test
    void disabledWeightsWithAGridAreRejected() {
        assertEquals("Disabled weights stay float, so the 8-bit SYMMETRIC grid has no effect; remove one of the two",
                message(() -> weights(null, QuantizationMethod.SYMMETRIC, 8, null, null, false, Map.of())));
    }

    @Test
    void disabledWeightsWithOnlyABitWidthAreRejected() {
        assertEquals("Disabled weights stay float, so the bit width 4 has no effect; remove one of the two",
                message(() -> weights(null, null, 4, null, null, false, Map.of())));
    }

    @Test
    void disabledWeightsListEverySettingThatWouldHaveNoEffect() {
        assertEquals("Disabled weights stay float, so the 4-bit UNIFORM grid, per-channel quantization, channel axis "
                + "1, the training method LSQ and the parameter overrides a, b have no effect; remove disabled or "
                + "those settings", message(() -> weights(TrainingMethod.LSQ, QuantizationMethod.UNIFORM, 4, true, 1,
                        false, Map.of("b", "2", "a", "1"))));
    }

    @Test
    void disabledActivationsWithASignednessAreRejected() {
        assertEquals("Disabled activations stay float, so signedness UNSIGNED has no effect; remove one of the two",
                message(() -> new ActivationsSettings(null, null, null, Signedness.UNSIGNED, false, Map.of())));
    }

    @Test
    void disabledActivationsWithATrainingMethodAreRejected() {
        assertEquals("Disabled activations stay float, so the training method STE has no effect; remove one of the "
                + "two", message(() -> new ActivationsSettings(TrainingMethod.STE, null, null, null, false, Map.of())));
    }

    @Test
    void disabledSettingsAloneAreAccepted() {
        assertDoesNotThrow(() -> weights(null, null, null, null, null, false, Map.of()));
        assertDoesNotThrow(() -> new ActivationsSettings(null, null, null, null, false, Map.of()));
    }

    @Test
    void aDisabledRuleKeepsTheKernelAndOutputFloat() {
        QatConfig config = QatConfig.builder()
                .weights(w -> w.symmetric(4))
                .layer("classifier", l -> l.weights(w -> w.disabled()).activations(a -> a.disabled()))
                .build();
        NodeRef classifier = new NodeRef("classifier", "classifier", "Dense");

        var resolved = config.resolve(classifier, TargetPlatform.defaultPlatform().forOp("Dense"));
        assertNull(resolved.weights());
        assertNull(resolved.activation());
    }

    @Test
    void perTensorWeightsWithAChannelAxisAreRejected() {
        assertEquals("Per-tensor weights have no channel axis, so channel axis 2 has no effect; remove one of the two",
                message(() -> weights(null, QuantizationMethod.SYMMETRIC, 8, false, 2, null, Map.of())));
    }

    @Test
    void aChannelAxisIsAcceptedPerChannelOrWithTheGranularityInherited() {
        assertDoesNotThrow(() -> weights(null, null, null, true, 1, null, Map.of()));
        assertDoesNotThrow(() -> weights(null, null, null, null, 1, null, Map.of()));
    }

    @Test
    void aSkippingRuleWithATrainingMethodIsRejected() {
        WeightsSettings lsq = weights(TrainingMethod.LSQ, null, null, null, null, null, Map.of());
        assertEquals("Layer rule 'stem' both skips the layer and sets how it is quantized; keep one",
                message(() -> new LayerRule("stem", true, lsq, null)));
    }

    @Test
    void aSkippingRuleWithAParameterOverrideIsRejected() {
        ActivationsSettings frozen = new ActivationsSettings(null, null, null, null, null,
                Map.of("freeze_quant_params", "true"));
        assertEquals("Layer rule 'stem' both skips the layer and sets how it is quantized; keep one",
                message(() -> new LayerRule("stem", true, null, frozen)));
    }

    @Test
    void theBuilderRejectsASecondGrid() {
        assertEquals("weights: the grid is given twice; give one of powerOfTwo, symmetric or uniform",
                message(() -> QatConfig.builder().weights(w -> w.symmetric(4).uniform(8))));
    }

    @Test
    void theBuilderRejectsASecondWeightsBlock() {
        assertEquals("the weights block is given twice; put its settings in one block",
                message(() -> QatConfig.builder().weights(w -> w.symmetric(4)).weights(w -> w.perChannel())));
    }

    @Test
    void theBuilderRejectsASecondActivationsBlockInOneLayerRule() {
        assertEquals("layer 'head': the activations block is given twice; put its settings in one block",
                message(() -> QatConfig.builder().layer("head", l -> l.activations(a -> a.uniform(8))
                        .activations(a -> a.signedness(Signedness.SIGNED)))));
    }

    @Test
    void theBuilderTakesTheSameSelectorInSeveralRules() {
        assertDoesNotThrow(() -> QatConfig.builder()
                .layer("head", l -> l.weights(w -> w.symmetric(4)))
                .layer("head", l -> l.weights(w -> w.symmetric(8)))
                .build());
    }

    @Test
    void theBuilderRejectsASecondPtqConfig() {
        assertEquals("the ptq block is given twice; put its settings in one block",
                message(() -> QatConfig.builder().ptq(PtqConfig.defaults()).ptq(PtqConfig.defaults())));
    }

    @Test
    void theBuilderRejectsASecondTrainingMethod() {
        assertEquals("activations: the training method is given twice; give one",
                message(() -> QatConfig.builder().activations(a -> a.training("LSQ").training("STE"))));
    }

    @Test
    void theBuilderRejectsPerTensorAfterPerChannel() {
        assertEquals("weights: per-channel or per-tensor is given twice; give one of perChannel or perTensor",
                message(() -> QatConfig.builder().weights(w -> w.perChannel(1).perTensor())));
    }

    @Test
    void theBuilderRejectsASecondSignedness() {
        assertEquals("activations: the signedness is given twice; give one", message(() -> QatConfig.builder()
                .activations(a -> a.signedness(Signedness.SIGNED).signedness(Signedness.SIGNED))));
    }

    @Test
    void theBuilderRejectsDisabledTwice() {
        assertEquals("weights: disabled is given twice; give it once",
                message(() -> QatConfig.builder().weights(w -> w.disabled().disabled())));
    }

    @Test
    void theBuilderRejectsTheSameOverrideTwiceButTakesDifferentOnes() {
        assertEquals("weights: the override 'gradient_scale' is given twice; give it once",
                message(() -> QatConfig.builder().weights(w -> w.override("gradient_scale", "PAPER")
                        .override("gradient_scale", "MCT"))));
        assertDoesNotThrow(() -> QatConfig.builder().weights(w -> w.override("a", 1).override("b", 2)));
    }

    @Test
    void theBuilderNamesTheBlockOfARecordRuleItBreaks() {
        assertEquals("layer 'head' weights: Disabled weights stay float, so the 8-bit SYMMETRIC grid has no effect; "
                + "remove one of the two", message(() -> QatConfig.builder()
                        .layer("head", l -> l.weights(w -> w.symmetric(8).disabled()))));
    }
}
