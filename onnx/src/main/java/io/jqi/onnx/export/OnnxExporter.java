package io.jqi.onnx.export;

import io.jqi.nn.Add;
import io.jqi.nn.AddConstant;
import io.jqi.nn.AvgPool2D;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.BinaryLayer;
import io.jqi.nn.Clip;
import io.jqi.nn.CoercedSoftmax;
import io.jqi.nn.Concat;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Dropout;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.GraphModel;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.Pool2D;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sequential;
import io.jqi.nn.SiLU;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Softmax;
import io.jqi.nn.Tanh;
import io.jqi.nn.Transpose;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.Dim;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.onnx.proto.OpsetId;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a finalized jqi model (inferable quantizers in {@link QuantizationWrapper}s and
 * {@link ActivationQuantizationHolder}s, in evaluation mode) as an ONNX model, in QDQ or custom-op form
 * ({@link ExportFormat}); docs/onnx.md describes both.
 *
 * <pre>{@code
 * OnnxModel onnx = OnnxExporter.export(Qat.finalize(qat), Shape.of(1, 8, 8), ExportFormat.QDQ);
 * OnnxCodec.write(onnx, Path.of("model.onnx"));
 * }</pre>
 *
 * <p>The graph has one float input {@code input} of shape {@code [batch, ...inputShape]} with a symbolic batch
 * dimension and outputs {@code output} (or {@code output_0}, {@code output_1}, ...), the reference's names. Layers
 * become the standard ops of opset {@value #OPSET} (Conv, Gemm or MatMul, BatchNormalization, pools, activations,
 * Flatten or Reshape, Add, Concat, Softmax, Identity for Identity and Dropout). The exporter runs the model once on a
 * zero batch of one to learn every value's shape; an input shape the model rejects is an error.
 */
public final class OnnxExporter {
    /**
     * The default-domain opset: 21 is the first whose QuantizeLinear/DequantizeLinear take the 4-bit and 16-bit
     * integer types, which keeps 4-bit weights 4-bit in the file; the tests run it in ONNX Runtime 1.29.
     */
    public static final int OPSET = 21;
    /** The IR version that opset 21 belongs to. */
    public static final long IR_VERSION = 10;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The graph output's name (with {@code _i} appended when there are several). */
    public static final String OUTPUT = "output";

    private final ExportFormat format;
    private final GraphWriter g = new GraphWriter();

    private OnnxExporter(ExportFormat format) {
        this.format = format;
    }

    /** {@link #export(Module, Shape, ExportFormat, Map)} without metadata. */
    public static OnnxModel export(Module model, Shape inputShape, ExportFormat format) {
        return export(model, inputShape, format, Map.of());
    }

    /**
     * The ONNX form of {@code model} for one input whose shape without the batch dimension is {@code inputShape};
     * {@code metadata} goes to the model's metadata properties. Throws {@link OnnxExportException} for a model that
     * is not finalized or in training mode, a layer or quantizer the format cannot express exactly, or an input
     * shape the model does not accept. The model is not changed.
     */
    public static OnnxModel export(Module model, Shape inputShape, ExportFormat format, Map<String, String> metadata) {
        requireFinalized(model);
        try (var ignored = Tensor.noGrad()) {
            return new OnnxExporter(format).build(model, inputShape, metadata);
        }
    }

    private static void requireFinalized(Module model) {
        if (model.isTraining()) {
            throw new OnnxExportException("The model is in training mode; finalize it with Qat.finalize (or call "
                    + "eval()) before exporting, so batch norms use their running statistics");
        }
        model.namedModules().forEach((name, m) -> {
            if (m instanceof QuantizationWrapper w) {
                w.weightQuantizers().forEach((attribute, q) -> requireInferable(q, "node '" + name + "' ('"
                        + attribute + "')"));
                if (!w.positionalQuantizers().isEmpty()) {
                    throw new OnnxExportException("node '" + name + "': quantized positional weights (constants "
                            + "fed to " + w.layer().getClass().getSimpleName() + ") have no ONNX export");
                }
            } else if (m instanceof ActivationQuantizationHolder h) {
                requireInferable(h.quantizer(), "node '" + name + "'");
            }
        });
    }

    private static void requireInferable(FakeQuantizer q, String where) {
        if (!(q instanceof InferableQuantizer)) {
            throw new OnnxExportException("The model is not finalized: " + where + " has the trainable quantizer "
                    + q.getClass().getSimpleName() + "; run Qat.finalize on it (jqi qat saves finalized models)");
        }
    }

