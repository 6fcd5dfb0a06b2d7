package io.jqi.onnx;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.onnx.NodeContext.Operand;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports a float ONNX model into a jqi {@link GraphModel}, which PTQ and QAT then quantize like a model built in
 * jqi. Supported: Conv (2-D), Gemm, MatMul, Add, Sub, Mul, Div, Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSwish,
 * MaxPool, AveragePool (2-D), GlobalAveragePool, Flatten, Reshape, Transpose, Concat, BatchNormalization (inference),
 * Softmax, Dropout, Identity, Constant, QuantizeLinear and DequantizeLinear, of default-domain opsets 11 to 21 (see
 * {@link OpsetPolicy}). QDQ models (jqi's {@code onnx-qdq} exports among them) are read as {@link QdqLowering}
 * describes: integer weights are dequantized at import, quantized activations become
 * {@link io.jqi.nn.QuantizeDequantize} layers.
 *
 * <p>Initializers become layer parameters (convolution and dense weights, batch-norm statistics) or constant
 * operands; nodes whose inputs are all constant are computed once at import. Everything jqi cannot compute exactly
 * (an unsupported operator or attribute value, a non-float input, a shape computed at run time) is an
 * {@link OnnxImportException} naming the node, its op type and what to change; a graph that is not a DAG (a cycle,
 * a value defined twice or never) is refused the same way. The model is returned in evaluation mode.
 *
 * <p>Node names come from the ONNX node names (their output's name when unnamed), with {@code '.'} replaced by
 * {@code '_'} and made unique; the graph's inputs and outputs keep their order.
 */
public final class OnnxImporter {
    private OnnxImporter() {
    }

    /** Reads and imports a model file. */
    public static GraphModel importFile(Path file) {
        return importModel(OnnxCodec.read(file));
    }

    public static GraphModel importModel(OnnxModel model) {
        return importModel(model, Map.of());
    }

    /**
     * Imports {@code model} with some graph inputs bound to constants, which then become initializers (for models
     * that take their weights as inputs, as ONNX's node tests do).
     */
    public static GraphModel importModel(OnnxModel model, Map<String, OnnxTensor> constantInputs) {
        return new Import(model, constantInputs).run();
    }

    private static final class Import {
        private final OnnxGraph graph;
        private final long opset;
        private final Map<String, OnnxTensor> constants = new HashMap<>();
        /** Computed values: ONNX value name to the jqi graph name that holds it. */
        private final Map<String, String> computed = new HashMap<>();
        private final Set<String> usedNames = new HashSet<>();
        /** Static shapes of computed values, where known ({@link StaticShapes}). */
        private final Map<String, long[]> shapes = new HashMap<>();
        /** The integers of QuantizeLinear nodes on computed values, awaiting their DequantizeLinear. */
        private final Map<String, QdqLowering.Quantized> quantized = new HashMap<>();
        private final GraphModel.Builder builder = GraphModel.builder();

        Import(OnnxModel model, Map<String, OnnxTensor> constantInputs) {
            this.graph = model.graph();
            this.opset = model.defaultOpsetVersion();
            Set<String> inputNames = new HashSet<>();
            graph.inputs().forEach(v -> inputNames.add(v.name()));
            for (OnnxTensor t : graph.initializers()) {
                if (constants.put(t.name(), t) != null) {
                    throw new OnnxImportException("initializer '" + t.name() + "' is defined twice");
                }
            }
            constantInputs.forEach((name, t) -> {
                if (!inputNames.contains(name)) {
                    throw new IllegalArgumentException("'" + name + "' is not a graph input; the inputs are "
                            + inputNames);
                }
                constants.put(name, t);
            });
        }

        GraphModel run() {
            if (opset < 0) {
                throw new OnnxImportException("the model imports no default (ai.onnx) opset");
            }
            List<OnnxNode> order = topologicalOrder();
            Set<String> consumed = new HashSet<>();
            graph.outputs().forEach(v -> consumed.add(v.name()));
            for (OnnxNode n : graph.nodes()) {
                consumed.addAll(n.inputs());
            }
            Set<String> live = liveValues();
            declareInputs(live);
            for (OnnxNode node : order) {
                if (node.outputs().isEmpty() || !live.contains(node.outputs().get(0))) {
                    continue; // dead code: nothing it computes reaches an output
                }
                importNode(node, consumed);
            }
            List<String> outputs = new ArrayList<>();
            for (OnnxValueInfo out : graph.outputs()) {
                String name = computed.get(out.name());
                QdqLowering.Quantized integers = quantized.get(out.name());
                if (integers != null) {
                    throw new OnnxImportException("graph output '" + out.name() + "' is the integers of "
                            + integers.producer() + "; jqi computes in float and imports QuantizeLinear only in "
                            + "QuantizeLinear -> [Clip] -> DequantizeLinear chains (output the DequantizeLinear)");
                }
                if (name == null) {
                    throw new OnnxImportException("graph output '" + out.name() + "' is "
                            + (constants.containsKey(out.name()) ? "a constant; jqi graphs output computed values only"
                            : "not computed by any node"));
                }
                if (outputs.contains(name)) {
                    throw new OnnxImportException("graph output '" + out.name() + "' is listed twice");
                }
                outputs.add(name);
            }
            if (outputs.isEmpty()) {
                throw new OnnxImportException("the graph has no outputs");
            }
            builder.output(outputs.toArray(String[]::new));
            GraphModel result;
            try {
                result = builder.build();
            } catch (IllegalArgumentException e) {
                throw new OnnxImportException("the imported graph is not valid: " + e.getMessage(), e);
            }
            result.eval();
            return result;
        }

        /**
         * The QuantizeLinear integers {@code c}'s node reads as its first input, when it is a Clip or a
         * DequantizeLinear; any other use of such integers is refused, since jqi's values are float.
         */
        private QdqLowering.Quantized integersRead(NodeContext c) {
            OnnxNode node = c.node;
            for (int i = 0; i < node.inputs().size(); i++) {
                QdqLowering.Quantized q = quantized.get(node.inputs().get(i));
                if (q == null) {
                    continue;
                }
                boolean chain = i == 0 && (node.opType().equals("Clip") || node.opType().equals("DequantizeLinear"));
                if (!chain) {
                    throw c.fail("it reads the integers of " + q.producer() + " ('" + node.inputs().get(i) + "'); jqi "
                            + "computes in float and imports QuantizeLinear only in QuantizeLinear -> [Clip] -> "
                            + "DequantizeLinear chains");
                }
                return q;
            }
            return null;
        }

        private void declareInputs(Set<String> live) {
            for (OnnxValueInfo in : graph.inputs()) {
                if (constants.containsKey(in.name())) {
                    continue; // an initializer listed as an input too (IR 3 and older), or bound by the caller
                }
                if (in.elemType() != DataType.FLOAT && in.elemType() != DataType.UNDEFINED) {
                    throw new OnnxImportException("graph input '" + in.name() + "' is " + in.elemType()
                            + "; jqi imports float models (FLOAT inputs)");
                }
                if (!live.contains(in.name())) {
                    throw new OnnxImportException("graph input '" + in.name() + "' reaches no output; remove it from "
                            + "the model's inputs (jqi graphs take only the inputs they use)");
                }
                if (computed.containsKey(in.name())) {
                    throw new OnnxImportException("graph input '" + in.name() + "' is listed twice");
                }
                String name = uniqueName(in.name());
                builder.input(name);
                computed.put(in.name(), name);
                if (in.shape() != null) {
                    shapes.put(in.name(), in.shape().stream().mapToLong(d -> d.value()).toArray());
                }
            }
        }

        private void importNode(OnnxNode node, Set<String> consumed) {
            String where = "node '" + node.name() + "' (" + node.opType() + ")";
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                throw new OnnxImportException(where + ": domain '" + node.domain() + "' is not supported; jqi "
                        + "imports operators of the default ai.onnx domain");
            }
            if (!NodeLowering.supports(node.opType())) {
                List<String> operators = List.copyOf(NodeLowering.operators());
                throw new OnnxImportException(where + ": operator " + node.opType() + " is not supported; jqi "
                        + "imports " + String.join(", ", operators.subList(0, operators.size() - 1)) + " and "
                        + operators.get(operators.size() - 1));
            }
            String opsetProblem = OpsetPolicy.check(node, opset);
            if (opsetProblem != null) {
                throw new OnnxImportException(where + ": " + opsetProblem);
            }
            if (node.outputs().isEmpty() || node.outputs().get(0).isEmpty()) {
                throw new OnnxImportException(where + ": it has no output");
            }
            List<Operand> operands = new ArrayList<>();
            boolean allConstant = true;
            for (String in : node.inputs()) {
                OnnxTensor k = in.isEmpty() ? null : constants.get(in);
                operands.add(new Operand(in, k));
                allConstant &= in.isEmpty() || k != null;
            }
            NodeContext context = new NodeContext(node, opset, operands, consumed, shapes::get);
            String output = node.outputs().get(0);
            ShapeLowering.requireNoBatch(context);
            Lowered lowered;
            try {
                QdqLowering.Quantized integers = integersRead(context);
                if (integers != null) {
                    // Clip narrows the integers' range; DequantizeLinear ends the chain as one layer.
                    if (node.opType().equals("Clip")) {
                        quantized.put(output, QdqLowering.clip(context, integers));
                        return;
                    }
                    lowered = Lowered.of(QdqLowering.dequantize(context, integers, shapes.get(integers.source())),
                            integers.source());
                } else if (node.opType().equals("QuantizeLinear") && !context.required(0, "x").isConstant()) {
                    if (!computed.containsKey(context.input(0).name())) {
                        throw context.fail("its input '" + context.input(0).name() + "' is not a computed float value");
                    }
                    quantized.put(output, QdqLowering.quantize(context));
                    return;
                } else if (node.opType().equals("DequantizeLinear") && !context.required(0, "x").isConstant()) {
                    throw context.fail("its input '" + context.input(0).name() + "' is computed but not by a "
                            + "QuantizeLinear; jqi dequantizes integer constants (folded at import) and the integers "
                            + "of QuantizeLinear -> [Clip] -> DequantizeLinear chains");
                } else {
                    lowered = NodeLowering.lower(context);
                }
            } catch (IllegalArgumentException | ArithmeticException e) {
                // A layer refusing its hyper-parameters (checked there, once): still this node's problem.
                throw context.fail(e.getMessage());
            }
            if (lowered.constant() != null) {
                constants.put(output, lowered.constant());
                return;
            }
            if (allConstant) {
                List<OnnxTensor> values = new ArrayList<>();
                for (Operand op : operands) {
                    if (op.present()) {
                        values.add(op.constant());
                    }
                }
                FoldGuard.check(context, values);
                constants.put(output, fold(context, lowered, output));
                return;
            }
            String previous = null;
            List<Module> chain = lowered.chain();
            String base = node.name().isEmpty() ? output : node.name();
            for (int i = 0; i < chain.size(); i++) {
                boolean last = i == chain.size() - 1;
                String name = uniqueName(last ? base : base + "_" + chain.get(i).getClass().getSimpleName());
                String[] args;
                if (previous == null) {
                    args = lowered.inputs().stream().map(in -> {
                        String jqi = computed.get(in);
                        if (jqi == null) {
                            throw context.fail("it reads '" + in + "', which is neither computed nor a constant");
                        }
                        return jqi;
                    }).toArray(String[]::new);
                } else {
                    args = new String[] {previous};
                }
                builder.node(name, chain.get(i), args);
                previous = name;
            }
            computed.put(output, previous);
            if (chain.size() == 1) {
                List<long[]> inputShapes = new ArrayList<>();
                for (String in : lowered.inputs()) {
                    inputShapes.add(shapes.get(in));
                }
                long[] shape = StaticShapes.of(chain.get(0), inputShapes);
                if (shape != null) {
                    shapes.put(output, shape);
                }
            }
        }

        /** Computes a node whose inputs are all constants, once, at import. */
        private OnnxTensor fold(NodeContext context, Lowered lowered, String output) {
            try (var ignored = Tensor.noGrad()) {
                Tensor[] args = new Tensor[lowered.inputs().size()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = Tensors.toTensor(constants.get(lowered.inputs().get(i)), context);
                }
                Tensor value = null;
                for (Module layer : lowered.chain()) {
                    layer.eval();
                    value = value == null ? layer.forward(args) : layer.forward(value);
                }
                return Tensors.fromTensor(output, value);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw context.fail("computing it from its constant inputs failed: " + e.getMessage());
            }
        }

        /** The nodes in an order where each comes after the producers of its inputs (Kahn's algorithm). */
        private List<OnnxNode> topologicalOrder() {
            List<OnnxNode> nodes = graph.nodes();
            Map<String, Integer> producer = new HashMap<>();
            Set<String> sources = new HashSet<>(constants.keySet());
            graph.inputs().forEach(v -> sources.add(v.name()));
            for (int i = 0; i < nodes.size(); i++) {
                for (String out : nodes.get(i).outputs()) {
                    if (out.isEmpty()) {
                        continue;
                    }
                    if (sources.contains(out) || producer.putIfAbsent(out, i) != null) {
                        throw new OnnxImportException(describe(nodes.get(i)) + ": its output '" + out + "' is already "
                                + "defined (by another node, an input or an initializer); ONNX values are assigned once");
                    }
                }
            }
            int[] pending = new int[nodes.size()];
            Map<Integer, List<Integer>> consumers = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                Set<Integer> deps = new HashSet<>();
                for (String in : nodes.get(i).inputs()) {
                    if (in.isEmpty() || sources.contains(in)) {
                        continue;
                    }
                    Integer p = producer.get(in);
                    if (p == null) {
                        throw new OnnxImportException(describe(nodes.get(i)) + ": it reads '" + in + "', which no "
                                + "node, graph input or initializer defines");
                    }
                    deps.add(p);
                }
                pending[i] = deps.size();
                for (int p : deps) {
                    consumers.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                }
            }
            ArrayDeque<Integer> ready = new ArrayDeque<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (pending[i] == 0) {
                    ready.add(i);
                }
            }
            List<OnnxNode> order = new ArrayList<>();
            while (!ready.isEmpty()) {
                int i = ready.poll();
                order.add(nodes.get(i));
                for (int consumer : consumers.getOrDefault(i, List.of())) {
                    if (--pending[consumer] == 0) {
                        ready.add(consumer);
                    }
                }
            }
            if (order.size() != nodes.size()) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (pending[i] > 0) {
                        throw new OnnxImportException(describe(nodes.get(i)) + ": it is on a cycle (or depends on "
                                + "one); an ONNX graph must be acyclic");
                    }
                }
            }
            return order;
        }

        /** The values the graph outputs depend on. */
        private Set<String> liveValues() {
            Map<String, OnnxNode> producer = new HashMap<>();
            for (OnnxNode n : graph.nodes()) {
                for (String out : n.outputs()) {
                    producer.put(out, n);
                }
            }
            Set<String> live = new HashSet<>();
            ArrayDeque<String> todo = new ArrayDeque<>();
            graph.outputs().forEach(v -> todo.push(v.name()));
            while (!todo.isEmpty()) {
                String value = todo.pop();
                if (!live.add(value)) {
                    continue;
                }
                OnnxNode n = producer.get(value);
                if (n != null) {
                    live.addAll(n.outputs());
                    for (String in : n.inputs()) {
                        if (!in.isEmpty() && !live.contains(in)) {
                            todo.push(in);
                        }
                    }
                }
            }
            return live;
        }

        private String uniqueName(String preferred) {
            String base = preferred.isEmpty() ? "value" : preferred.replace('.', '_');
            String name = base;
            for (int k = 2; !usedNames.add(name); k++) {
                name = base + "_" + k;
            }
            return name;
        }

        private static String describe(OnnxNode n) {
            return "node '" + n.name() + "' (" + n.opType() + ")";
        }
    }
}
