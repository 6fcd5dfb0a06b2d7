package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Layers;
import io.jqi.nn.Module;
import io.jqi.nn.Sequential;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as one flat graph of leaf layers, the form quantization works on: nested {@link Sequential} and
 * {@link GraphModel} containers are inlined (node {@code stem.conv} becomes {@code stem_conv}, keeping its dotted
 * path), every layer is a copy, and nodes are in execution order.
 */
final class FlatGraph {
    /** A leaf layer applied to named values (graph inputs or other nodes). */
    static final class Node {
        final String name;
        final String path;
        Module module;
        final List<String> inputs;

        Node(String name, String path, Module module, List<String> inputs) {
            this.name = name;
            this.path = path;
            this.module = module;
            this.inputs = new ArrayList<>(inputs);
        }

        String kind() {
            return Layers.kind(module.getClass());
        }
    }

    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    final LinkedHashMap<String, Node> nodes = new LinkedHashMap<>();

    private FlatGraph() {
    }

    /** The flat graph of {@code model}, on copies of its layers. */
    static FlatGraph of(Module model) {
        FlatGraph g = new FlatGraph();
        if (model instanceof GraphModel graph) {
            g.inputs.addAll(graph.inputNames());
            Map<String, String> values = new LinkedHashMap<>();
            graph.inputNames().forEach(n -> values.put(n, n));
            g.outputs.addAll(g.inline(graph, "", "", values));
        } else {
            g.inputs.add("input");
            g.outputs.add(g.add("", "", "", model, List.of("input")));
        }
        return g;
    }

    /** Adds {@code module} (inlining containers) reading {@code args}; returns the name of its output value. */
    private String add(String name, String namePrefix, String pathPrefix, Module module, List<String> args) {
        String fullName = namePrefix + name;
        String fullPath = pathPrefix + name;
        if (module instanceof Sequential s) {
            List<String> x = args;
            for (Map.Entry<String, Module> e : s.namedChildren().entrySet()) {
                x = List.of(add(e.getKey(), prefix(fullName, "_"), prefix(fullPath, "."), e.getValue(), x));
            }
            return x.get(0);
        }
        if (module instanceof GraphModel graph) {
            if (graph.inputNames().size() != args.size()) {
                throw new IllegalArgumentException("Nested graph '" + fullPath + "' takes " + graph.inputNames().size()
                        + " inputs but receives " + args.size());
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                values.put(graph.inputNames().get(i), args.get(i));
            }
            List<String> outs = inline(graph, prefix(fullName, "_"), prefix(fullPath, "."), values);
            if (outs.size() != 1) {
                throw new IllegalArgumentException("Nested graph '" + fullPath + "' has " + outs.size() + " outputs; "
                        + "only a top-level graph may have several");
            }
            return outs.get(0);
        }
        String nodeName = fullName.isEmpty() ? module.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
                : fullName;
        if (nodes.containsKey(nodeName) || inputs.contains(nodeName)) {
            throw new IllegalArgumentException("Two layers of the model flatten to the same node name '" + nodeName
                    + "'; rename one of them (names of nested containers are joined with '_')");
        }
        nodes.put(nodeName, new Node(nodeName, fullPath.isEmpty() ? nodeName : fullPath, LayerCopies.copy(module),
                args));
        return nodeName;
    }

    private List<String> inline(GraphModel graph, String namePrefix, String pathPrefix, Map<String, String> values) {
        for (String node : graph.nodeNames()) {
            List<String> args = graph.nodeInputs(node).stream().map(values::get).toList();
            values.put(node, add(node, namePrefix, pathPrefix, graph.node(node), args));
        }
        return graph.outputNames().stream().map(values::get).toList();
    }

    private static String prefix(String name, String separator) {
        return name.isEmpty() ? "" : name + separator;
    }

    /** The nodes that read value {@code name}. */
    List<Node> consumers(String name) {
        return nodes.values().stream().filter(n -> n.inputs.contains(name)).toList();
    }

    /**
     * Inserts {@code node}, which reads value {@code after}, right after it in execution order; every other reader
     * of {@code after} (and the outputs) read {@code node} instead.
     */
    void insertAfter(String after, Node node) {
        if (nodes.containsKey(node.name) || inputs.contains(node.name)) {
            throw new IllegalArgumentException("The model already has a node named '" + node.name + "'");
        }
        for (Node n : nodes.values()) {
            n.inputs.replaceAll(v -> v.equals(after) ? node.name : v);
        }
        outputs.replaceAll(v -> v.equals(after) ? node.name : v);
        LinkedHashMap<String, Node> reordered = new LinkedHashMap<>();
        if (inputs.contains(after)) {
            reordered.put(node.name, node);
        }
        for (Node n : nodes.values()) {
            reordered.put(n.name, n);
            if (n.name.equals(after)) {
                reordered.put(node.name, node);
            }
        }
        nodes.clear();
        nodes.putAll(reordered);
    }

    /** Removes node {@code name}, whose only input takes its place everywhere. */
    void bypass(String name) {
        Node node = nodes.remove(name);
        String replacement = node.inputs.get(0);
        for (Node n : nodes.values()) {
            n.inputs.replaceAll(v -> v.equals(name) ? replacement : v);
        }
        outputs.replaceAll(v -> v.equals(name) ? replacement : v);
    }

    /**
     * Runs the graph in evaluation mode, calling {@code visitor} with every input and node value. Each value is let
     * go after its last consumer has run, so a batch holds only the values still to be read, not the whole forward
     * pass's (the PTQ statistics pass of a ResNet-18 held every activation of its batch).
     */
    void run(Tensor[] values, java.util.function.BiConsumer<String, Tensor> visitor) {
        if (values.length != inputs.size()) {
            throw new IllegalArgumentException("The model takes " + inputs.size() + " inputs " + inputs + ", the "
                    + "representative data gives " + values.length);
        }
        Map<String, Integer> lastUse = new HashMap<>();
        int index = 0;
        for (Node n : nodes.values()) {
            for (String in : n.inputs) {
                lastUse.put(in, index);
            }
            index++;
        }
        Map<String, Tensor> live = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            live.put(inputs.get(i), values[i]);
            visitor.accept(inputs.get(i), values[i]);
        }
        try (var ignored = Tensor.noGrad()) {
            index = 0;
            for (Node n : nodes.values()) {
                n.module.eval();
                Tensor[] args = n.inputs.stream().map(live::get).toArray(Tensor[]::new);
                Tensor y = n.module.forward(args);
                live.put(n.name, y);
                visitor.accept(n.name, y);
                for (String in : n.inputs) {
                    if (lastUse.get(in) == index) {
                        live.remove(in);
                    }
                }
                index++;
            }
        }
    }
}
