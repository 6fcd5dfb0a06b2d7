package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.model;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.GraphModel;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape arithmetic computed at import: exact integer results, and clear refusals where it cannot be computed. */
class ShapeLoweringTest {

    private static OnnxTensor longs(String name, long... values) {
        return OnnxTensor.ofInt64(name, new long[] {values.length}, values);
    }

    private static OnnxTensor scalar(String name, long value) {
        return OnnxTensor.ofInt64(name, new long[0], new long[] {value});
    }

    /** x [1, 2, 4, 4] reshaped to the target the nodes compute into "t". */
    private static OnnxModel reshapedBy(List<OnnxNode> nodes, long[] inputDims, OnnxTensor... constants) {
        List<OnnxNode> all = new ArrayList<>(nodes);
        all.add(node("r", "Reshape", List.of("x", "t"), List.of("y")));
        return model(13, all, List.of(constants), List.of(floatValue("x", inputDims)), List.of(floatValue("y")));
    }

    private static String refusal(OnnxModel m) {
        return assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(m)).getMessage();
    }

    @Test
    void integerDivisionTruncatesAsOnnxRuntimeDoes() {
        // (4 + 5) / 2 is 4 in int64, where float arithmetic would give 4.5.
        OnnxModel m = reshapedBy(List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("g", "Gather", List.of("s", "i"), List.of("g"), OnnxAttribute.ofInt("axis", 0)),
                node("a", "Add", List.of("g", "five"), List.of("a")),
                node("d", "Div", List.of("a", "two"), List.of("d")),
                node("t", "Concat", List.of("pre", "d"), List.of("t"), OnnxAttribute.ofInt("axis", 0))),
                new long[] {1, 2, 4, 4}, longs("i", 3), longs("five", 5), longs("two", 2), longs("pre", 1, 8));
        GraphModel g = OnnxImporter.importModel(m);
        assertArrayEquals(new int[] {1, 8, 4}, g.forward(Tensor.zeros(1, 2, 4, 4)).shape().toArray());
    }

    @Test
    void slicesOfConstantsFollowOnnxClampingAndNegativeSteps() {
        // Shape [1, 2, 4, 4] sliced from the end backwards with step -2: [4, 2].
        OnnxModel m = reshapedBy(List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("h", "Slice", List.of("s", "st", "en", "ax", "sp"), List.of("h")),
                node("t", "Concat", List.of("one", "h"), List.of("t"), OnnxAttribute.ofInt("axis", 0))),
                new long[] {1, 2, 4, 4}, longs("st", 100), longs("en", -100), longs("ax", 0), longs("sp", -2),
                longs("one", 4));
        GraphModel g = OnnxImporter.importModel(m);
        assertArrayEquals(new int[] {4, 4, 2}, g.forward(Tensor.zeros(1, 2, 4, 4)).shape().toArray());
    }

    @Test
    void theShapeOfAValueOfUnknownShapeIsRefusedWithWhatToChange() {
        OnnxModel m = reshapedBy(List.of(node("t", "Shape", List.of("x"), List.of("t"))), new long[] {1, -1, 4, 4});
        String message = refusal(m);
        assertTrue(message.contains("is not known at import") && message.contains("static input shapes"), message);
    }

    @Test
    void aGatherIndexOutOfRangeIsNamed() {
        OnnxModel m = reshapedBy(List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("t", "Gather", List.of("s", "i"), List.of("t"), OnnxAttribute.ofInt("axis", 0))),
                new long[] {1, 2, 4, 4}, longs("i", 7));
        assertTrue(refusal(m).contains("index 7 is out of range for axis 0 of size 4"));
    }

    @Test
    void anIntegerDivisionByZeroIsNamed() {
        OnnxModel m = reshapedBy(List.of(node("t", "Div", List.of("a", "z"), List.of("t"))), new long[] {1, 2, 4, 4},
                longs("a", 1, 2, 16), longs("z", 0));
        assertTrue(refusal(m).contains("divides the integer 1 by zero"));
    }

    @Test
    void aGatherThatWouldMakeTooManyElementsIsRefusedBeforeAllocating() {
        OnnxTensor indices = OnnxTensor.ofInt64("i", new long[] {1 << 13, 1 << 12}, new long[1 << 25]);
        OnnxModel m = reshapedBy(List.of(node("t", "Gather", List.of("d", "i"), List.of("t"))),
                new long[] {1, 2, 4, 4}, longs("d", 1, 2), indices);
        assertTrue(refusal(m).contains("over the limit"));
    }

    /** ShuffleNet's channel shuffle as PyTorch exports it with a dynamic batch: view(batch, 2, C / 2, H, W). */
    private static OnnxModel dynamicBatchShuffle(String batchOp, OnnxTensor operand) {
        List<OnnxNode> nodes = new ArrayList<>(List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("b", "Gather", List.of("s", "zero"), List.of("b"), OnnxAttribute.ofInt("axis", 0))));
        String batch = "b";
        if (batchOp != null) {
            nodes.add(node("op", batchOp, List.of("b", "k"), List.of("bk")));
            batch = "bk";
        }
        nodes.add(node("u", "Unsqueeze", List.of(batch, "axes"), List.of("u")));
        nodes.add(node("t", "Concat", List.of("u", "rest"), List.of("t"), OnnxAttribute.ofInt("axis", 0)));
        nodes.add(node("r", "Reshape", List.of("x", "t"), List.of("v")));
        nodes.add(node("p", "Transpose", List.of("v"), List.of("w"), OnnxAttribute.ofInts("perm", 0, 2, 1, 3, 4)));
        nodes.add(node("f", "Reshape", List.of("w", "back"), List.of("y")));
        List<OnnxTensor> constants = new ArrayList<>(List.of(OnnxTensor.ofInt64("zero", new long[0], new long[] {0}),
                longs("axes", 0), longs("rest", 2, 2, 3, 3), longs("back", 0, -1, 3, 3)));
        if (operand != null) {
            constants.add(operand);
        }
        return model(13, nodes, constants, List.of(OnnxModels.batchedFloatValue("x", 4, 3, 3)),
                List.of(floatValue("y")));
    }

    @Test
    void theBatchSizeOfADynamicBatchAxisFlowsIntoAReshapesFirstEntry() {
        GraphModel g = OnnxImporter.importModel(dynamicBatchShuffle(null, null));
        for (int batch : new int[] {1, 3}) {
            Tensor x = Tensor.randn(new java.util.Random(batch), batch, 4, 3, 3);
            Tensor y = g.forward(x);
            assertArrayEquals(new int[] {batch, 4, 3, 3}, y.shape().toArray());
            // channels (0, 1, 2, 3) shuffled to (0, 2, 1, 3)
            float[] in = x.toFloatArray();
            float[] out = y.toFloatArray();
            int[] from = {0, 2, 1, 3};
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < 4; c++) {
                    for (int i = 0; i < 9; i++) {
                        assertEquals(in[(n * 4 + from[c]) * 9 + i], out[(n * 4 + c) * 9 + i]);
                    }
                }
            }
        }
    }

    @Test
    void theBatchSizeTimesOneIsStillTheBatchSize() {
        GraphModel g = OnnxImporter.importModel(dynamicBatchShuffle("Mul", scalar("k", 1)));
        assertArrayEquals(new int[] {2, 4, 3, 3}, g.forward(Tensor.zeros(2, 4, 3, 3)).shape().toArray());
    }

    @Test
    void arithmeticThatNeedsTheBatchSizeIsRefusedSayingWhatToChange() {
        String message = refusal(dynamicBatchShuffle("Mul", scalar("k", 2)));
        assertTrue(message.contains("depends on the batch size") && message.contains("fixed batch size"), message);
    }

    @Test
    void gatheringFromAComputedValueIsRefused() {
        OnnxModel m = model(13, List.of(node("g", "Gather", List.of("x", "i"), List.of("y"))), List.of(longs("i", 0)),
                List.of(floatValue("x", 1, 2, 4, 4)), List.of(floatValue("y")));
        assertTrue(refusal(m).contains("gathers from a computed value"));
    }
}
