package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.model;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.AddConstant;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.GraphModel;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Mul;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Softmax;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.TargetPlatform;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImporterTest {
    private static String refusal(OnnxModel m) {
        return assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(m)).getMessage();
    }

    private static OnnxModel single(OnnxNode node, List<OnnxTensor> inits) {
        return model(13, List.of(node), inits, List.of(floatValue("x", 1, 2, 4, 4)), List.of(floatValue("y")));
    }

    @Test
    void aSmallCnnBecomesTheEquivalentJqiLayers() {
        GraphModel g = OnnxImporter.importModel(OnnxModels.smallCnn(1));
        assertEquals(List.of("input"), g.inputNames());
        assertEquals(List.of("conv", "bn", "relu", "pool", "flatten", "fc", "softmax"), g.nodeNames());
        Conv2D conv = assertInstanceOf(Conv2D.class, g.node("conv"));
        assertArrayEquals(new int[] {1, 1}, conv.padding());
        assertInstanceOf(BatchNorm.class, g.node("bn"));
        assertInstanceOf(ReLU.class, g.node("relu"));
        assertInstanceOf(MaxPool2D.class, g.node("pool"));
        assertInstanceOf(Flatten.class, g.node("flatten"));
        Dense fc = assertInstanceOf(Dense.class, g.node("fc"));
        assertEquals(36, fc.inFeatures());
        assertEquals(1, assertInstanceOf(Softmax.class, g.node("softmax")).axis());
    }

    @Test
    void theImportedCnnComputesWhatItsLayersDoByHand() {
        OnnxModel m = OnnxModels.smallCnn(2);
        GraphModel g = OnnxImporter.importModel(m);
        Tensor x = Tensor.randn(new Random(3), 2, 1, 6, 6);
        // The same computation from the initializers, with the tensor ops directly.
        Tensor w = init(m, "conv.weight");
        Tensor h = io.jqi.tensor.Functional.conv2d(x, w, init(m, "conv.bias"), new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1);
        Tensor mean = init(m, "bn.running_mean").reshape(1, 4, 1, 1);
        Tensor std = init(m, "bn.running_var").add(1e-5f).sqrt().reshape(1, 4, 1, 1);
        h = h.sub(mean).div(std).mul(init(m, "bn.weight").reshape(1, 4, 1, 1)).add(init(m, "bn.bias")
                .reshape(1, 4, 1, 1)).relu();
        h = new MaxPool2D(2).forward(h).flatten(1);
        Tensor logits = h.matmul(init(m, "fc.weight").transpose(0, 1)).add(init(m, "fc.bias"));
        assertArrayEquals(logits.softmax(1).toFloatArray(), g.forward(x).toFloatArray(), 1e-5f);
    }

    private static Tensor init(OnnxModel m, String name) {
        OnnxTensor t = m.graph().initializers().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
        return OnnxNodeConformanceTest.toTensor(t);
    }

    @Test
    void theModelIsReturnedInEvaluationMode() {
        assertTrue(!OnnxImporter.importModel(OnnxModels.smallCnn(1)).node("bn").isTraining());
    }

    @Test
    void aFileImportsLikeItsModel(@TempDir Path dir) {
        Path file = dir.resolve("cnn.onnx");
        OnnxCodec.write(OnnxModels.smallCnn(4), file);
        Tensor x = Tensor.randn(new Random(5), 1, 1, 6, 6);
        assertArrayEquals(OnnxImporter.importModel(OnnxModels.smallCnn(4)).forward(x).toFloatArray(),
                OnnxImporter.importFile(file).forward(x).toFloatArray());
    }

    @Test
    void dotsInNamesBecomeUnderscores() {
        OnnxModel m = model(13, List.of(node("", "Relu", List.of("x.0"), List.of("y.1"))), List.of(),
                List.of(floatValue("x.0", 2)), List.of(floatValue("y.1", 2)));
        GraphModel g = OnnxImporter.importModel(m);
        assertEquals(List.of("x_0"), g.inputNames());
        assertEquals(List.of("y_1"), g.outputNames());
    }

    @Test
    void nodesOnlyOfConstantsAreComputedAtImport() {
        OnnxNode shape = node("shape", "Constant", List.of(), List.of("s"),
                OnnxAttribute.ofTensor("value", OnnxTensor.ofInt64("", new long[] {2}, new long[] {0, -1})));
        OnnxNode scale = node("scale", "Mul", List.of("a", "b"), List.of("k"));
        OnnxNode reshape = node("reshape", "Reshape", List.of("x", "s"), List.of("r"));
        OnnxNode mul = node("mul", "Mul", List.of("r", "k"), List.of("y"));
        OnnxModel m = model(14, List.of(shape, scale, reshape, mul),
                List.of(OnnxTensor.ofFloats("a", new long[] {}, new float[] {2}),
                        OnnxTensor.ofFloats("b", new long[] {}, new float[] {3})),
                List.of(floatValue("x", 2, 2, 2)), List.of(floatValue("y", 2, 4)));
        GraphModel g = OnnxImporter.importModel(m);
        assertEquals(List.of("reshape", "mul"), g.nodeNames());
        assertArrayEquals(new int[] {0, -1}, assertInstanceOf(Reshape.class, g.node("reshape")).shape());
        Mul layer = assertInstanceOf(Mul.class, g.node("mul"));
        assertEquals(6f, layer.constant().item());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        assertArrayEquals(new float[] {6, 12, 18, 24, 30, 36, 42, 48}, g.forward(x).toFloatArray());
    }

    @Test
    void constantsBroadcastIntoAHugeResultAreRefusedBeforeComputing() {
        OnnxModel m = model(13, List.of(node("outer", "Mul", List.of("a", "b"), List.of("k")),
                        node("use", "Add", List.of("x", "k"), List.of("y"))),
                List.of(OnnxTensor.ofFloats("a", new long[] {100_000, 1}, new float[100_000]),
                        OnnxTensor.ofFloats("b", new long[] {1, 100_000}, new float[100_000])),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        String message = refusal(m);
        assertTrue(message.startsWith("node 'outer' (Mul): computing it from its constant inputs would make up to "
                + "10000000000 elements"), message);
    }

    @Test
    void aConvolutionOfConstantsIsRefused() {
        OnnxModel m = model(13, List.of(node("conv", "Conv", List.of("k", "w"), List.of("c")),
                        node("use", "Add", List.of("x", "c"), List.of("y"))),
                List.of(OnnxModels.randomFloats(new Random(1), "k", 1, 1, 3, 3),
                        OnnxModels.randomFloats(new Random(2), "w", 1, 1, 3, 3)),
                List.of(floatValue("x", 1)), List.of(floatValue("y", 1)));
        assertTrue(refusal(m).contains("node 'conv' (Conv): all its inputs are constants"));
    }

    @Test
    void aConstantOperandOfAddBecomesAnAddConstantLayer() {
        OnnxModel m = single(node("bias", "Add", List.of("x", "c"), List.of("y")),
                List.of(OnnxTensor.ofFloats("c", new long[] {2, 1, 1}, new float[] {1, -1})));
        assertInstanceOf(AddConstant.class, OnnxImporter.importModel(m).node("bias"));
    }

    @Test
    void clipFromZeroToSixIsReLU6() {
        OnnxModel m = single(node("clip", "Clip", List.of("x", "lo", "hi"), List.of("y")),
                List.of(OnnxTensor.ofFloats("lo", new long[] {}, new float[] {0}),
                        OnnxTensor.ofFloats("hi", new long[] {}, new float[] {6})));
        assertInstanceOf(ReLU6.class, OnnxImporter.importModel(m).node("clip"));
    }

    @Test
    void deadNodesAreLeftOutEvenWhenUnsupported() {
        OnnxModel m = model(13, List.of(node("relu", "Relu", List.of("x"), List.of("y")),
                        node("unused", "Erf", List.of("x"), List.of("z"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertEquals(List.of("relu"), OnnxImporter.importModel(m).nodeNames());
    }

    @Test
    void anImportedModelQuantizesWithTheDefaultPlatform() {
        GraphModel g = OnnxImporter.importModel(OnnxModels.smallCnn(6));
        Random random = new Random(7);
        List<Tensor> data = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            data.add(Tensor.randn(random, 8, 1, 6, 6));
        }
        GraphModel q = Ptq.quantize(g, data, TargetPlatform.defaultPlatform(), PtqConfig.defaults());
        Tensor x = data.get(0);
        float[] expected = g.forward(x).toFloatArray();
        float[] got = q.forward(x).toFloatArray();
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - got[i]));
        }
        assertTrue(worst < 0.1f, "8-bit quantized probabilities stay close to the float ones, worst " + worst);
    }

    // ---- refusals ----------------------------------------------------------------------------------------------

    @Test
    void anUnsupportedOperatorNamesTheNodeAndTheOp() {
        String message = refusal(single(node("gelu1", "Gelu", List.of("x"), List.of("y")), List.of()));
        assertTrue(message.startsWith("node 'gelu1' (Gelu): operator Gelu is not supported"), message);
    }

    @Test
    void asymmetricPadsAreRefusedWithWhatToChange() {
        OnnxModel m = single(node("conv", "Conv", List.of("x", "w"), List.of("y"),
                OnnxAttribute.ofInts("pads", 0, 0, 1, 1)), List.of(OnnxModels.randomFloats(new Random(1), "w",
                3, 2, 2, 2)));
        String message = refusal(m);
        assertTrue(message.startsWith("node 'conv' (Conv): pads [0, 0, 1, 1] are asymmetric"), message);
    }

    @Test
    void oneDimensionalConvolutionsAreRefused() {
        OnnxModel m = single(node("conv", "Conv", List.of("x", "w"), List.of("y")),
                List.of(OnnxModels.randomFloats(new Random(1), "w", 3, 2, 2)));
        assertTrue(refusal(m).contains("1-D convolution; jqi imports 2-D convolutions only"));
    }

    @Test
    void ceilModePoolingImportsToALayerThatRoundsUp() {
        OnnxModel m = single(node("pool", "MaxPool", List.of("x"), List.of("y"),
                OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofInts("strides", 2, 2),
                OnnxAttribute.ofInt("ceil_mode", 1)), List.of());
        GraphModel g = OnnxImporter.importModel(m);
        assertTrue(((MaxPool2D) g.node("pool")).ceilMode());
        assertEquals(Shape.of(1, 2, 2, 2), g.forward(Tensor.zeros(1, 2, 4, 4)).shape());
    }

    @Test
    void ceilModeAveragePoolCountingPaddingIsRefused() {
        OnnxModel m = single(node("pool", "AveragePool", List.of("x"), List.of("y"),
                OnnxAttribute.ofInts("kernel_shape", 2, 2), OnnxAttribute.ofInt("ceil_mode", 1),
                OnnxAttribute.ofInt("count_include_pad", 1)), List.of());
        assertTrue(refusal(m).contains("count_include_pad 1 with ceil_mode 1 is not supported"));
    }

    @Test
    void samePaddingWithAStrideNeedsTheStaticInputSize() {
        OnnxNode pool = node("pool", "MaxPool", List.of("x"), List.of("y"), OnnxAttribute.ofInts("kernel_shape", 3, 3),
                OnnxAttribute.ofInts("strides", 2, 2), OnnxAttribute.ofString("auto_pad", "SAME_UPPER"));
        OnnxModel known = model(13, List.of(pool), List.of(), List.of(OnnxModels.batchedFloatValue("x", 1, 5, 5)),
                List.of(floatValue("y")));
        // ceil(5 / 2) = 3 outputs need (3 - 1) * 2 + 3 - 5 = 2 cells of padding: one on each side.
        assertArrayEquals(new int[] {1, 1}, assertInstanceOf(MaxPool2D.class,
                OnnxImporter.importModel(known).node("pool")).padding());
        OnnxModel unknown = model(13, List.of(pool), List.of(), List.of(new OnnxValueInfo("x", DataType.FLOAT, null)),
                List.of(floatValue("y")));
        assertTrue(refusal(unknown).contains("depends on the input size, which is not known statically"));
    }

    @Test
    void aWeightComputedAtRunTimeIsRefused() {
        OnnxModel m = model(13, List.of(node("fc", "Gemm", List.of("x", "w"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2, 3), floatValue("w", 3, 4)), List.of(floatValue("y")));
        assertTrue(refusal(m).contains("its input 1 (B, 'w') must be a constant"));
    }

    @Test
    void aShapeComputedAtRunTimeIsRefused() {
        OnnxModel m = model(13, List.of(node("r", "Reshape", List.of("x", "s"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2, 3), new OnnxValueInfo("s", DataType.INT64, null)), List.of(floatValue("y")));
        String message = refusal(m);
        assertTrue(message.contains("graph input 's' is INT64; jqi imports float models"), message);
    }

    @Test
    void nonFloatInputsAreRefused() {
        OnnxModel m = model(13, List.of(node("relu", "Relu", List.of("x"), List.of("y"))), List.of(),
                List.of(new OnnxValueInfo("x", DataType.UINT8, null)), List.of(floatValue("y")));
        assertTrue(refusal(m).contains("graph input 'x' is UINT8"));
    }

    @Test
    void aCycleIsRefused() {
        OnnxModel m = model(13, List.of(node("a", "Add", List.of("x", "b_out"), List.of("a_out")),
                        node("b", "Relu", List.of("a_out"), List.of("b_out"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("b_out", 2)));
        assertTrue(refusal(m).contains("is on a cycle"));
    }

    @Test
    void aNodeReadingItsOwnOutputIsACycle() {
        OnnxModel m = model(13, List.of(node("a", "Add", List.of("x", "y"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertTrue(refusal(m).contains("node 'a' (Add): it is on a cycle"));
    }

    @Test
    void aValueDefinedTwiceIsRefused() {
        OnnxModel m = model(13, List.of(node("a", "Relu", List.of("x"), List.of("y")),
                        node("b", "Tanh", List.of("x"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertTrue(refusal(m).contains("node 'b' (Tanh): its output 'y' is already defined"));
    }

    @Test
    void anUndefinedInputIsRefused() {
        OnnxModel m = model(13, List.of(node("a", "Relu", List.of("ghost"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertTrue(refusal(m).contains("it reads 'ghost', which no node, graph input or initializer defines"));
    }

    @Test
    void opsetsNewerThan21AreRefused() {
        OnnxModel m = model(22, List.of(node("relu", "Relu", List.of("x"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertTrue(refusal(m).contains("opset 22 is newer than the 21 jqi reads"));
    }

    @Test
    void olderOpsetsAreReadWhereTheOperatorIsUnchanged() {
        OnnxModel relu = model(9, List.of(node("relu", "Relu", List.of("x"), List.of("y"))), List.of(),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertEquals(List.of("relu"), OnnxImporter.importModel(relu).nodeNames());
        OnnxModel norm = model(6, List.of(node("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"),
                        List.of("y"))), List.of(),
                List.of(floatValue("x", 1, 2, 2, 2), floatValue("s", 2), floatValue("b", 2), floatValue("m", 2),
                        floatValue("v", 2)), List.of(floatValue("y", 1, 2, 2, 2)));
        assertTrue(refusal(norm).contains("BatchNormalization at opset 6 is an older definition than jqi reads"),
                refusal(norm));
    }

    @Test
    void clipAndPadOfOpsetsBelowElevenAreReadFromTheirAttributes() {
        OnnxModel clip = model(9, List.of(node("clip", "Clip", List.of("x"), List.of("y"),
                        OnnxAttribute.ofFloat("min", 0), OnnxAttribute.ofFloat("max", 6))), List.of(),
                List.of(floatValue("x", 3)), List.of(floatValue("y", 3)));
        GraphModel relu6 = OnnxImporter.importModel(clip);
        assertArrayEquals(new float[] {0f, 2f, 6f},
                relu6.forward(Tensor.vector(-1f, 2f, 9f)).toFloatArray());
        OnnxModel pad = model(10, List.of(node("pad", "Pad", List.of("x"), List.of("y"),
                        OnnxAttribute.ofInts("pads", 0, 1, 0, 2), OnnxAttribute.ofFloat("value", 5))), List.of(),
                List.of(floatValue("x", 1, 2)), List.of(floatValue("y", 1, 5)));
        assertArrayEquals(new float[] {5f, 1f, 2f, 5f, 5f},
                OnnxImporter.importModel(pad).forward(Tensor.of(new float[] {1f, 2f}, 1, 2)).toFloatArray());
    }

    @Test
    void olderOpsetsAreReadWhereTheNewerDefinitionOnlyWidenedTheOperator() {
        OnnxModel flatten = model(9, List.of(node("flat", "Flatten", List.of("x"), List.of("y"),
                        OnnxAttribute.ofInt("axis", 1))), List.of(),
                List.of(floatValue("x", 2, 3, 2)), List.of(floatValue("y", 2, 6)));
        assertEquals(List.of("flat"), OnnxImporter.importModel(flatten).nodeNames());
        OnnxModel pool = model(10, List.of(node("pool", "MaxPool", List.of("x"), List.of("y"),
                        OnnxAttribute.ofInts("kernel_shape", 2, 2), OnnxAttribute.ofInts("strides", 2, 2))), List.of(),
                List.of(floatValue("x", 1, 1, 4, 4)), List.of(floatValue("y", 1, 1, 2, 2)));
        assertEquals(List.of("pool"), OnnxImporter.importModel(pool).nodeNames());
    }

    @Test
    void olderPoolingWithAutoPadIsRefusedBecauseItsPaddingChanged() {
        OnnxModel pool = model(10, List.of(node("pool", "MaxPool", List.of("x"), List.of("y"),
                        OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofString("auto_pad", "SAME_UPPER"))),
                List.of(), List.of(floatValue("x", 1, 1, 4, 4)), List.of(floatValue("y", 1, 1, 4, 4)));
        assertTrue(refusal(pool).contains("MaxPool at opset 10 with auto_pad SAME_UPPER pads as opset 11 no longer does"),
                refusal(pool));
    }

    @Test
    void otherDomainsAreRefused() {
        OnnxNode custom = new OnnxNode("q", "Quantizer", "mct_quantizers", List.of("x"), List.of("y"), List.of());
        OnnxModel m = model(13, List.of(custom), List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertTrue(refusal(m).contains("domain 'mct_quantizers' is not supported"));
    }

    @Test
    void aConstantGraphOutputIsRefused() {
        OnnxModel m = model(13, List.of(node("relu", "Relu", List.of("x"), List.of("y"))),
                List.of(OnnxTensor.ofFloats("k", new long[] {1}, new float[] {1})),
                List.of(floatValue("x", 2)), List.of(floatValue("y", 2), floatValue("k", 1)));
        assertTrue(refusal(m).contains("graph output 'k' is a constant"));
    }

    @Test
    void bindingANameThatIsNoInputIsAnError() {
        OnnxModel m = single(node("relu", "Relu", List.of("x"), List.of("y")), List.of());
        assertThrows(IllegalArgumentException.class, () -> OnnxImporter.importModel(m,
                java.util.Map.of("w", OnnxTensor.ofFloats("w", new long[] {1}, new float[] {1}))));
    }
}
