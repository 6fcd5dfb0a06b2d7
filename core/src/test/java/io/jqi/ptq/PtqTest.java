package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.BatchNorm;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.GraphModel;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.Sigmoid;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PtqTest {
    private static final PtqConfig DEFAULTS = PtqConfig.defaults();

    private static Sequential cnn(Random random) {
        return new Sequential(
                new Conv2D(1, 4, 3, 1, 1, random), new BatchNorm(4), new ReLU(), new MaxPool2D(2),
                new Flatten(), new Dense(4 * 4 * 4, 3, true, random));
    }

    /** Gives a batch norm statistics and an affine part that are not the identity. */
    private static void randomize(BatchNorm bn, Random random) {
        int n = bn.numFeatures();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", Tensor.uniform(random, 0.5f, 1.5f, n));
        state.put("bias", Tensor.uniform(random, -0.5f, 0.5f, n));
        state.put("running_mean", Tensor.uniform(random, -0.3f, 0.3f, n));
        state.put("running_var", Tensor.uniform(random, 0.5f, 2f, n));
        bn.loadStateDict(state);
    }

    private static List<Tensor> data(Random random, int... shape) {
        return List.of(Tensor.randn(random, shape), Tensor.randn(random, shape));
    }

    private static float[] eval(Module model, Tensor x) {
        model.eval();
        try (var ignored = Tensor.noGrad()) {
            return model.forward(x).toFloatArray();
        }
    }

    @Test
    void aBatchNormFoldsIntoTheConvolutionBeforeIt() {
        Random random = new Random(1);
        Sequential model = cnn(random);
        randomize((BatchNorm) model.get(1), random);
        Tensor x = Tensor.randn(random, 5, 1, 8, 8);
        FlatGraph graph = FlatGraph.of(model);

        assertEquals(1, BatchNormFolding.fold(graph));

        assertEquals(List.of("0", "2", "3", "4", "5"), List.copyOf(graph.nodes.keySet()));
        float[][] folded = new float[1][];
        graph.run(new Tensor[] {x}, (name, v) -> folded[0] = name.equals("5") ? v.toFloatArray() : folded[0]);
        float[] expected = eval(model, x);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], folded[0][i], 1e-5f, "output " + i);
        }
    }

    @Test
    void aBatchNormIsNotFoldedIntoALayerWhoseOutputIsAlsoReadElsewhere() {
        Random random = new Random(2);
        GraphModel model = GraphModel.builder().input("x")
                .node("conv", new Conv2D(2, 2, 1, 1, 0, random), "x")
                .node("bn", new BatchNorm(2), "conv")
                .node("add", new io.jqi.nn.Add(), "bn", "conv")
                .output("add").build();
        FlatGraph graph = FlatGraph.of(model);

        assertEquals(0, BatchNormFolding.fold(graph));
    }

    @Test
    void nestedContainersFlattenToUnderscoredNamesThatKeepTheirDottedPaths() {
        Random random = new Random(3);
        Map<String, Module> stem = new LinkedHashMap<>();
        stem.put("conv", new Conv2D(1, 2, 3, 1, 1, random));
        stem.put("relu", new ReLU());
        Map<String, Module> top = new LinkedHashMap<>();
        top.put("stem", new Sequential(stem));
        top.put("flat", new Flatten());
        FlatGraph graph = FlatGraph.of(new Sequential(top));

        assertEquals(List.of("stem_conv", "stem_relu", "flat"), List.copyOf(graph.nodes.keySet()));
        assertEquals("stem.conv", graph.nodes.get("stem_conv").path);
        assertEquals(List.of("input"), graph.nodes.get("stem_conv").inputs);
    }

    @Test
    void theDefaultPlatformWrapsKernelsAndQuantizesTheInputAndEveryUnfusedOutput() {
        Random random = new Random(4);
        GraphModel q = Ptq.quantize(cnn(random), data(random, 8, 1, 8, 8), TargetPlatform.defaultPlatform(),
                DEFAULTS);

        assertEquals(List.of("input" + QuantizationPlan.HOLDER_SUFFIX, "0", "2", "2" + QuantizationPlan.HOLDER_SUFFIX,
                "3", "4", "5", "5" + QuantizationPlan.HOLDER_SUFFIX), q.nodeNames());
        QuantizationWrapper conv = assertInstanceOf(QuantizationWrapper.class, q.node("0"));
        var kernel = assertInstanceOf(WeightsSymmetricInferableQuantizer.class, conv.weightQuantizers().get("weight"));
        assertEquals(8, kernel.numBits());
        assertEquals(4, kernel.threshold().length, "per output channel");
        var relu = (ActivationQuantizationHolder) q.node("2" + QuantizationPlan.HOLDER_SUFFIX);
        var pot = assertInstanceOf(ActivationPOTInferableQuantizer.class, relu.quantizer());
        assertFalse(pot.signed(), "ReLU outputs are unsigned");
        assertInstanceOf(MaxPool2D.class, q.node("3"));
    }

    @Test
    void eightBitPtqOutputsStayCloseToTheFloatModel() {
        Random random = new Random(5);
        Sequential model = cnn(random);
        randomize((BatchNorm) model.get(1), random);
        List<Tensor> data = data(random, 32, 1, 8, 8);
        GraphModel q = Ptq.quantize(model, data, TargetPlatform.defaultPlatform(), DEFAULTS);

        float[] expected = eval(model, data.get(0));
        float[] actual = eval(q, data.get(0));
        double err = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            err += Math.pow(actual[i] - expected[i], 2);
            norm += Math.pow(expected[i], 2);
        }
        assertTrue(Math.sqrt(err / norm) < 0.02, "relative error " + Math.sqrt(err / norm));
    }

    @Test
    void quantizingLeavesTheFloatModelAsItWas() {
        Random random = new Random(6);
        Sequential model = cnn(random);
        randomize((BatchNorm) model.get(1), random);
        Map<String, Tensor> before = model.stateDict();

        Ptq.quantize(model, data(random, 4, 1, 8, 8), TargetPlatform.defaultPlatform(), DEFAULTS);

        Map<String, Tensor> after = model.stateDict();
        before.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), after.get(name).toFloatArray(), name));
    }

    @Test
    void biasCorrectionCancelsTheMeanShiftThatWeightQuantizationCauses() {
        Random random = new Random(7);
        Dense dense = new Dense(64, 8, false, random);
        List<Tensor> data = List.of(Tensor.uniform(random, 0.5f, 1.5f, 256, 64));
        TargetPlatform threeBitWeightsOnly = new TargetPlatform("w3", OpQuantization.none(),
                Map.of("Dense", OpQuantization.kernel(WeightQuantization.perTensor(QuantizationMethod.SYMMETRIC, 3),
                        null)), List.of());

        double corrected = meanShift(dense, data, threeBitWeightsOnly, DEFAULTS);
        double uncorrected = meanShift(dense, data, threeBitWeightsOnly, DEFAULTS.withWeightsBiasCorrection(false));

        assertTrue(corrected < 1e-4, "corrected mean shift " + corrected);
        assertTrue(uncorrected > 100 * corrected, "uncorrected " + uncorrected + " vs corrected " + corrected);
    }

    /** The largest |mean over the data of (quantized - float)| over the outputs. */
    private static double meanShift(Module model, List<Tensor> data, TargetPlatform platform, PtqConfig config) {
        float[] f = eval(model, data.get(0));
        float[] q = eval(Ptq.quantize(model, data, platform, config), data.get(0));
        int outputs = 8;
        double worst = 0;
        for (int o = 0; o < outputs; o++) {
            double shift = 0;
            for (int i = o; i < f.length; i += outputs) {
                shift += q[i] - f[i];
            }
            worst = Math.max(worst, Math.abs(shift / (f.length / outputs)));
        }
        return worst;
    }

    @Test
    void outputsWithKnownBoundsTakeTheirThresholdsFromTheBounds() {
        Random random = new Random(8);
        Sequential model = new Sequential(new Dense(4, 4, true, random), new Sigmoid());
        GraphModel q = Ptq.quantize(model, data(random, 16, 4), TargetPlatform.defaultPlatform(), DEFAULTS);

        var holder = (ActivationQuantizationHolder) q.node("1" + QuantizationPlan.HOLDER_SUFFIX);
        var pot = assertInstanceOf(ActivationPOTInferableQuantizer.class, holder.quantizer());
        assertFalse(pot.signed());
        assertEquals(ActivationThresholds.noClippingThreshold(0f, 1f, QuantizationMethod.POWER_OF_TWO, 8, false,
                DEFAULTS.minThreshold()), pot.threshold());
    }

    @Test
    void anEmptyRepresentativeDatasetIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(cnn(new Random(9)), List.of(),
                TargetPlatform.defaultPlatform(), DEFAULTS));
        assertTrue(e.getMessage().contains("representative dataset is empty"), e.getMessage());
    }

    @Test
    void nonFiniteValuesInTheRepresentativeDataAreAClearError() {
        float[] v = new float[2 * 64];
        v[5] = Float.NaN;
        var e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(cnn(new Random(10)),
                List.of(Tensor.of(v, 2, 1, 8, 8)), TargetPlatform.defaultPlatform(), DEFAULTS));
        assertTrue(e.getMessage().contains("'input' non-finite"), e.getMessage());
    }

    @Test
    void aPrunedChannelGetsAUsableUniformRangeThatKeepsItZero() {
        Random random = new Random(11);
        Dense dense = new Dense(4, 3, true, random);
        float[] w = dense.weight().toFloatArray();
        java.util.Arrays.fill(w, 4, 8, 0f);
        dense.replaceParameter("weight", Tensor.of(w, 3, 4));
        TargetPlatform uniformWeights = TargetPlatform.defaultPlatform().withOp("Dense", OpQuantization.kernel(
                WeightQuantization.perChannel(QuantizationMethod.UNIFORM, 4), null));

        GraphModel q = Ptq.quantize(dense, data(random, 8, 4), uniformWeights, DEFAULTS);

        float[] quantized = ((QuantizationWrapper) q.node("dense")).quantizedWeights().get("weight").toFloatArray();
        assertArrayEquals(new float[4], java.util.Arrays.copyOfRange(quantized, 4, 8));
    }

    @Test
    void anAlreadyQuantizedModelIsAClearError() {
        Random random = new Random(12);
        GraphModel q = Ptq.quantize(cnn(random), data(random, 4, 1, 8, 8), TargetPlatform.defaultPlatform(), DEFAULTS);

        var e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(q, data(random, 4, 1, 8, 8),
                TargetPlatform.defaultPlatform(), DEFAULTS));
        assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
    }

    @Test
    void aModelHoldingQuantizeDequantizeLayersIsRefusedAsAlreadyQuantized() {
        Random random = new Random(13);
        Sequential qdq = new Sequential(QuantizeDequantize.perTensor(0.1f, 0, -128, 127),
                new Dense(4, 2, true, random));

        var e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(qdq, data(random, 4, 4),
                TargetPlatform.defaultPlatform(), DEFAULTS));
        assertTrue(e.getMessage().contains("already quantized") && e.getMessage().contains("QDQ"), e.getMessage());
    }
}