    /** A value of the ONNX graph and a jqi tensor of its shape (batch 1), for the layers that need shapes. */
    private record Value(String name, Tensor probe) {
    }

    private OnnxModel build(Module model, Shape inputShape, Map<String, String> metadata) {
        int[] dims = new int[inputShape.rank() + 1];
        dims[0] = 1;
        System.arraycopy(inputShape.toArray(), 0, dims, 1, inputShape.rank());
        String input = g.unique(INPUT);
        Value in = new Value(input, Tensor.zeros(dims));
        List<Value> results;
        if (model instanceof GraphModel graph) {
            results = graphOutputs(graph, "", List.of(in));
        } else {
            results = List.of(emit(model, "", List.of(in)));
        }
        List<OnnxValueInfo> outputs = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String name = g.unique(results.size() == 1 ? OUTPUT : OUTPUT + "_" + i);
            g.nodeWithOutput("Identity", name, List.of(results.get(i).name()));
            outputs.add(new OnnxValueInfo(name, DataType.FLOAT, batchShape(results.get(i).probe().shape())));
        }
        List<OnnxValueInfo> inputs = List.of(new OnnxValueInfo(input, DataType.FLOAT, batchShape(Shape.of(dims))));
        OnnxGraph graph = new OnnxGraph("jqi_" + format.cliName().replace('-', '_'), g.nodes(), g.initializers(),
                inputs, outputs, List.of());
        List<OpsetId> opsets = new ArrayList<>(List.of(new OpsetId("", OPSET)));
        Map<String, String> props = new LinkedHashMap<>(metadata);
        props.put("jqi_export_format", format.cliName());
        if (format == ExportFormat.MCTQ) {
            opsets.add(new OpsetId(MctqNodes.DOMAIN, MctqNodes.DOMAIN_VERSION));
            // The keys the reference's add_onnx_metadata adds (spec 5.4), with jqi in the framework's place.
            props.put("mctq_version", MctqNodes.MCTQ_VERSION);
            props.put("framework_version", "jqi " + version());
            props.put("onnx_version", "opset " + OPSET);
        }
        return new OnnxModel(IR_VERSION, List.copyOf(opsets), "jqi", version(), "io.jqi", 1,
                "Exported by jqi (" + format.cliName() + ")", graph, Map.copyOf(props));
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static List<Dim> batchShape(Shape shape) {
        List<Dim> out = new ArrayList<>();
        out.add(Dim.symbolic("batch"));
        for (int i = 1; i < shape.rank(); i++) {
            out.add(Dim.of(shape.dim(i)));
        }
        return out;
    }

    // ---------------------------------------------------------------- module tree

    private Value emit(Module m, String name, List<Value> inputs) {
        if (m instanceof Sequential s) {
            List<Value> x = inputs;
            for (Map.Entry<String, Module> e : s.namedChildren().entrySet()) {
                x = List.of(emit(e.getValue(), join(name, e.getKey()), x));
            }
            return x.get(0);
        }
        if (m instanceof GraphModel graph) {
            List<Value> outs = graphOutputs(graph, name, inputs);
            if (outs.size() != 1) {
                throw new OnnxExportException("node '" + name + "': a nested graph with " + outs.size()
                        + " outputs cannot feed the next layer");
            }
            return outs.get(0);
        }
        Tensor probe = probe(m, name, inputs);
        String hint = name.isEmpty() ? m.getClass().getSimpleName() : name;
        if (m instanceof QuantizationWrapper w) {
            return new Value(wrapped(w, hint, inputs), probe);
        }
        if (m instanceof ActivationQuantizationHolder h) {
            InferableQuantizer q = (InferableQuantizer) h.quantizer();
            String where = "node '" + hint + "'";
            String x = inputs.get(0).name();
            return new Value(format == ExportFormat.QDQ ? QdqNodes.activation(g, x, q, hint, where)
                    : MctqNodes.activation(g, x, q, hint, where), probe);
        }
        return new Value(layer(m, hint, inputs, Map.of()), probe);
    }

