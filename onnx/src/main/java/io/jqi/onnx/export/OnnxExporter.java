package io.jqi.onnx.export;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.nn.Sequential;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.Dim;
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
 * dimension and outputs {@code output} (or {@code output_0}, {@code output_1}, ...), the reference's names. The
 * exporter walks the structure (Sequential and GraphModel, flattened into one graph; the quantizers of wrappers and
 * holders, through {@link QdqNodes} or {@link MctqNodes}) and writes each layer through its type's lowering in
 * {@link LayerLowerings}, as standard ops of opset {@value #OPSET}. It runs the model once on a zero batch of one to
 * learn every value's shape; an input shape the model rejects is an error.
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

    private OnnxModel build(Module model, Shape inputShape, Map<String, String> metadata) {
        int[] dims = new int[inputShape.rank() + 1];
        dims[0] = 1;
        System.arraycopy(inputShape.toArray(), 0, dims, 1, inputShape.rank());
        String input = g.unique(INPUT);
        GraphValue in = new GraphValue(input, Tensor.zeros(dims));
        List<GraphValue> results;
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
        // Insertion order (OnnxModel keeps it): the file's bytes must not depend on a hash order that changes from
        // one JVM to the next.
        Map<String, String> props = new LinkedHashMap<>(metadata);
        props.put("jqi_export_format", format.cliName());
        if (format == ExportFormat.MCTQ) {
            opsets.add(new OpsetId(MctqNodes.DOMAIN, MctqNodes.DOMAIN_VERSION));
            // The keys the reference's add_onnx_metadata adds, with jqi in the framework's place
            // (docs/quantizer-contract.md#mctq-export).
            props.put("mctq_version", MctqNodes.MCTQ_VERSION);
            props.put("framework_version", "jqi " + version());
            props.put("onnx_version", "opset " + OPSET);
        }
        return new OnnxModel(IR_VERSION, List.copyOf(opsets), "jqi", version(), "io.jqi", 1,
                "Exported by jqi (" + format.cliName() + ")", graph, props);
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

    private GraphValue emit(Module m, String name, List<GraphValue> inputs) {
        if (m instanceof Sequential s) {
            List<GraphValue> x = inputs;
            for (Map.Entry<String, Module> e : s.namedChildren().entrySet()) {
                x = List.of(emit(e.getValue(), join(name, e.getKey()), x));
            }
            return x.get(0);
        }
        if (m instanceof GraphModel graph) {
            List<GraphValue> outs = graphOutputs(graph, name, inputs);
            if (outs.size() != 1) {
                throw new OnnxExportException("node '" + name + "': a nested graph with " + outs.size()
                        + " outputs cannot feed the next layer");
            }
            return outs.get(0);
        }
        Tensor probe = probe(m, name, inputs);
        String hint = name.isEmpty() ? m.getClass().getSimpleName() : name;
        if (m instanceof QuantizationWrapper w) {
            return new GraphValue(wrapped(w, hint, inputs), probe);
        }
        if (m instanceof ActivationQuantizationHolder h) {
            InferableQuantizer q = (InferableQuantizer) h.quantizer();
            String where = "node '" + hint + "'";
            String x = inputs.get(0).name();
            return new GraphValue(format == ExportFormat.QDQ ? QdqNodes.activation(g, x, q, hint, where)
                    : MctqNodes.activation(g, x, q, hint, where), probe);
        }
        return new GraphValue(LayerLowerings.lower(m, new LoweringContext(g, hint, inputs, Map.of())), probe);
    }

    private List<GraphValue> graphOutputs(GraphModel graph, String name, List<GraphValue> inputs) {
        if (inputs.size() != graph.inputNames().size()) {
            throw new OnnxExportException((name.isEmpty() ? "The model" : "node '" + name + "'") + " takes "
                    + graph.inputNames().size() + " inputs " + graph.inputNames() + "; jqi export writes models "
                    + "with one input");
        }
        Map<String, GraphValue> values = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(graph.inputNames().get(i), inputs.get(i));
        }
        for (String node : graph.nodeNames()) {
            List<GraphValue> args = graph.nodeInputs(node).stream().map(values::get).toList();
            values.put(node, emit(graph.node(node), join(name, node), args));
        }
        return graph.outputNames().stream().map(values::get).toList();
    }

    private static Tensor probe(Module m, String name, List<GraphValue> inputs) {
        try {
            return m.forward(inputs.stream().map(GraphValue::probe).toArray(Tensor[]::new));
        } catch (RuntimeException e) {
            throw new OnnxExportException("node '" + name + "' (" + m.getClass().getSimpleName() + ") does not accept "
                    + "inputs of shape " + inputs.stream().map(v -> v.probe().shape().toString()).toList()
                    + " (batch 1 and the given input shape): " + e.getMessage());
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "_" + name;
    }

    private String wrapped(QuantizationWrapper w, String hint, List<GraphValue> inputs) {
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
        return LayerLowerings.lower(w.layer(), new LoweringContext(g, hint, inputs, overrides));
    }
}
