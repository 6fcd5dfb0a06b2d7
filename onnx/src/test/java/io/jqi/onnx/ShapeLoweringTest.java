package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.model;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        OnnxModel m = reshapedBy(List.of(node("t", "Shape", List.of("x"), List.of("t"))), new long[] {-1, 2, 4, 4});
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

    @Test
    void gatheringFromAComputedValueIsRefused() {
        OnnxModel m = model(13, List.of(node("g", "Gather", List.of("x", "i"), List.of("y"))), List.of(longs("i", 0)),
                List.of(floatValue("x", 1, 2, 4, 4)), List.of(floatValue("y")));
        assertTrue(refusal(m).contains("gathers from a computed value"));
    }
}
