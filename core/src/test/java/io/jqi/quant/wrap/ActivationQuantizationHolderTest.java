package io.jqi.quant.wrap;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.STESymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationQuantizationHolderTest {

    private static STESymmetricActivationTrainableQuantizer ste() {
        return new STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig.of(POWER_OF_TWO, 8,
                QuantizationParams.threshold(4f, false)));
    }

    @Test
    void aSteHolderHasExactlyOneStateEntryItsThreshold() {
        ActivationQuantizationHolder holder = new ActivationQuantizationHolder(ste());
        assertEquals(java.util.Set.of(ActivationQuantizationHolder.QUANTIZER_NAME), holder.stateDict().keySet());
        assertEquals(1, holder.parameters().size());
    }

    @Test
    void theHolderQuantizesWhatFlowsThroughAndConvertsWithoutChangingIt() {
        ActivationQuantizationHolder holder = new ActivationQuantizationHolder(ste());
        Tensor x = Tensor.randn(new Random(1), 4, 8).mul(3f);
        float[] before = holder.forward(x).toFloatArray();
        holder.convertToInferableQuantizers();
        assertTrue(holder.quantizer() instanceof ActivationPOTInferableQuantizer);
        assertArrayEquals(before, holder.forward(x).toFloatArray());
    }

    @Test
    void theThresholdLearnsThroughTheHolder() {
        ActivationQuantizationHolder holder = new ActivationQuantizationHolder(ste());
        holder.forward(Tensor.vector(0.3f, 9f)).sum().backward();
        assertTrue(holder.parameters().get(0).grad() != null);
    }

    @Test
    void aWeightQuantizerCannotHoldAnActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ActivationQuantizationHolder(WeightsSymmetricInferableQuantizer.perTensor(8, 1f)));
        assertTrue(e.getMessage().contains("needs an ACTIVATION quantizer"), e.getMessage());
    }
}
