package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network as a directed acyclic graph of named nodes, each a module applied to named inputs: graph inputs or
 * other nodes' outputs. This is what expresses residual and multi-branch networks, and what exporters and
 * quantization-aware training walk: {@link #nodeNames()} in execution order, {@link #nodeInputs}, and
 * {@link #replaceChild} to wrap a node (its module is looked up by name on every forward pass).
 *
 * <pre>{@code
 * GraphModel block = GraphModel.builder()
 *         .input("x")
 *         .node("conv", new Conv2D(...), "x")
 *         .node("add", new Add(), "conv", "x")
 *         .node("relu", new ReLU(), "add")
 *         .output("relu")
 *         .build();
 * }</pre>
 *
 * <p>{@link Builder#build()} rejects duplicate names, references to unknown names, cycles, and unused nodes or
 * inputs. Unused ones are errors rather than warnings: a node whose result reaches no output is almost always a
 * wiring mistake, and its parameters would still be saved and "trained" without ever receiving a gradient.
 * Nodes may be declared in any order; they run in a topological order that keeps the declaration order wherever
 * the dependencies allow, and the children (so the parameter names) follow that order.
 */
public final class GraphModel extends Module {
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final List<String> order;
    private final Map<String, List<String>> nodeInputs;

    private GraphModel(List<String> inputNames, List<String> outputNames, List<String> order,
            Map<String, List<String>> nodeInputs, Map<String, Module> modules) {
        this.inputNames = List.copyOf(inputNames);
        this.outputNames = List.copyOf(outputNames);
        this.order = List.copyOf(order);
        this.nodeInputs = new LinkedHashMap<>();
        for (String name : order) {
            this.nodeInputs.put(name, List.copyOf(nodeInputs.get(name)));
            registerChild(name, modules.get(name));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value of the only output; a graph with several outputs needs {@link #forwardAll}. */
    @Override
    public Tensor forward(Tensor... inputs) {
        if (outputNames.size() != 1) {
            throw new IllegalStateException("This graph has " + outputNames.size() + " outputs " + outputNames
                    + "; call forwardAll to get them all");
        }
        return forwardAll(inputs).get(outputNames.get(0));
    }

    /** Runs the graph on its inputs (in the order they were declared) and returns every output by name. */
    public Map<String, Tensor> forwardAll(Tensor... inputs) {
        Map<String, Tensor> values = forwardEveryNode(inputs);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : outputNames) {
            out.put(name, values.get(name));
        }
        return out;
    }

    /**
     * Runs the graph on its inputs and returns the value of every input and node by name, in execution order: what
     * analyses of intermediate values (sizes, statistics) read.
     */
    public Map<String, Tensor> forwardEveryNode(Tensor... inputs) {
        if (inputs.length != inputNames.size()) {
            throw new IllegalArgumentException("This graph takes " + inputNames.size() + " inputs " + inputNames
                    + ", got " + inputs.length);
        }
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            values.put(inputNames.get(i), inputs[i]);
        }
        for (String name : order) {
            List<String> args = nodeInputs.get(name);
            Tensor[] x = new Tensor[args.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = values.get(args.get(i));
            }
            values.put(name, child(name).forward(x));
        }
        return values;
    }

    /** The module of node {@code name}. */
    public Module node(String name) {
        requireNode(name);
        return child(name);
    }

    /** The node names in execution order. */
    public List<String> nodeNames() {
        return order;
    }

    /** The names node {@code name} reads, in argument order: graph inputs or other nodes. */
    public List<String> nodeInputs(String name) {
        requireNode(name);
        return nodeInputs.get(name);
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    private void requireNode(String name) {
        if (!nodeInputs.containsKey(name)) {
            throw new IllegalArgumentException("The graph has no node '" + name + "'"
                    + (inputNames.contains(name) ? " ('" + name + "' is a graph input)" : "") + "; its nodes are "
                    + order);
        }
    }

    /** Collects inputs, nodes and outputs; {@link #build()} validates the whole graph at once. */
    public static final class Builder {
        private final List<String> inputs = new ArrayList<>();
        private final Map<String, Module> modules = new LinkedHashMap<>();
        private final Map<String, List<String>> nodeInputs = new LinkedHashMap<>();
        private final List<String> outputs = new ArrayList<>();

        private Builder() {
        }

        /** Declares a graph input; {@code forward} takes the inputs in declaration order. */
        public Builder input(String name) {
            requireNewName(name);
            inputs.add(name);
            return this;
        }

        /** Declares a node that applies {@code module} to the named inputs (graph inputs or nodes, in any order). */
        public Builder node(String name, Module module, String... inputNames) {
            requireNewName(name);
            if (module == null) {
                throw new IllegalArgumentException("Node '" + name + "' has no module");
            }
            if (inputNames.length == 0) {
                throw new IllegalArgumentException("Node '" + name + "' reads nothing; name at least one graph input "
                        + "or node");
            }
            modules.put(name, module);
            nodeInputs.put(name, List.of(inputNames));
            return this;
        }

        /** Declares outputs, in the order {@code forwardAll} returns them. */
        public Builder output(String... names) {
            for (String name : names) {
                if (outputs.contains(name)) {
                    throw new IllegalArgumentException("'" + name + "' is already an output");
                }
                outputs.add(name);
            }
            return this;
        }

        /** Validates the graph and orders its nodes. */
        public GraphModel build() {
            if (inputs.isEmpty() || outputs.isEmpty()) {
                throw new IllegalArgumentException("A graph needs at least one input and one output; it has inputs "
                        + inputs + " and outputs " + outputs);
            }
            List<String> unknown = new ArrayList<>();
            nodeInputs.forEach((node, args) -> {
                for (String arg : args) {
                    if (!isDefined(arg)) {
                        unknown.add("node '" + node + "' reads '" + arg + "'");
                    }
                }
            });
            for (String out : outputs) {
                if (!isDefined(out)) {
                    unknown.add("output '" + out + "'");
                }
            }
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("Unknown names (neither a graph input nor a node): "
                        + String.join(", ", unknown));
            }
            List<String> order = topologicalOrder();
            Set<String> unused = new LinkedHashSet<>(inputs);
            unused.addAll(modules.keySet());
            unused.removeAll(reachableFromOutputs());
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException("Inputs or nodes " + unused + " contribute to no output; remove "
                        + "them or declare them with output(...)");
            }
            return new GraphModel(inputs, outputs, order, nodeInputs, modules);
        }

        private boolean isDefined(String name) {
            return inputs.contains(name) || modules.containsKey(name);
        }

        /** Kahn's algorithm, taking the earliest-declared ready node each time. */
        private List<String> topologicalOrder() {
            Set<String> done = new HashSet<>(inputs);
            List<String> pending = new ArrayList<>(modules.keySet());
            List<String> order = new ArrayList<>();
            boolean progress = true;
            while (!pending.isEmpty() && progress) {
                progress = false;
                for (int i = 0; i < pending.size(); i++) {
                    String node = pending.get(i);
                    if (done.containsAll(nodeInputs.get(node))) {
                        order.add(node);
                        done.add(node);
                        pending.remove(i);
                        progress = true;
                        break;
                    }
                }
            }
            if (!pending.isEmpty()) {
                throw new IllegalArgumentException("The graph has a cycle: nodes " + pending + " are on it or depend "
                        + "on it");
            }
            return order;
        }

        private Set<String> reachableFromOutputs() {
            Set<String> seen = new HashSet<>(outputs);
            Deque<String> todo = new ArrayDeque<>(outputs);
            while (!todo.isEmpty()) {
                for (String arg : nodeInputs.getOrDefault(todo.pop(), List.of())) {
                    if (seen.add(arg)) {
                        todo.push(arg);
                    }
                }
            }
            return seen;
        }

        private void requireNewName(String name) {
            if (name == null || name.isEmpty() || name.contains(".")) {
                throw new IllegalArgumentException("Graph name '" + name + "' is not allowed: names must be non-empty "
                        + "and contain no '.'");
            }
            if (isDefined(name)) {
                throw new IllegalArgumentException("Duplicate name '" + name + "': it is already a graph "
                        + (inputs.contains(name) ? "input" : "node"));
            }
        }
    }
}
