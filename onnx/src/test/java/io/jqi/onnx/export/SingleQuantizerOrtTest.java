package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.nn.Sequential;
import io.jqi.onnx.OnnxImporter;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.Dim;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.onnx.proto.OpsetId;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every inferable quantizer kind, exported alone, computes in ONNX Runtime exactly what jqi computes: the same float32
 * bits for every input, exact rounding ties, the ends of the grid and infinities included. Activation quantizers run
 * as the one node of an exported model; weight quantizers as their integer initializer and DequantizeLinear, the
 * graph's only output.
 */
class SingleQuantizerOrtTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jqi.onnx.export.QuantizerCases#activationQuantizers")
    void anActivationQuantizerGivesJqisBitsInOnnxRuntime(InferableQuantizer quantizer) throws Exception {
        Sequential model = new Sequential(new ActivationQuantizationHolder(quantizer));
        model.eval();
        float[] values = QuantizerCases.probeValues(quantizer);
        Tensor x = Tensor.of(values, 1, values.length);
        OnnxModel onnx = OnnxExporter.export(model, Shape.of(values.length), ExportFormat.QDQ);
        try (OrtRunner ort = new OrtRunner(onnx)) {
            QuantizerCases.assertSameBits(quantizer.quantize(x).toFloatArray(), ort.run(x).toFloatArray(), values);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jqi.onnx.export.QuantizerCases#weightQuantizers")
    void aWeightQuantizerGivesJqisBitsInOnnxRuntime(WeightsInferableQuantizer quantizer) throws Exception {
        Tensor weight = QuantizerCases.weights(new Random(quantizer.numBits()), quantizer);
        GraphWriter g = new GraphWriter();
        String dequantized = QdqNodes.weights(g, weight, quantizer.quantize(weight), quantizer, "w", "test");
        g.nodeWithOutput("Identity", g.unique("output"), List.of(dequantized));
        List<Dim> dims = new ArrayList<>();
        for (int d : QuantizerCases.WEIGHT_SHAPE) {
            dims.add(Dim.of(d));
        }
        OnnxGraph graph = new OnnxGraph("weights", g.nodes(), g.initializers(), List.of(),
                List.of(new OnnxValueInfo("output", DataType.FLOAT, dims)), List.of());
        OnnxModel onnx = new OnnxModel(OnnxExporter.IR_VERSION, List.of(new OpsetId("", OnnxExporter.OPSET)), "test",
                "1", "", 1, "", graph, Map.of());
        try (OrtRunner ort = new OrtRunner(onnx)) {
            QuantizerCases.assertSameBits(quantizer.quantize(weight).toFloatArray(), ort.runWithoutInputs().toFloatArray(),
                    weight.toFloatArray());
        }
    }

    /**
     * QuantizeLinear has no integer for NaN: ONNX Runtime (1.29, x86-64) gives the integer type's minimum, raised to
     * the Clip's minimum where there is one (printed here). jqi's quantizers keep NaN; the importer's
     * QuantizeDequantize follows ONNX Runtime, so an imported QDQ model gives ONNX Runtime's value (docs/onnx.md).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nanCases")
    void nanGivesOnnxRuntimesValueOnceImported(InferableQuantizer quantizer) throws Exception {
        Sequential model = new Sequential(new ActivationQuantizationHolder(quantizer));
        model.eval();
        Tensor x = Tensor.of(new float[] {Float.NaN}, 1, 1);
        OnnxModel onnx = OnnxExporter.export(model, Shape.of(1), ExportFormat.QDQ);
        float ort;
        try (OrtRunner runner = new OrtRunner(onnx)) {
            ort = runner.run(x).toFloatArray()[0];
        }
        System.out.println("NaN through " + quantizer.getClass().getSimpleName() + " (" + quantizer.numBits()
                + " bits) in ONNX Runtime: " + ort);
        float imported = OnnxImporter.importModel(OnnxCodec.read(OnnxCodec.write(onnx), "nan")).forward(x)
                .toFloatArray()[0];
        assertEquals(Float.floatToRawIntBits(ort), Float.floatToRawIntBits(imported), "ORT " + ort + ", jqi " + imported);
    }

    static Stream<InferableQuantizer> nanCases() {
        return Stream.of(
                ActivationPOTInferableQuantizer.of(8, 4f, true),
                ActivationPOTInferableQuantizer.of(8, 4f, false),
                ActivationSymmetricInferableQuantizer.of(4, 2.7f, true),
                ActivationUniformInferableQuantizer.of(8, -0.3f, 1.0f),
                ActivationUniformInferableQuantizer.of(3, -2.9f, 0.7f),
                ActivationPOTInferableQuantizer.of(12, 8f, true),
                ActivationSymmetricInferableQuantizer.of(16, 3.3f, false));
    }
}
