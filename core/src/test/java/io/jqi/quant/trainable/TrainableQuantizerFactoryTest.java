package io.jqi.quant.trainable;

import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.examples.AbsMeanWeightQuantizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainableQuantizerFactoryTest {
    private final TrainableQuantizerActivationConfig activation = TrainableQuantizerActivationConfig.of(SYMMETRIC, 8,
            QuantizationParams.threshold(1f, true));
    private final TrainableQuantizerWeightsConfig weights = TrainableQuantizerWeightsConfig.perChannel(SYMMETRIC, 8,
            new float[] {1f}, 0);

    private static boolean thresholdTrains(TrainableQuantizer q) {
        q.initializeQuantization(null, "out", new MapHost());
        return q.quantizerVariable("out").requiresGrad();
    }

    @Test
    void overridesReachTheConstructorByName() {
        TrainableQuantizer frozen = TrainableQuantizerFactory.create(STESymmetricActivationTrainableQuantizer.class,
                activation, Map.of("freeze_quant_params", true));
        assertFalse(thresholdTrains(frozen));
        TrainableQuantizer fromText = TrainableQuantizerFactory.create(STESymmetricActivationTrainableQuantizer.class,
                activation, Map.of("freeze_quant_params", "true", "input_gradient", "clipped"));
        assertFalse(thresholdTrains(fromText));
        assertTrue(thresholdTrains(TrainableQuantizerFactory.create(STESymmetricActivationTrainableQuantizer.class,
                activation)));
    }

    @Test
    void anUnknownOverrideIsAnErrorListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainableQuantizerFactory.create(STESymmetricActivationTrainableQuantizer.class, activation,
                        Map.of("freeze_quant_param", true)));
        assertEquals("Unknown parameter override [freeze_quant_param] for STESymmetricActivationTrainableQuantizer; "
                + "it takes [freeze_quant_params, input_gradient]", e.getMessage());
    }

    @Test
    void lsqDoesNotAcceptFreezeQuantParamsAsInTheReference() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainableQuantizerFactory.create(LSQSymmetricActivationTrainableQuantizer.class, activation,
                        Map.of("freeze_quant_params", true)));
        assertTrue(e.getMessage().contains("it takes [gradient_scale]"), e.getMessage());
    }

    @Test
    void aBadOptionValueNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainableQuantizerFactory.create(LSQWeightQATQuantizer.class, weights,
                        Map.of("gradient_scale", "paperish")));
        assertEquals("Option 'gradient_scale' must be one of [MCT, PAPER], got paperish", e.getMessage());
    }

    @Test
    void aClassWithoutAnOptionsConstructorTakesNoOverrides() {
        assertEquals(AbsMeanWeightQuantizer.class,
                TrainableQuantizerFactory.create(AbsMeanWeightQuantizer.class, weights).getClass());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainableQuantizerFactory.create(AbsMeanWeightQuantizer.class, weights, Map.of("x", 1)));
        assertEquals("AbsMeanWeightQuantizer takes no parameter overrides, got [x]", e.getMessage());
    }

    @Test
    void theConfigMustBeOfTheQuantizersTarget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainableQuantizerFactory.create(STEWeightQATQuantizer.class, activation));
        assertEquals("Expected weight quantization configuration; received activation quantization instead.",
                e.getMessage());
    }
}
