package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.ptq.NodeRef;
import io.jqi.ptq.OpQuantization;
import io.jqi.ptq.Signedness;
import io.jqi.ptq.TargetPlatform;
import io.jqi.ptq.WeightQuantization;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.TrainingMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java fluent builder and how a config's settings and rules change the platform, node by node. */
class QatConfigTest {
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();
    private static final NodeRef STEM = new NodeRef("stem_conv", "stem.conv", "Conv2D");
    private static final NodeRef CLASSIFIER = new NodeRef("classifier", "classifier", "Dense");
    private static final NodeRef RELU = new NodeRef("relu", "relu", "ReLU");

    private static OpQuantization resolve(QatConfig config, NodeRef node) {
        return config.resolve(node, PLATFORM.forOp(node.kind()));
    }

    @Test
    void theDefaultsTrainWithSteAndKeepThePlatformsGrids() {
        QatConfig config = QatConfig.defaults();

        assertEquals(PLATFORM.forOp("Conv2D"), resolve(config, STEM));
        assertEquals(TrainingMethod.STE, config.weightsTraining(STEM).identifier());
        assertEquals(TrainingMethod.STE, config.activationsTraining(RELU).identifier());
    }

    @Test
    void configLevelSettingsChangeEveryQuantizedKernelAndActivation() {
        QatConfig config = QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4).perTensor())
                .activations(a -> a.training(TrainingMethod.LSQ).uniform(6))
                .build();

        OpQuantization stem = resolve(config, STEM);
        assertEquals(new WeightQuantization(QuantizationMethod.SYMMETRIC, 4, false, 0, java.util.List.of(8, 4, 2)),
                stem.weights(), "the platform's mixed-precision candidates stay");
        assertEquals(QuantizationMethod.UNIFORM, stem.activation().method());
        assertEquals(6, resolve(config, RELU).activation().bits());
        assertEquals(TrainingMethod.LSQ, config.weightsTraining(STEM).identifier());
    }

    @Test
    void aLayerRuleByNameOverridesTheConfigForThatLayerOnly() {
        QatConfig config = QatConfig.builder()
                .weights(w -> w.symmetric(4))
                .layer("classifier", l -> l.weights(w -> w.uniform(8).training(TrainingMethod.LSQ)))
                .build();

        assertEquals(QuantizationMethod.UNIFORM, resolve(config, CLASSIFIER).weights().method());
        assertEquals(8, resolve(config, CLASSIFIER).weights().bits());
        assertTrue(resolve(config, CLASSIFIER).weights().perChannel(), "per-channel inherited from the platform");
        assertEquals(TrainingMethod.LSQ, config.weightsTraining(CLASSIFIER).identifier());
        assertEquals(4, resolve(config, STEM).weights().bits());
        assertEquals(TrainingMethod.STE, config.weightsTraining(STEM).identifier());
    }

    @Test
    void rulesMatchByDottedPathAndByOpKindAndTheLaterRuleWins() {
        QatConfig config = QatConfig.builder()
                .layer("Conv2D", l -> l.weights(w -> w.symmetric(2)))
                .layer("stem.conv", l -> l.weights(w -> w.symmetric(3)))
                .build();

        assertEquals(3, resolve(config, STEM).weights().bits());
        assertEquals(2, resolve(config, new NodeRef("body_conv", "body.conv", "Conv2D")).weights().bits());
    }

    @Test
    void theOutputSelectorMatchesOnlyTheNodesThatProduceModelOutputs() {
        QatConfig config = QatConfig.builder()
                .layer(LayerRule.OUTPUT, l -> l.activations(a -> a.symmetric(8)))
                .activations(a -> a.symmetric(4))
                .build();
        NodeRef logits = new NodeRef("classifier", "classifier", "Dense", true);

        assertEquals(8, resolve(config, logits).activation().bits());
        assertEquals(4, resolve(config, CLASSIFIER).activation().bits());
    }

    @Test
    void skipLeavesALayerEntirelyFloat() {
        QatConfig config = QatConfig.builder().skip("stem.conv").build();

        assertEquals(OpQuantization.none(), resolve(config, STEM));
    }

    @Test
    void aRuleCanQuantizeAnOutputThePlatformKeepsFloatGivenMethodAndBits() {
        QatConfig config = QatConfig.builder()
                .layer("flat", l -> l.activations(a -> a.symmetric(8).signedness(Signedness.SIGNED)))
                .build();

        OpQuantization flat = config.resolve(new NodeRef("flat", "flat", "Flatten"), PLATFORM.forOp("Flatten"));
        assertEquals(QuantizationMethod.SYMMETRIC, flat.activation().method());
        assertEquals(false, flat.preservesInputQuantization());
    }

    @Test
    void configLevelActivationSettingsNeverQuantizeWhatThePlatformPreserves() {
        QatConfig config = QatConfig.builder().activations(a -> a.uniform(8)).build();

        assertNull(config.resolve(new NodeRef("flat", "flat", "Flatten"), PLATFORM.forOp("Flatten")).activation());
    }

    @Test
    void weightsSettingsOnALayerWithoutKernelAreAnError() {
        QatConfig config = QatConfig.builder().layer("relu", l -> l.weights(w -> w.symmetric(4))).build();

        var e = assertThrows(IllegalArgumentException.class, () -> resolve(config, RELU));
        assertTrue(e.getMessage().contains("has no kernel to quantize"), e.getMessage());
    }

    @Test
    void aRuleThatMatchesNoNodeIsAnErrorListingTheNodes() {
        QatConfig config = QatConfig.builder().skip("clasifier").build();

        var e = assertThrows(IllegalArgumentException.class, () -> config.validate(List.of(STEM, CLASSIFIER)));
        assertTrue(e.getMessage().contains("'clasifier' matches no node"), e.getMessage());
        assertTrue(e.getMessage().contains("[stem.conv, classifier]"), e.getMessage());
    }

    @Test
    void anUnregisteredTrainingMethodFailsWhenTheConfigIsBuilt() {
        var e = assertThrows(IllegalArgumentException.class, () -> QatConfig.builder()
                .weights(w -> w.training("DQA").symmetric(8)).build());
        assertTrue(e.getMessage().contains("known identifiers"), e.getMessage());
    }

    @Test
    void lsqWithALutGridFailsWhenTheConfigIsBuiltNamingTheLsqQuantizers() {
        WeightsSettings lut = new WeightsSettings(TrainingMethod.LSQ, QuantizationMethod.LUT_POT, 4, null, null, null,
                Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> QatConfig.builder()
                .rule(new LayerRule("stem.conv", false, lut, null)).build());
        assertTrue(e.getMessage().contains("LSQWeightQATQuantizer"), e.getMessage());
    }

    @Test
    void parameterOverridesAreKeptAsTextAndLaterRulesAddToThem() {
        QatConfig config = QatConfig.builder()
                .activations(a -> a.override("freeze_quant_params", true))
                .layer("relu", l -> l.activations(a -> a.override("input_gradient", "CLIPPED")))
                .build();

        assertEquals(Map.of("freeze_quant_params", "true", "input_gradient", "CLIPPED"),
                config.activationsTraining(RELU).paramsOverride());
        assertEquals(Map.of("freeze_quant_params", "true"), config.activationsTraining(STEM).paramsOverride());
    }

    @Test
    void invalidBitsAreRejectedWhenTheConfigIsBuilt() {
        var e = assertThrows(IllegalArgumentException.class, () -> QatConfig.builder()
                .weights(w -> w.symmetric(0)).build());
        assertTrue(e.getMessage().contains("Weights bits must be between 1 and 16"), e.getMessage());
    }
}
