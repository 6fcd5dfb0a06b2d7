package io.jqi.onnx;

import java.util.Map;

/**
 * Which default-domain opsets the importer reads. Its operators follow their definitions in opsets 11 to 21. A model
 * of an older opset is read when every operator it uses has the same definition at its opset as at opset 11 (no new
 * version in between), since jqi then computes exactly what the model means; others must be converted first.
 */
final class OpsetPolicy {
    static final int MIN = 11;
    static final int MAX = 21;

    /** The opset versions at which each supported operator got a new definition (ONNX's Operators.md). */
    private static final Map<String, int[]> SINCE = Map.ofEntries(
            Map.entry("Conv", new int[] {1, 11}),
            Map.entry("Gemm", new int[] {1, 6, 7, 9, 11, 13}),
            Map.entry("MatMul", new int[] {1, 9, 13}),
            Map.entry("Add", new int[] {1, 6, 7, 13, 14}),
            Map.entry("Sub", new int[] {1, 6, 7, 13, 14}),
            Map.entry("Mul", new int[] {1, 6, 7, 13, 14}),
            Map.entry("Div", new int[] {1, 6, 7, 13, 14}),
            Map.entry("Relu", new int[] {1, 6, 13, 14}),
            Map.entry("Clip", new int[] {1, 6, 11, 12, 13}),
            Map.entry("LeakyRelu", new int[] {1, 6, 16}),
            Map.entry("Sigmoid", new int[] {1, 6, 13}),
            Map.entry("Tanh", new int[] {1, 6, 13}),
            Map.entry("HardSwish", new int[] {14}),
            Map.entry("HardSigmoid", new int[] {1, 6}),
            Map.entry("MaxPool", new int[] {1, 8, 10, 11, 12}),
            Map.entry("AveragePool", new int[] {1, 7, 10, 11, 19}),
            Map.entry("GlobalAveragePool", new int[] {1}),
            Map.entry("ReduceMean", new int[] {1, 11, 13, 18}),
            Map.entry("Erf", new int[] {9, 13}),
            Map.entry("Sqrt", new int[] {1, 6, 13}),
            Map.entry("Pow", new int[] {1, 7, 12, 13, 15}),
            Map.entry("Pad", new int[] {1, 2, 11, 13, 18, 19, 21}),
            Map.entry("Slice", new int[] {1, 10, 11, 13}),
            Map.entry("Shape", new int[] {1, 13, 15, 19, 21}),
            Map.entry("Gather", new int[] {1, 11, 13}),
            Map.entry("Unsqueeze", new int[] {1, 11, 13, 21}),
            Map.entry("Squeeze", new int[] {1, 11, 13, 21}),
            Map.entry("Cast", new int[] {1, 6, 9, 13, 19, 21}),
            Map.entry("Flatten", new int[] {1, 9, 11, 13, 21}),
            Map.entry("Reshape", new int[] {1, 5, 13, 14, 19, 21}),
            Map.entry("Transpose", new int[] {1, 13, 21}),
            Map.entry("Concat", new int[] {1, 4, 11, 13}),
            Map.entry("LayerNormalization", new int[] {17}),
            Map.entry("BatchNormalization", new int[] {1, 6, 7, 9, 14, 15}),
            Map.entry("Softmax", new int[] {1, 11, 13}),
            Map.entry("Dropout", new int[] {1, 6, 7, 10, 12, 13}),
            Map.entry("Identity", new int[] {1, 13, 14, 16, 19, 21}),
            Map.entry("Constant", new int[] {1, 9, 11, 12, 13, 19, 21}),
            Map.entry("QuantizeLinear", new int[] {10, 13, 19, 21}),
            Map.entry("DequantizeLinear", new int[] {10, 13, 19, 21}));

    private OpsetPolicy() {
    }

    /**
     * The operator's version in effect at {@code opset}, or -1 when the operator did not exist yet (or is not one
     * whose history this holds).
     */
    static int versionAt(String opType, long opset) {
        int found = -1;
        for (int v : SINCE.getOrDefault(opType, new int[0])) {
            if (v <= opset) {
                found = v;
            }
        }
        return found;
    }

    /** Null when a model of {@code opset} may use {@code opType}, else why not. */
    static String check(String opType, long opset) {
        if (opset > MAX) {
            return "opset " + opset + " is newer than the " + MAX + " jqi reads; convert the model to an opset from "
                    + MIN + " to " + MAX + " (onnx.version_converter)";
        }
        int at = versionAt(opType, opset);
        if (at < 0) {
            return opType + " does not exist in opset " + opset;
        }
        if (opset < MIN && at != versionAt(opType, MIN)) {
            return opType + " at opset " + opset + " is an older definition than jqi reads; convert the model to an "
                    + "opset from " + MIN + " to " + MAX + " (onnx.version_converter)";
        }
        return null;
    }
}
