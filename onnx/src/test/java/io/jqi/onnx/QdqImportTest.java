package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.model;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.GraphModel;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QuantizeLinear and DequantizeLinear at import: what folds, what becomes a layer, what is refused and how. */
class QdqImportTest {
    private static final OnnxTensor SCALE = OnnxTensor.ofFloats("s", new long[0], new float[] {0.5f});
    private static final OnnxTensor ZERO_INT8 = OnnxTensor.ofInt8("z", new long[0], new byte[] {0});

    private static String refusal(OnnxModel m) {
        return assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(m)).getMessage();
    }

    /** x * DequantizeLinear(w, s, z): the folded weight times a computed input of ones is the weight itself. */
    private static float[] dequantizedWeight(OnnxTensor w, OnnxTensor s, OnnxTensor z, OnnxAttribute... attrs) {
        List<OnnxNode> nodes = List.of(node("dq", "DequantizeLinear", List.of("w", "s", "z"), List.of("wf"), attrs),
                node("mul", "Mul", List.of("x", "wf"), List.of("y")));
        GraphModel g = OnnxImporter.importModel(model(21, nodes, List.of(w, s, z),
                List.of(floatValue("x", w.dims())), List.of(floatValue("y", w.dims()))));
        int[] dims = new int[w.dims().length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) w.dims()[i];
        }
        return g.forward(Tensor.ones(dims)).toFloatArray();
    }

    private static OnnxModel chain(OnnxTensor zeroPoint, List<OnnxTensor> extra, List<OnnxNode> middle, String last) {
        List<OnnxNode> nodes = new ArrayList<>();
        nodes.add(node("q", "QuantizeLinear", List.of("x", "s", "z"), List.of("xq")));
        nodes.addAll(middle);
        nodes.add(node("dq", "DequantizeLinear", List.of(last, "s", "z"), List.of("y")));
        List<OnnxTensor> inits = new ArrayList<>(List.of(SCALE, zeroPoint));
        inits.addAll(extra);
        return model(21, nodes, inits, List.of(floatValue("x", 1, 6)), List.of(floatValue("y", 1, 6)));
    }

    @Test
    void anInt8WeightDequantizesToZeroPointShiftedTimesScale() {
        OnnxTensor w = OnnxTensor.ofInt8("w", new long[] {4}, new byte[] {-128, -1, 0, 127});
        OnnxTensor z = OnnxTensor.ofInt8("z", new long[0], new byte[] {-1});
        assertArrayEquals(new float[] {-63.5f, 0f, 0.5f, 64f}, dequantizedWeight(w, SCALE, z));
    }

    @Test
    void aDequantizeLinearWithoutZeroPointTakesItsInputsType() {
        OnnxTensor w = OnnxTensor.ofInt8("w", new long[] {3}, new byte[] {-128, 0, 127});
        List<OnnxNode> nodes = List.of(node("dq", "DequantizeLinear", List.of("w", "s"), List.of("wf")),
                node("mul", "Mul", List.of("x", "wf"), List.of("y")));
        GraphModel g = OnnxImporter.importModel(model(21, nodes, List.of(w, SCALE), List.of(floatValue("x", 3)),
                List.of(floatValue("y", 3))));
        assertArrayEquals(new float[] {-64f, 0f, 63.5f}, g.forward(Tensor.ones(3)).toFloatArray());
    }

    @Test
    void aPerAxisWeightUsesEachChannelsScaleAndZeroPoint() {
        OnnxTensor w = OnnxTensor.ofUint8("w", new long[] {2, 3}, new byte[] {0, 1, 2, 10, 11, 12});
        OnnxTensor s = OnnxTensor.ofFloats("s", new long[] {2}, new float[] {1f, 0.25f});
        OnnxTensor z = OnnxTensor.ofUint8("z", new long[] {2}, new byte[] {1, 10});
        assertArrayEquals(new float[] {-1f, 0f, 1f, 0f, 0.25f, 0.5f},
                dequantizedWeight(w, s, z, OnnxAttribute.ofInt("axis", 0)));
    }

    @Test
    void int4Int16AndInt32WeightsDequantize() {
        OnnxTensor w4 = OnnxTensor.ofInt4("w", new long[] {3}, new byte[] {-8, 0, 7});
        OnnxTensor z4 = OnnxTensor.ofInt4("z", new long[0], new byte[] {0});
        assertArrayEquals(new float[] {-4f, 0f, 3.5f}, dequantizedWeight(w4, SCALE, z4));
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -32768).putShort((short) 5);
        OnnxTensor w16 = new OnnxTensor("w", DataType.INT16, new long[] {2}, b.array());
        OnnxTensor z16 = new OnnxTensor("z", DataType.INT16, new long[0], new byte[2]);
        assertArrayEquals(new float[] {-16384f, 2.5f}, dequantizedWeight(w16, SCALE, z16));
        OnnxTensor w32 = OnnxTensor.ofInt32("w", new long[] {2}, new int[] {1 << 30, -7});
        OnnxTensor z32 = OnnxTensor.ofInt32("z", new long[0], new int[] {0});
        assertArrayEquals(new float[] {(1 << 30) * 0.5f, -3.5f}, dequantizedWeight(w32, SCALE, z32));
    }

    @Test
    void aQuantizeDequantizeChainBecomesOneLayerWithOnnxsArithmetic() {
        GraphModel g = OnnxImporter.importModel(chain(ZERO_INT8, List.of(), List.of(), "xq"));
        QuantizeDequantize layer = assertInstanceOf(QuantizeDequantize.class, g.node("dq"));
        assertEquals(-128, layer.qmin());
        assertEquals(127, layer.qmax());
        // 0.25 / 0.5 = 0.5 and 0.75 / 0.5 = 1.5 are ties: to even, 0 and 2. Integers have no -0, so -0 gives +0.
        Tensor x = Tensor.of(new float[] {0.25f, 0.75f, -0.25f, 1000f, -1000f, -0f}, 1, 6);
        assertArrayEquals(new float[] {0f, 1f, 0f, 63.5f, -64f, 0f}, g.forward(x).toFloatArray());
    }

    @Test
    void aClipOnTheIntegersNarrowsTheRange() {
        OnnxTensor lo = OnnxTensor.ofInt8("lo", new long[0], new byte[] {-4});
        OnnxTensor hi = OnnxTensor.ofInt8("hi", new long[0], new byte[] {3});
        GraphModel g = OnnxImporter.importModel(chain(ZERO_INT8, List.of(lo, hi),
                List.of(node("clip", "Clip", List.of("xq", "lo", "hi"), List.of("xc"))), "xc"));
        Tensor x = Tensor.of(new float[] {-9f, -2f, 0.4f, 1.4f, 1.6f, 9f}, 1, 6);
        assertArrayEquals(new float[] {-2f, -2f, 0.5f, 1.5f, 1.5f, 1.5f}, g.forward(x).toFloatArray());
    }

    @Test
    void quantizedIntegersAsAGraphOutputAreRefusedNamingTheNode() {
        OnnxModel m = model(21, List.of(node("q", "QuantizeLinear", List.of("x", "s", "z"), List.of("y"))),
                List.of(SCALE, ZERO_INT8), List.of(floatValue("x", 1, 6)), List.of(floatValue("y", 1, 6)));
        String message = refusal(m);
        assertTrue(message.contains("'q' (QuantizeLinear)"), message);
    }

    @Test
    void quantizedIntegersReadByAnotherOperatorAreRefused() {
        OnnxModel m = model(21, List.of(node("q", "QuantizeLinear", List.of("x", "s", "z"), List.of("xq")),
                node("relu", "Relu", List.of("xq"), List.of("y"))), List.of(SCALE, ZERO_INT8),
                List.of(floatValue("x", 1, 6)), List.of(floatValue("y", 1, 6)));
        String message = refusal(m);
        assertTrue(message.contains("'relu' (Relu)") && message.contains("'q' (QuantizeLinear)"), message);
    }

    @Test
    void aNonZeroBlockSizeIsRefused() {
        OnnxTensor w = OnnxTensor.ofInt8("w", new long[] {4}, new byte[] {1, 2, 3, 4});
        String message = assertThrows(OnnxImportException.class,
                () -> dequantizedWeight(w, SCALE, ZERO_INT8, OnnxAttribute.ofInt("block_size", 2))).getMessage();
        assertTrue(message.contains("block_size 2"), message);
    }

    @Test
    void aDequantizeLinearWithOtherParametersThanItsQuantizeLinearIsRefused() {
        List<OnnxNode> nodes = List.of(node("q", "QuantizeLinear", List.of("x", "s", "z"), List.of("xq")),
                node("dq", "DequantizeLinear", List.of("xq", "s2", "z"), List.of("y")));
        OnnxTensor s2 = OnnxTensor.ofFloats("s2", new long[0], new float[] {0.25f});
        String message = refusal(model(21, nodes, List.of(SCALE, s2, ZERO_INT8), List.of(floatValue("x", 1, 6)),
                List.of(floatValue("y", 1, 6))));
        assertTrue(message.contains("'dq' (DequantizeLinear)") && message.contains("differ"), message);
    }

    @Test
    void aQuantizeLinearOfAConstantFoldsToItsIntegers() {
        OnnxTensor w = OnnxTensor.ofFloats("w", new long[] {3}, new float[] {0.25f, 0.75f, 100f});
        List<OnnxNode> nodes = List.of(node("q", "QuantizeLinear", List.of("w", "s", "z"), List.of("wq")),
                node("dq", "DequantizeLinear", List.of("wq", "s", "z"), List.of("wf")),
                node("mul", "Mul", List.of("x", "wf"), List.of("y")));
        GraphModel g = OnnxImporter.importModel(model(21, nodes, List.of(w, SCALE, ZERO_INT8),
                List.of(floatValue("x", 3)), List.of(floatValue("y", 3))));
        assertArrayEquals(new float[] {0f, 1f, 63.5f}, g.forward(Tensor.ones(3)).toFloatArray());
    }
}
