package io.jqi.onnx.export;

import io.jqi.nn.Module;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link LayerLowering} writes with: the graph, the layer's inputs, the name its nodes and initializers are
 * named after (the jqi node's), and the quantized weights a {@link io.jqi.quant.wrap.QuantizationWrapper} feeds the
 * layer in place of its float parameters. A quantized weight the lowering does not read is an error
 * ({@link #requireQuantizedWeightsRead}), so that no quantizer is silently dropped from an export.
 */
final class LoweringContext {
    private final GraphWriter graph;
    private final String hint;
    private final List<GraphValue> inputs;
    private final Map<String, String> quantizedWeights;
    private final Set<String> read = new HashSet<>();

    /**
     * @param quantizedWeights per parameter name, the graph value holding the quantized weight (empty for a layer
     *                         outside a wrapper)
     */
    LoweringContext(GraphWriter graph, String hint, List<GraphValue> inputs, Map<String, String> quantizedWeights) {
        this.graph = graph;
        this.hint = hint;
        this.inputs = inputs;
        this.quantizedWeights = quantizedWeights;
    }

    GraphWriter graph() {
        return graph;
    }

    /** The jqi node's name, which the layer's output takes and its other values start with. */
    String hint() {
        return hint;
    }

    /** The first (for most layers the only) input's name. */
    String input() {
        return inputs.get(0).name();
    }

    List<String> inputNames() {
        return inputs.stream().map(GraphValue::name).toList();
    }

    /** The first input's rank, batch dimension included. */
    int inputRank() {
        return inputs.get(0).probe().rank();
    }

    /** A node whose output is the layer's output, named after the jqi node. */
    String node(String opType, List<String> nodeInputs, OnnxAttribute... attributes) {
        return graph.node(opType, hint, nodeInputs, attributes);
    }

    /** A node computing an intermediate value, named after the jqi node and {@code suffix}. */
    String intermediate(String suffix, String opType, List<String> nodeInputs, OnnxAttribute... attributes) {
        return graph.node(opType, hint + "_" + suffix, nodeInputs, attributes);
    }

    /** A float32 initializer named after the jqi node and {@code suffix}. */
    String floats(String suffix, long[] dims, float[] values) {
        return graph.floats(hint + "_" + suffix, dims, values);
    }

    /** A float32 scalar initializer. */
    String scalar(String suffix, float value) {
        return floats(suffix, new long[0], new float[] {value});
    }

    /** A 1-D int64 initializer (a shape). */
    String longs(String suffix, long... values) {
        return graph.longs(hint + "_" + suffix, new long[] {values.length}, values);
    }

    /** {@code value} as a float32 initializer of its shape. */
    String tensor(String suffix, Tensor value) {
        return floats(suffix, QdqNodes.dims(value.shape()), value.toFloatArray());
    }

    /** The quantized weight fed to parameter {@code name}, or null when it is not quantized. */
    String quantized(String name) {
        read.add(name);
        return quantizedWeights.get(name);
    }

    /** Parameter {@code name}: its quantized form where a wrapper quantizes it, else {@code value} as floats. */
    String parameter(String name, Tensor value) {
        String quantized = quantized(name);
        return quantized != null ? quantized : tensor(name, value);
    }

    /** Refuses quantized weights that {@code layer}'s lowering did not write into the graph. */
    void requireQuantizedWeightsRead(Module layer) {
        List<String> unread = quantizedWeights.keySet().stream().filter(name -> !read.contains(name)).toList();
        if (!unread.isEmpty()) {
            throw new OnnxExportException("node '" + hint + "': " + layer.getClass().getSimpleName() + " has "
                    + "quantized weights " + unread + " that its ONNX op does not take");
        }
    }
}
