package io.jqi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The custom-quantizer guide's Java example, used the way the guide says. */
class AbsMeanWeightQuantizerTest {

    private static TrainableQuantizerWeightsConfig config() {
        return new TrainableQuantizerWeightsConfig(QuantizationMethod.SYMMETRIC, 4,
                QuantizationParams.threshold(1f, 1f, 1f), true, 0, true,
                TrainableQuantizerWeightsConfig.DEFAULT_MIN_THRESHOLD);
    }

    @Test
    void registeringOneClassMakesTheNewIdentifierSelectable() throws Exception {
        QuantizerRegistry registry = new QuantizerRegistry().register(AbsMeanWeightQuantizer.class);
        Class<?> found = registry.trainableQuantizerClass(QuantizationTarget.WEIGHTS, "ABS_MEAN",
                QuantizationMethod.SYMMETRIC);
        TrainableQuantizer q = (TrainableQuantizer) found.getConstructor(TrainableQuantizerWeightsConfig.class)
                .newInstance(config());
        assertEquals(AbsMeanWeightQuantizer.class, q.getClass());
    }

    @Test
    void itTrainsItsMultipliersAndConvertsToAnInferableQuantizerWithTheSameOutput() {
        Map<String, Tensor> host = new HashMap<>();
        AbsMeanWeightQuantizer q = new AbsMeanWeightQuantizer(config());
        q.initializeQuantization(Shape.of(3, 8), "weight", host::put);
        Tensor gamma = host.get("weight_gamma");
        Tensor w = Tensor.randn(new Random(1), 3, 8).requiresGrad(true);

        Tensor y = q.forward(w, true);
        y.sub(w.detach()).pow(2f).sum().backward();
        assertNotNull(gamma.grad());
        assertNotNull(w.grad());

        float[] trainable = q.forward(w.detach(), false).toFloatArray();
        float[] inferable = q.convertToInferable().quantize(w.detach()).toFloatArray();
        for (int i = 0; i < trainable.length; i++) {
            assertEquals(inferable[i], trainable[i], 1e-6f * Math.max(1f, Math.abs(inferable[i])), "element " + i);
        }
    }

    @Test
    void convertingBeforeAnyForwardSaysWhatToDo() {
        AbsMeanWeightQuantizer q = new AbsMeanWeightQuantizer(config());
        q.initializeQuantization(Shape.of(3, 8), "weight", (n, v) -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, q::convertToInferable);
        assertTrue(e.getMessage().contains("run forward on the final weights"), e.getMessage());
    }
}
