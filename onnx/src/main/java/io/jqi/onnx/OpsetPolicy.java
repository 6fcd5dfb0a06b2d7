package io.jqi.onnx;

import io.jqi.onnx.proto.OnnxNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Which default-domain opsets the importer reads. Its operators follow their definitions in opsets 11 to 21. A model
 * of an older opset (7 to 10, as many published models are) is read when every node means under its own definition
 * what it means under opset 11's: the operator has no new version in between, or its newer versions only widened it
 * ({@link #SAME_MEANING_SINCE}), so jqi computes exactly what the model means; others must be converted first.
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

    /**
     * Operators whose definitions from the given version on mean, for every node jqi accepts, what the opset-11 one
     * means: the later versions only allowed negative axes or indices (Flatten, Concat, Softmax, Slice, Squeeze,
     * Unsqueeze, Gather, ReduceMean), made an input optional (Gemm's C), added types (Constant's sparse value), or
     * added attributes whose defaults keep the old behaviour (pooling's ceil_mode, dilations, count_include_pad,
     * storage_order). Conv and pooling also changed how auto_pad SAME pads, so before opset 11 they qualify with
     * explicit pads only; BatchNormalization from version 7 with spatial 1 (version 9 dropped the attribute). Clip-6
     * and Pad-2 took as attributes what later versions take as inputs; their lowerings read either form.
     */
    private static final Map<String, Integer> SAME_MEANING_SINCE = Map.ofEntries(
            Map.entry("Conv", 1), Map.entry("MaxPool", 1), Map.entry("AveragePool", 1),
            Map.entry("Gemm", 7), Map.entry("Flatten", 1), Map.entry("Concat", 4), Map.entry("Softmax", 1),
            Map.entry("Slice", 10), Map.entry("Squeeze", 1), Map.entry("Unsqueeze", 1), Map.entry("Gather", 1),
            Map.entry("ReduceMean", 1), Map.entry("Constant", 1), Map.entry("BatchNormalization", 7),
            Map.entry("Dropout", 7), Map.entry("Clip", 6), Map.entry("Pad", 2));

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

    /** Null when a model of {@code opset} may hold {@code node}, else why not. */
    static String check(OnnxNode node, long opset) {
        String opType = node.opType();
        if (opset > MAX) {
            return "opset " + opset + " is newer than the " + MAX + " jqi reads; convert the model to an opset from "
                    + MIN + " to " + MAX + " (onnx.version_converter)";
        }
        int at = versionAt(opType, opset);
        if (at < 0) {
            return opType + " does not exist in opset " + opset;
        }
        if (opset < MIN && at != versionAt(opType, MIN)) {
            Integer since = SAME_MEANING_SINCE.get(opType);
            String differs = since == null || at < since ? "is an older definition than jqi reads" : olderMeaning(node);
            if (differs != null) {
                return opType + " at opset " + opset + " " + differs + "; convert the model to an opset from " + MIN
                        + " to " + MAX + " (onnx.version_converter)";
            }
        }
        return null;
    }

    /** Null when {@code node}, of an older but widened definition, means what it would at opset 11; else why not. */
    private static String olderMeaning(OnnxNode node) {
        String autoPad = node.attribute("auto_pad").map(a -> new String(a.s(), StandardCharsets.UTF_8)).orElse("NOTSET");
        if (Set.of("Conv", "MaxPool", "AveragePool").contains(node.opType()) && !autoPad.equals("NOTSET")) {
            return "with auto_pad " + autoPad + " pads as opset 11 no longer does";
        }
        if (node.opType().equals("BatchNormalization") && node.attribute("spatial").map(a -> a.i() == 0).orElse(false)) {
            return "with spatial 0 normalizes per element, which opset 9 dropped";
        }
        return null;
    }
}
