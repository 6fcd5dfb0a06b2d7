package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jqi.nn.GraphModel;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.Sequential;
import io.jqi.onnx.OnnxImportException;
import io.jqi.onnx.OnnxImporter;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.Dim;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.onnx.proto.OpsetId;
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jqi's QDQ export read back by jqi's importer computes jqi's quantizers bit for bit, on the cases
 * {@link SingleQuantizerOrtTest} runs in ONNX Runtime ({@link QuantizerCases}): grid points, every tie with its float
 * neighbours, the ends and beyond, ±0, ±infinity. The models go through the codec's bytes, as a file would. NaN is
 * the exception, by choice: the imported layer follows ONNX Runtime there.
 */
class QdqRoundTripTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jqi.onnx.export.QuantizerCases#activationQuantizers")
    void anExportedActivationQuantizerImportsToJqisBits(InferableQuantizer quantizer) {
        assumeFalse(quantizer instanceof ActivationLutPOTInferableQuantizer, "LUT activations export as ArgMin and "
                + "Gather, which the importer does not read (lutActivationsAreRefusedByName)");
        float[] values = QuantizerCases.probeValues(quantizer);
        Tensor x = Tensor.of(values, 1, values.length);
        GraphModel imported = roundTrip(holder(quantizer), Shape.of(values.length));
        QuantizerCases.assertSameBits(quantizer.quantize(x).toFloatArray(), imported.forward(x).toFloatArray(),
                values);
    }

    /** An imported QDQ model exports again (QuantizeDequantize as its chain) and computes the same bits in ORT. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jqi.onnx.export.QuantizerCases#activationQuantizers")
    void anImportedActivationQuantizerExportsAgainToTheSameBitsInOnnxRuntime(InferableQuantizer quantizer)
            throws Exception {
        assumeFalse(quantizer instanceof ActivationLutPOTInferableQuantizer, "not imported");
        float[] values = QuantizerCases.probeValues(quantizer);
        values = java.util.Arrays.copyOf(values, values.length + 1);
        values[values.length - 1] = Float.NaN; // the layer follows ORT on NaN, so it survives the second export too
        Tensor x = Tensor.of(values, 1, values.length);
        GraphModel imported = roundTrip(holder(quantizer), Shape.of(values.length));
        try (OrtRunner ort = new OrtRunner(OnnxExporter.export(imported, Shape.of(values.length), ExportFormat.QDQ))) {
            QuantizerCases.assertSameBits(imported.forward(x).toFloatArray(), ort.run(x).toFloatArray(), values);
        }
    }

    /**
     * A weight's integers and DequantizeLinear fold to a constant at import, so the graph multiplies it by its input
     * (ones: {@code 1 * w} is {@code w}, bit for bit, -0 included) to make the constant a computed output.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jqi.onnx.export.QuantizerCases#weightQuantizers")
    void anExportedWeightQuantizerImportsToJqisBits(WeightsInferableQuantizer quantizer) {
        Tensor weight = QuantizerCases.weights(new Random(quantizer.numBits()), quantizer);
        GraphWriter g = new GraphWriter();
        String dequantized = QdqNodes.weights(g, weight, quantizer.quantize(weight), quantizer, "w", "test");
        g.nodeWithOutput("Mul", g.unique("output"), List.of("input", dequantized));
        List<Dim> dims = new ArrayList<>();
        for (int d : QuantizerCases.WEIGHT_SHAPE) {
            dims.add(Dim.of(d));
        }
        OnnxGraph graph = new OnnxGraph("weights", g.nodes(), g.initializers(),
                List.of(new OnnxValueInfo("input", DataType.FLOAT, dims)),
                List.of(new OnnxValueInfo("output", DataType.FLOAT, dims)), List.of());
        OnnxModel onnx = new OnnxModel(OnnxExporter.IR_VERSION, List.of(new OpsetId("", OnnxExporter.OPSET)), "test",
                "1", "", 1, "", graph, Map.of());
        GraphModel imported = OnnxImporter.importModel(OnnxCodec.read(OnnxCodec.write(onnx), "weights"));
        Tensor ones = Tensor.ones(QuantizerCases.WEIGHT_SHAPE);
        QuantizerCases.assertSameBits(quantizer.quantize(weight).toFloatArray(),
                imported.forward(ones).toFloatArray(), weight.toFloatArray());
    }

    @Test
    void anExportedActivationQuantizerImportsAsOneQuantizeDequantizeLayer() {
        GraphModel imported = roundTrip(holder(ActivationPOTInferableQuantizer.of(3, 2f, true)), Shape.of(4));
        long layers = imported.nodeNames().stream().filter(n -> imported.node(n) instanceof QuantizeDequantize).count();
        assertTrue(layers == 1, () -> "QuantizeDequantize layers: " + layers + " in " + imported.nodeNames());
    }

    /**
     * The one input where an imported QDQ model and jqi's quantizer differ: jqi keeps NaN, the imported layer gives
     * the lowest integer, as ONNX Runtime does ({@code SingleQuantizerOrtTest#nanGivesOnnxRuntimesValueOnceImported}).
     */
    @Test
    void nanIsTheLowestGridValueOnceImportedWhereJqisQuantizerKeepsIt() {
        InferableQuantizer q = ActivationPOTInferableQuantizer.of(8, 4f, true);
        GraphModel imported = roundTrip(holder(q), Shape.of(1));
        Tensor nan = Tensor.of(new float[] {Float.NaN}, 1, 1);
        assertTrue(imported.forward(nan).toFloatArray()[0] == -4f);
        assertTrue(Float.isNaN(q.quantize(nan).toFloatArray()[0]));
    }

    @Test
    void lutActivationsAreRefusedByName() {
        InferableQuantizer lut = new ActivationLutPOTInferableQuantizer(3, new float[] {-96, -32, 0, 32, 96},
                new float[] {2f}, true, 8, 1e-8f);
        OnnxModel onnx = OnnxExporter.export(holder(lut), Shape.of(4), ExportFormat.QDQ);
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(onnx));
        assertTrue(e.getMessage().contains("is not supported"), e.getMessage());
    }

    private static Sequential holder(InferableQuantizer quantizer) {
        Sequential model = new Sequential(new ActivationQuantizationHolder(quantizer));
        model.eval();
        return model;
    }

    private static GraphModel roundTrip(Sequential model, Shape input) {
        OnnxModel onnx = OnnxExporter.export(model, input, ExportFormat.QDQ);
        return OnnxImporter.importModel(OnnxCodec.read(OnnxCodec.write(onnx), "model"));
    }
}
