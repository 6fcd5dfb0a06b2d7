package io.jqi.quant.wrap;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.trainable.LSQWeightQATQuantizer;
import io.jqi.quant.trainable.STEWeightQATQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizationWrapperTest {

    private static TrainableQuantizerWeightsConfig perChannel(int bits, float[] t) {
        return TrainableQuantizerWeightsConfig.perChannel(SYMMETRIC, bits, t, 0);
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    @Test
    void theLayerRunsOnTheQuantizedWeightWhileTheFloatWeightIsTrained() {
        Random random = new Random(1);
        Dense dense = new Dense(6, 4, true, random);
        Tensor weight = dense.namedParameters().get("weight");
        var quantizer = new STEWeightQATQuantizer(perChannel(4, Thresholds.maxAbsPerRow(weight, 1f)));
        QuantizationWrapper wrapper = new QuantizationWrapper(dense, Map.of("weight", quantizer));
        Tensor x = Tensor.randn(random, 3, 6);

        Tensor y = wrapper.forward(x);
        Tensor quantized = quantizer.convertToInferable().quantize(weight);
        Tensor expected = Functional.linear(x, quantized, dense.namedParameters().get("bias"));
        assertSameBits(expected.toFloatArray(), y.toFloatArray());

        y.sum().backward();
        assertNotNull(weight.grad(), "the float master weight receives the straight-through gradient");
        assertTrue(weight.isLeaf());
    }

    @Test
    void fixedQuantizerVariablesAreBuffersAndTrainableOnesParameters() {
        Random random = new Random(2);
        Dense a = new Dense(3, 2, true, random);
        Dense b = new Dense(3, 2, true, random);
        QuantizationWrapper ste = new QuantizationWrapper(a, Map.of("weight",
                new STEWeightQATQuantizer(perChannel(8, new float[] {1f, 1f}))));
        QuantizationWrapper lsq = new QuantizationWrapper(b, Map.of("weight",
                new LSQWeightQATQuantizer(perChannel(8, new float[] {1f, 1f}))));
        assertEquals(java.util.Set.of("layer.weight", "layer.bias"), ste.namedParameters().keySet());
        assertTrue(ste.namedBuffers().containsKey("weight_ptq_threshold_tensor"));
        assertEquals(java.util.Set.of("weight_ptq_threshold_tensor", "layer.weight", "layer.bias"),
                lsq.namedParameters().keySet());
        assertEquals(3, ste.stateDict().size());
    }

    @Test
    void convertingToInferableQuantizersKeepsTheOutputBitForBit() {
        Random random = new Random(3);
        Conv2D conv = new Conv2D(2, 3, 3, 1, 1, random);
        Tensor weight = conv.namedParameters().get("weight");
        QuantizationWrapper wrapper = new QuantizationWrapper(conv, Map.of("weight",
                new LSQWeightQATQuantizer(perChannel(4, Thresholds.maxAbsPerRow(weight, 1f)))));
        Tensor x = Tensor.randn(random, 2, 2, 5, 5);
        float[] before = wrapper.forward(x).toFloatArray();
        wrapper.convertToInferableQuantizers();
        assertTrue(wrapper.weightQuantizers().get("weight") instanceof WeightsSymmetricInferableQuantizer);
        assertSameBits(before, wrapper.forward(x).toFloatArray());
    }

    @Test
    void quantizedWeightsAreWhatExportersWrite() {
        Dense dense = new Dense(2, 2, false, new Random(4));
        var q = WeightsSymmetricInferableQuantizer.perTensor(2, 1f);
        QuantizationWrapper wrapper = new QuantizationWrapper(dense, Map.of("weight", q));
        assertArrayEquals(q.quantize(dense.namedParameters().get("weight")).toFloatArray(),
                wrapper.quantizedWeights().get("weight").toFloatArray());
    }

    @Test
    void anUnknownAttributeNamesTheLayersParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizationWrapper(new Dense(2, 2, true, new Random(5)), Map.of("kernel",
                        WeightsSymmetricInferableQuantizer.perTensor(8, 1f))));
        assertEquals("Dense has no parameter 'kernel' to quantize; its parameters are [weight, bias]", e.getMessage());
    }

    @Test
    void anActivationQuantizerCannotQuantizeAWeight() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizationWrapper(new Dense(2, 2, true, new Random(6)), Map.of("weight",
                        ActivationPOTInferableQuantizer.of(8, 1f, true))));
        assertTrue(e.getMessage().contains("needs a WEIGHTS quantizer"), e.getMessage());
    }

    @Test
    void aPowerOfTwoWrapperFromADispatcher() {
        Dense dense = new Dense(4, 2, true, new Random(7));
        NodeQuantizationDispatcher d = new NodeQuantizationDispatcher().weight("weight",
                new STEWeightQATQuantizer(TrainableQuantizerWeightsConfig.perChannel(POWER_OF_TWO, 8,
                        new float[] {0.3f, 0.9f}, 0)));
        QuantizationWrapper wrapper = QuantizationWrapper.of(dense, d);
        assertArrayEquals(new float[] {0.5f, 1f}, wrapper.namedBuffers().get("weight_ptq_threshold_tensor")
                .toFloatArray());
    }

    @Test
    void aPositionalConstantIsQuantizedAndInsertedAmongTheInputs() {
        var q = WeightsSymmetricInferableQuantizer.perTensor(2, 1f);
        Tensor constant = Tensor.vector(0.3f, -0.9f);
        QuantizationWrapper add = QuantizationWrapper.positional(new io.jqi.nn.Add(), Map.of(1, constant),
                Map.of(1, q));
        Tensor x = Tensor.vector(10f, 20f);
        assertArrayEquals(x.add(q.quantize(constant)).toFloatArray(), add.forward(x).toFloatArray());
        assertTrue(add.namedBuffers().containsKey("positional_weight_1"));

        QuantizationWrapper concat = QuantizationWrapper.positional(new io.jqi.nn.Concat(0), Map.of(0, constant),
                Map.of(0, q));
        assertArrayEquals(new float[] {0.5f, -1f, 10f, 20f}, concat.forward(x).toFloatArray());
    }

    @Test
    void positionalValuesAndQuantizersMustAgree() {
        var q = WeightsSymmetricInferableQuantizer.perTensor(8, 1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizationWrapper.positional(new io.jqi.nn.Add(), Map.of(1, Tensor.vector(1f)), Map.of(0, q)));
        assertEquals("Positional weights and their quantizers must have the same positions, got values at [1] and "
                + "quantizers at [0]", e.getMessage());
    }
}
