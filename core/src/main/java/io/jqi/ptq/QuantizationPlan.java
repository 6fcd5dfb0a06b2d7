package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of post-training analysis: the prepared float graph (batch norms folded, biases corrected) and, per
 * model input and node, how it is quantized with which starting parameters. {@link #build} turns it into a model.
 */
public final class QuantizationPlan {
    /** Suffix of the holder node that quantizes a value, after the reference's naming. */
    public static final String HOLDER_SUFFIX = "_activation_holder_quantizer";

    private final FlatGraph graph;
    private final List<NodePlan> inputs;
    private final List<NodePlan> nodes;

    QuantizationPlan(FlatGraph graph, List<NodePlan> inputs, List<NodePlan> nodes) {
        this.graph = graph;
        this.inputs = List.copyOf(inputs);
        this.nodes = List.copyOf(nodes);
    }

    /** The model inputs, in order. */
    public List<NodePlan> inputs() {
        return inputs;
    }

    /** The layers, in execution order. */
    public List<NodePlan> nodes() {
        return nodes;
    }

    /**
     * The bits of the quantized value node {@code name} reads (its first input), found back through the nodes that
     * pass their input's grid on unquantized (flatten, pooling, fused producers); 0 when that value stays float.
     */
    public int inputActivationBits(String name) {
        NodePlan p = inputActivation(name);
        return p == null ? 0 : p.quantization().activation().bits();
    }

    /**
     * The input or node whose quantized output node {@code name} reads (its first input), found back as
     * {@link #inputActivationBits} finds it; null when that value stays float.
     */
    public NodePlan inputActivation(String name) {
        Map<String, NodePlan> plans = new HashMap<>();
        inputs.forEach(p -> plans.put(p.ref().name(), p));
        nodes.forEach(p -> plans.put(p.ref().name(), p));
        FlatGraph.Node node = graph.nodes.get(name);
        String value = node == null || node.inputs.isEmpty() ? null : node.inputs.get(0);
        while (value != null) {
            NodePlan p = plans.get(value);
            if (p != null && p.quantizesActivation()) {
                return p;
            }
            FlatGraph.Node producer = graph.nodes.get(value);
            value = producer == null || producer.inputs.isEmpty() ? null : producer.inputs.get(0);
        }
        return null;
    }

    /**
     * A new model (its own copies of the layers) in which every quantized kernel's layer is wrapped in a
     * {@link QuantizationWrapper} and every quantized value is followed by an {@link ActivationQuantizationHolder},
     * with quantizers from {@code source}.
     */
    public GraphModel build(QuantizerSource source) {
        GraphModel.Builder b = GraphModel.builder();
        Map<String, String> value = new HashMap<>();
        for (NodePlan in : inputs) {
            String name = in.ref().name();
            b.input(name);
            value.put(name, name);
            holder(b, value, in, source);
        }
        for (NodePlan n : nodes) {
            FlatGraph.Node node = graph.nodes.get(n.ref().name());
            Module module = LayerCopies.copy(node.module);
            if (n.quantizesWeights()) {
                module = new QuantizationWrapper(module, Map.of(n.quantization().kernelAttribute(), source.weights(n)));
            }
            b.node(n.ref().name(), module, node.inputs.stream().map(value::get).toArray(String[]::new));
            value.put(n.ref().name(), n.ref().name());
            holder(b, value, n, source);
        }
        b.output(graph.outputs.stream().map(value::get).toArray(String[]::new));
        return b.build();
    }

    private static void holder(GraphModel.Builder b, Map<String, String> value, NodePlan n, QuantizerSource source) {
        if (n.quantizesActivation()) {
            String name = n.ref().name();
            String holder = name + HOLDER_SUFFIX;
            b.node(holder, new ActivationQuantizationHolder(source.activation(n)), name);
            value.put(name, holder);
        }
    }
}
