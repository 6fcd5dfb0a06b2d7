package io.jqi.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Shape;
import org.junit.jupiter.api.Test;

class QuantizerSpecTest {

    @Test
    void symmetricGridsUseSignedOrUnsignedIntegersAndUniformOnesUnsigned() {
        assertEquals(new IntegerRange(-8f, 7f), QuantizerSpec.weights(QuantizationMethod.SYMMETRIC, 4, 0).integers());
        assertEquals(new IntegerRange(0f, 15f),
                QuantizerSpec.activations(QuantizationMethod.POWER_OF_TWO, 4, false).integers());
        assertEquals(new IntegerRange(0f, 255f), QuantizerSpec.weights(QuantizationMethod.UNIFORM, 8, 1).integers());
    }

    @Test
    void aUniformGridHasNoSignOfItsOwn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QuantizerSpec(
                QuantizationTarget.WEIGHTS, QuantizationMethod.UNIFORM, 8, true, null, RoundingMode.HALF_EVEN));
        assertTrue(e.getMessage().contains("UNIFORM"), e.getMessage());
    }

    @Test
    void bitsOutsideOneToSixteenAreRejectedWithTheConfigKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerSpec.weights(QuantizationMethod.SYMMETRIC, 17, null));
        assertTrue(e.getMessage().startsWith("num_bits must be between 1 and 16"), e.getMessage());
    }

    @Test
    void aPerChannelLayoutWrapsTheChannelAxisNegativeAxesIncluded() {
        QuantizerSpec spec = QuantizerSpec.weights(QuantizationMethod.SYMMETRIC, 8, -1);
        assertEquals(new ChannelLayout(6, 4, 1), spec.layout(Shape.of(2, 3, 4), 4, "q"));
        assertEquals(ChannelLayout.perTensor(24),
                QuantizerSpec.activations(QuantizationMethod.SYMMETRIC, 8, true).layout(Shape.of(2, 3, 4), 1, "q"));
    }

    @Test
    void anInputWithTheWrongChannelCountOrNoSuchAxisIsNamed() {
        QuantizerSpec spec = QuantizerSpec.weights(QuantizationMethod.SYMMETRIC, 8, 1);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> spec.layout(Shape.of(2, 3), 4, "Mine"));
        assertEquals("Mine has 4 per-channel parameters but the input has 3 channels on axis 1 (shape [2, 3])",
                count.getMessage());
        IllegalArgumentException axis = assertThrows(IllegalArgumentException.class,
                () -> spec.layout(Shape.of(5), 5, "Mine"));
        assertEquals("Mine quantizes per channel on axis 1, which does not exist in an input of shape [5]",
                axis.getMessage());
    }
}