    private List<Value> graphOutputs(GraphModel graph, String name, List<Value> inputs) {
        if (inputs.size() != graph.inputNames().size()) {
            throw new OnnxExportException((name.isEmpty() ? "The model" : "node '" + name + "'") + " takes "
                    + graph.inputNames().size() + " inputs " + graph.inputNames() + "; jqi export writes models "
                    + "with one input");
        }
        Map<String, Value> values = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(graph.inputNames().get(i), inputs.get(i));
        }
        for (String node : graph.nodeNames()) {
            List<Value> args = graph.nodeInputs(node).stream().map(values::get).toList();
            values.put(node, emit(graph.node(node), join(name, node), args));
        }
        return graph.outputNames().stream().map(values::get).toList();
    }

    private static Tensor probe(Module m, String name, List<Value> inputs) {
        try {
            return m.forward(inputs.stream().map(Value::probe).toArray(Tensor[]::new));
        } catch (RuntimeException e) {
            throw new OnnxExportException("node '" + name + "' (" + m.getClass().getSimpleName() + ") does not accept "
                    + "inputs of shape " + inputs.stream().map(v -> v.probe().shape().toString()).toList()
                    + " (batch 1 and the given input shape): " + e.getMessage());
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "_" + name;
    }

    private String wrapped(QuantizationWrapper w, String hint, List<Value> inputs) {
        Map<String, Tensor> floats = w.layer().namedParameters();
        Map<String, Tensor> quantized = w.quantizedWeights();
        Map<String, String> overrides = new LinkedHashMap<>();
        w.weightQuantizers().forEach((attribute, fq) -> {
            String where = "node '" + hint + "' ('" + attribute + "')";
            if (!(fq instanceof WeightsInferableQuantizer q)) {
                throw new OnnxExportException(where + ": " + fq.getClass().getSimpleName() + " is not a weights "
                        + "quantizer");
            }
            Tensor weight = floats.get(attribute);
            String attributeHint = hint + "_" + attribute;
            overrides.put(attribute, format == ExportFormat.QDQ
                    ? QdqNodes.weights(g, weight, quantized.get(attribute), q, attributeHint, where)
                    : MctqNodes.weights(g, g.floats(attributeHint, QdqNodes.dims(weight.shape()),
                            weight.toFloatArray()), q, weight.rank(), attributeHint + "_quantized", where));
        });
        return layer(w.layer(), hint, inputs, overrides);
    }

    // ---------------------------------------------------------------- layers

    private String layer(Module m, String hint, List<Value> inputs, Map<String, String> weights) {
        String x = inputs.get(0).name();
        if (m instanceof Conv2D c) {
            int[] p = c.padding();
            String conv = g.node("Conv", c.hasBias() ? hint + "_conv" : hint,
                    List.of(x, parameter(hint, "weight", c.weight(), weights)), ints("kernel_shape", c.kernel()),
                    ints("strides", c.stride()), OnnxAttribute.ofInts("pads", p[0], p[1], p[0], p[1]),
                    ints("dilations", c.dilation()), OnnxAttribute.ofInt("group", c.groups()));
            if (!c.hasBias()) {
                return conv;
            }
            Tensor bias = c.bias();
            String b = weights.containsKey("bias") ? weights.get("bias")
                    : g.floats(hint + "_bias", new long[] {bias.numel(), 1, 1}, bias.toFloatArray());
            if (weights.containsKey("bias")) {
                b = g.node("Reshape", hint + "_bias_chw", List.of(b, g.longs(hint + "_bias_shape", new long[] {3},
                        new long[] {-1, 1, 1})));
            }
            return g.node("Add", hint, List.of(conv, b));
        }
        if (m instanceof Dense d) {
            return dense(d, hint, inputs.get(0), weights);
        }
        if (m instanceof BatchNorm b) {
            return g.node("BatchNormalization", hint, List.of(x, parameter(hint, "weight", b.weight(), weights),
                    parameter(hint, "bias", b.bias(), weights), parameter(hint, "running_mean", b.runningMean(), weights),
                    parameter(hint, "running_var", b.runningVar(), weights)), OnnxAttribute.ofFloat("epsilon", b.eps()));
        }
        requireNoWeights(m, hint, weights);
        if (m instanceof ReLU) {
            return g.node("Relu", hint, List.of(x));
        }
        if (m instanceof ReLU6) {
            long[] scalar = new long[0];
            return g.node("Clip", hint, List.of(x, g.floats(hint + "_min", scalar, new float[] {0f}),
                    g.floats(hint + "_max", scalar, new float[] {6f})));
        }
        if (m instanceof LeakyReLU l) {
            return g.node("LeakyRelu", hint, List.of(x), OnnxAttribute.ofFloat("alpha", l.negativeSlope()));
        }
        if (m instanceof Sigmoid) {
            return g.node("Sigmoid", hint, List.of(x));
        }
        if (m instanceof Tanh) {
            return g.node("Tanh", hint, List.of(x));
        }
        if (m instanceof Hardswish) {
            return g.node("HardSwish", hint, List.of(x));
        }
        if (m instanceof SiLU) {
            return g.node("Mul", hint, List.of(x, g.node("Sigmoid", hint + "_sigmoid", List.of(x))));
        }
        if (m instanceof Softmax s) {
            return g.node("Softmax", hint, List.of(x), OnnxAttribute.ofInt("axis", s.axis()));
        }
        if (m instanceof Flatten f) {
            return flatten(f, hint, inputs.get(0));
        }
        if (m instanceof MaxPool2D p) {
            return g.node("MaxPool", hint, List.of(x), poolAttributes(p));
        }
        if (m instanceof AvgPool2D p) {
            List<OnnxAttribute> attributes = new ArrayList<>(List.of(poolAttributes(p)));
            // jqi leaves padded cells out of the mean; ONNX's default, stated so that no reader has to know it.
            attributes.add(OnnxAttribute.ofInt("count_include_pad", 0));
            return g.node("AveragePool", hint, List.of(x), attributes.toArray(new OnnxAttribute[0]));
        }
        if (m instanceof GlobalAvgPool2D) {
            return g.node("GlobalAveragePool", hint, List.of(x));
        }
        if (m instanceof Add) {
            // Pairwise, left to right, as jqi sums: ONNX's Sum leaves the order to the runtime.
            String sum = x;
            for (int i = 1; i < inputs.size(); i++) {
                sum = g.node("Add", i == inputs.size() - 1 ? hint : hint + "_partial", List.of(sum,
                        inputs.get(i).name()));
            }
            return sum;
        }
        if (m instanceof Concat c) {
            return g.node("Concat", hint, inputs.stream().map(Value::name).toList(),
                    OnnxAttribute.ofInt("axis", c.axis()));
        }
        if (m instanceof BinaryLayer b) {
            return binary(b, hint, inputs);
        }
        if (m instanceof Clip c) {
            long[] scalar = new long[0];
            return g.node("Clip", hint, List.of(x, g.floats(hint + "_min", scalar, new float[] {c.min()}),
                    g.floats(hint + "_max", scalar, new float[] {c.max()})));
        }
        if (m instanceof Reshape r) {
            long[] shape = Arrays.stream(r.shape()).asLongStream().toArray();
            return g.node("Reshape", hint, List.of(x, g.longs(hint + "_shape", new long[] {shape.length}, shape)),
                    OnnxAttribute.ofInt("allowzero", r.allowZero() ? 1 : 0));
        }
        if (m instanceof Transpose t) {
            // An empty permutation reverses the axes, which is also ONNX's default without the attribute.
            return t.perm().length == 0 ? g.node("Transpose", hint, List.of(x))
                    : g.node("Transpose", hint, List.of(x), ints("perm", t.perm()));
        }
        if (m instanceof MatrixFlatten f) {
            return g.node("Flatten", hint, List.of(x), OnnxAttribute.ofInt("axis", f.axis()));
        }
        if (m instanceof CoercedSoftmax s) {
            // Softmax before opset 13: over the rows of the input flattened to 2-D at the axis, shape restored.
            String rows = g.node("Flatten", hint + "_rows", List.of(x), OnnxAttribute.ofInt("axis", s.axis()));
            String softmax = g.node("Softmax", hint + "_softmax", List.of(rows), OnnxAttribute.ofInt("axis", 1));
            return g.node("Reshape", hint, List.of(softmax, g.node("Shape", hint + "_shape", List.of(x))));
        }
        if (m instanceof Identity || m instanceof Dropout) {
            return g.node("Identity", hint, List.of(x));
        }
        if (m instanceof QuantizeDequantize q) {
            // An imported QDQ model's activation quantization: the standard ops in both formats.
            return QdqNodes.quantizeDequantize(g, x, q, hint, "node '" + hint + "'");
        }
        throw new OnnxExportException("node '" + hint + "': " + m.getClass().getSimpleName() + " has no ONNX export; "
                + "supported layers are Conv2D, Dense, BatchNorm, ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, Hardswish, "
                + "SiLU, Softmax, Flatten, MaxPool2D, AvgPool2D, GlobalAvgPool2D, Add, Concat, Identity, Dropout, "
                + "the layers of imported models (Sub, Mul, Div, MatMul, AddConstant, Clip, Reshape, Transpose, "
                + "MatrixFlatten, CoercedSoftmax, QuantizeDequantize), Sequential and GraphModel");
    }

    /** Sub, Mul, Div, MatMul and AddConstant: two inputs, or one input and the layer's constant in its place. */
    private String binary(BinaryLayer b, String hint, List<Value> inputs) {
        String op = b instanceof AddConstant ? "Add" : b.getClass().getSimpleName();
        List<String> operands;
        if (b.hasConstant()) {
            String constant = g.floats(hint + "_constant", QdqNodes.dims(b.constant().shape()),
                    b.constant().toFloatArray());
            String x = inputs.get(0).name();
            operands = b.constantFirst() ? List.of(constant, x) : List.of(x, constant);
        } else {
            operands = inputs.stream().map(Value::name).toList();
        }
        return g.node(op, hint, operands);
    }

    /**
     * Gemm on 2-D inputs (jqi's weight is {@code [out, in]}: transB); MatMul on a transposed weight otherwise. The
     * bias is a separate Add, as for Conv: ONNX Runtime's default optimizations quantize a float bias that meets a
     * dequantized input and weight in one Gemm or Conv to int32 (scale = input scale x weight scale), which moves it
     * off jqi's float bias and changed predictions in testing; a separate Add keeps the bias as jqi has it.
     */
    private String dense(Dense d, String hint, Value input, Map<String, String> weights) {
        String w = parameter(hint, "weight", d.weight(), weights);
        if (input.probe().rank() == 2) {
            if (!d.hasBias()) {
                return g.node("Gemm", hint, List.of(input.name(), w), OnnxAttribute.ofInt("transB", 1));
            }
            String product = g.node("Gemm", hint + "_gemm", List.of(input.name(), w), OnnxAttribute.ofInt("transB", 1));
            return g.node("Add", hint, List.of(product, parameter(hint, "bias", d.bias(), weights)));
        }
        String transposed = g.node("Transpose", hint + "_weight_t", List.of(w), OnnxAttribute.ofInts("perm", 1, 0));
        if (!d.hasBias()) {
            return g.node("MatMul", hint, List.of(input.name(), transposed));
        }
        String product = g.node("MatMul", hint + "_matmul", List.of(input.name(), transposed));
        return g.node("Add", hint, List.of(product, parameter(hint, "bias", d.bias(), weights)));
    }

    /** ONNX's Flatten makes 2-D tensors, which is jqi's flatten from axis 1; other axes reshape to {@code [0.., -1]}. */
    private String flatten(Flatten f, String hint, Value input) {
        int rank = input.probe().rank();
        int start = f.startAxis() < 0 ? f.startAxis() + rank : f.startAxis();
        if (start == 1) {
            return g.node("Flatten", hint, List.of(input.name()), OnnxAttribute.ofInt("axis", 1));
        }
        long[] shape = new long[start + 1];
        shape[start] = -1;
        String target = g.longs(hint + "_shape", new long[] {shape.length}, shape);
        return g.node("Reshape", hint, List.of(input.name(), target));
    }

    private static OnnxAttribute[] poolAttributes(Pool2D p) {
        int[] pad = p.padding();
        return new OnnxAttribute[] {ints("kernel_shape", p.kernel()), ints("strides", p.stride()),
            OnnxAttribute.ofInts("pads", pad[0], pad[1], pad[0], pad[1])};
    }

    private String parameter(String hint, String attribute, Tensor value, Map<String, String> weights) {
        String quantized = weights.get(attribute);
        return quantized != null ? quantized
                : g.floats(hint + "_" + attribute, QdqNodes.dims(value.shape()), value.toFloatArray());
    }

    private static void requireNoWeights(Module m, String hint, Map<String, String> weights) {
        if (!weights.isEmpty()) {
            throw new OnnxExportException("node '" + hint + "': " + m.getClass().getSimpleName() + " has quantized "
                    + "weights " + weights.keySet() + " that its ONNX op does not take");
        }
    }

    private static OnnxAttribute ints(String name, int[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return OnnxAttribute.ofInts(name, longs);
    }
}
