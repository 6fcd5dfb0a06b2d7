package io.jqi.quant.wrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import org.junit.jupiter.api.Test;

class NodeQuantizationDispatcherTest {
    private final WeightsSymmetricInferableQuantizer kernel = WeightsSymmetricInferableQuantizer.perTensor(8, 1f);
    private final ActivationPOTInferableQuantizer output = ActivationPOTInferableQuantizer.of(8, 4f, false);

    @Test
    void holdsAWeightQuantizerPerAttributeAndOneActivationQuantizer() {
        NodeQuantizationDispatcher d = new NodeQuantizationDispatcher().weight("weight", kernel).activation(output);
        assertEquals(kernel, d.weightQuantizers().get("weight"));
        assertEquals(output, d.activationQuantizer().orElseThrow());
        assertTrue(d.isWeightsQuantization());
        assertTrue(d.isActivationQuantization());
    }

    @Test
    void anEmptyDispatcherQuantizesNothing() {
        NodeQuantizationDispatcher d = new NodeQuantizationDispatcher();
        assertFalse(d.isWeightsQuantization());
        assertFalse(d.isActivationQuantization());
    }

    @Test
    void quantizersMustTargetWhatTheyAreUsedFor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeQuantizationDispatcher().weight("weight", output));
        assertEquals("The weight attribute 'weight' needs a WEIGHTS quantizer, but ActivationPOTInferableQuantizer "
                + "quantizes ACTIVATION", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NodeQuantizationDispatcher().activation(kernel));
    }

    @Test
    void anAttributeOrTheActivationCannotBeQuantizedTwice() {
        assertThrows(IllegalArgumentException.class,
                () -> new NodeQuantizationDispatcher().weight("weight", kernel).weight("weight", kernel));
        assertThrows(IllegalArgumentException.class,
                () -> new NodeQuantizationDispatcher().activation(output).activation(output));
    }
}
