package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import io.jqi.grid.RoundingMode;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.onnx.proto.OpsetId;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.quant.trainable.STEWeightQATQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The structure of exported graphs in both forms, and the errors for models the exporter cannot write. */
class OnnxExporterTest {

    /** Flatten, a 4-bit per-channel quantized Dense, ReLU and a 3-bit unsigned activation quantizer. */
    private static Module smallModel(int weightBits) {
        Dense dense = new Dense(6, 4, true, new Random(1));
        QuantizationWrapper wrapped = new QuantizationWrapper(dense, Map.of("weight",
                WeightsSymmetricInferableQuantizer.perChannel(weightBits, new float[] {0.5f, 1f, 0.25f, 2f}, 0)));
        Module model = new Sequential(new Flatten(), wrapped, new ReLU(),
                new ActivationQuantizationHolder(ActivationPOTInferableQuantizer.of(3, 4f, false)));
        return model.eval();
    }

    private static List<OnnxNode> ops(OnnxModel model, String opType) {
        return model.graph().nodes().stream().filter(n -> n.opType().equals(opType)).toList();
    }

    private static OnnxTensor initializer(OnnxModel model, String name) {
        return model.graph().initializers().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static OnnxAttribute attribute(OnnxNode node, String name) {
        return node.attributes().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theGraphHasTheReferencesInputAndOutputNamesAndASymbolicBatch() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(2, 3), ExportFormat.QDQ);
        assertEquals("input", onnx.graph().inputs().get(0).name());
        assertEquals("output", onnx.graph().outputs().get(0).name());
        assertFalse(onnx.graph().inputs().get(0).shape().get(0).isKnown());
        assertEquals(3, onnx.graph().inputs().get(0).shape().size());
        assertEquals(List.of(new OpsetId("", 21)), onnx.opsets());
    }

    @Test
    void fourBitWeightsAreStoredAsInt4WithAPerChannelDequantizeLinear() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.QDQ);
        OnnxNode dq = ops(onnx, "DequantizeLinear").stream()
                .filter(n -> n.inputs().get(0).endsWith("weight_quantized")).findFirst().orElseThrow();
        assertEquals(DataType.INT4, initializer(onnx, dq.inputs().get(0)).dataType());
        assertEquals(0, attribute(dq, "axis").i());
        assertEquals(4, initializer(onnx, dq.inputs().get(1)).dims()[0]);
    }

    @Test
    void eightBitWeightsAreStoredAsInt8() {
        OnnxModel onnx = OnnxExporter.export(smallModel(8), Shape.of(6), ExportFormat.QDQ);
        assertTrue(onnx.graph().initializers().stream()
                .anyMatch(t -> t.name().endsWith("weight_quantized") && t.dataType() == DataType.INT8));
        assertTrue(onnx.graph().initializers().stream().noneMatch(t -> t.name().endsWith("_weight")),
                "no float copy of a quantized weight");
    }

    @Test
    void activationsNarrowerThanTheirTypeAreClippedOnTheIntegerTensor() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.QDQ);
        OnnxNode clip = ops(onnx, "Clip").get(0);
        assertTrue(clip.inputs().get(0).endsWith("_quantized"), "the Clip reads QuantizeLinear's integers");
        OnnxTensor min = initializer(onnx, clip.inputs().get(1));
        OnnxTensor max = initializer(onnx, clip.inputs().get(2));
        assertEquals(DataType.UINT8, min.dataType());
        assertEquals(0, min.rawData()[0]);
        assertEquals(7, max.rawData()[0]);
    }

    @Test
    void eightBitActivationsNeedNoClip() {
        Module model = new Sequential(new ActivationQuantizationHolder(ActivationPOTInferableQuantizer.of(8, 2f, true)))
                .eval();
        OnnxModel onnx = OnnxExporter.export(model, Shape.of(3), ExportFormat.QDQ);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "Identity"),
                onnx.graph().nodes().stream().map(OnnxNode::opType).toList());
    }

    @Test
    void anExportSurvivesTheCodecUnchanged() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.QDQ);
        OnnxModel read = OnnxCodec.read(OnnxCodec.write(onnx), "test");
        assertEquals(onnx.graph().nodes().size(), read.graph().nodes().size());
        assertEquals(onnx.graph().initializers().size(), read.graph().initializers().size());
    }

    @Test
    void aModelWithTrainableQuantizersIsRefusedAsNotFinalized() {
        Dense dense = new Dense(6, 4, true, new Random(1));
        TrainableQuantizerWeightsConfig config = TrainableQuantizerWeightsConfig.perChannel(
                QuantizationMethod.SYMMETRIC, 4, new float[] {1f, 1f, 1f, 1f}, 0);
        Module model = new Sequential(new QuantizationWrapper(dense, Map.of("weight",
                new STEWeightQATQuantizer(config)))).eval();
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(model, Shape.of(6), ExportFormat.QDQ));
        assertTrue(e.getMessage().contains("not finalized"), e.getMessage());
        assertTrue(e.getMessage().contains("Qat.finalize"), e.getMessage());
    }

    @Test
    void aModelInTrainingModeIsRefused() {
        Module model = smallModel(4).train();
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(model, Shape.of(6), ExportFormat.QDQ));
        assertTrue(e.getMessage().contains("training mode"), e.getMessage());
    }

    /** A layer jqi's exporter does not know. */
    private static final class Doubling extends Module {
        @Override
        public Tensor forward(Tensor... inputs) {
            return singleInput(inputs).add(singleInput(inputs));
        }
    }

    @Test
    void anUnsupportedLayerIsNamedInTheError() {
        Module model = new Sequential(new Flatten(), new Doubling()).eval();
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(model, Shape.of(6), ExportFormat.QDQ));
        assertTrue(e.getMessage().contains("node '1'") && e.getMessage().contains("Doubling"), e.getMessage());
    }

    @Test
    void theRefusalOfAnUnsupportedLayerListsEveryLayerTheExporterLowers() {
        Module model = new Sequential(new Doubling()).eval();
        String message = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(model, Shape.of(6), ExportFormat.QDQ)).getMessage();
        for (Class<? extends Module> layer : LayerLowerings.layers()) {
            assertTrue(message.contains(layer.getSimpleName()), layer.getSimpleName() + " in: " + message);
        }
    }

    @Test
    void anInputShapeTheModelRejectsIsAClearError() {
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(smallModel(4), Shape.of(5), ExportFormat.QDQ));
        assertTrue(e.getMessage().contains("does not accept inputs of shape"), e.getMessage());
    }

    @Test
    void tensorFlowRoundingIsRefusedBecauseQuantizeLinearRoundsTiesToEven() {
        Module model = new Sequential(new ActivationQuantizationHolder(new ActivationUniformInferableQuantizer(4,
                new float[] {-1f}, new float[] {2f}, RoundingMode.TF_NUDGE_HALF_UP))).eval();
        for (ExportFormat format : ExportFormat.values()) {
            OnnxExportException e = assertThrows(OnnxExportException.class,
                    () -> OnnxExporter.export(model, Shape.of(3), format));
            assertTrue(e.getMessage().contains("TF_NUDGE_HALF_UP"), e.getMessage());
        }
    }

    @Test
    void theCustomOpFormWritesTheReferencesActivationNode() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.MCTQ);
        OnnxNode node = ops(onnx, "ActivationPOTQuantizer").get(0);
        assertEquals("mct_quantizers", node.domain());
        assertEquals(4f, attribute(node, "threshold").f());
        assertEquals(0, attribute(node, "signed").i());
        assertEquals(3, attribute(node, "num_bits").i());
        assertEquals("1.6.0", new String(attribute(node, "mctq_version").s(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(onnx.opsets().contains(new OpsetId("mct_quantizers", 1)));
        assertEquals("1.6.0", onnx.metadata().get("mctq_version"));
    }

    @Test
    void theCustomOpFormKeepsFloatWeightsAndFeedsThresholdsFromConstants() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.MCTQ);
        OnnxNode node = ops(onnx, "WeightsSymmetricQuantizer").get(0);
        assertEquals(DataType.FLOAT, initializer(onnx, node.inputs().get(0)).dataType());
        OnnxNode constant = ops(onnx, "Constant").stream()
                .filter(c -> c.outputs().get(0).equals(node.inputs().get(1))).findFirst().orElseThrow();
        assertEquals(4, attribute(constant, "value").t().dims()[0]);
        assertEquals(1, attribute(node, "per_channel").i());
        assertEquals(0, attribute(node, "channel_axis").i());
        assertEquals(1, attribute(node, "signed").i());
        assertEquals(4, attribute(node, "num_bits").i());
        assertTrue(ops(onnx, "QuantizeLinear").isEmpty() && ops(onnx, "DequantizeLinear").isEmpty());
    }

    @Test
    void theCustomOpFormWritesUniformWeightsWithAdjustedRangesAndSignedOne() {
        Dense dense = new Dense(3, 2, false, new Random(2));
        WeightsUniformInferableQuantizer q = new WeightsUniformInferableQuantizer(2, new float[] {-0.3f},
                new float[] {1f}, false, null, null, RoundingMode.HALF_EVEN);
        Module model = new Sequential(new QuantizationWrapper(dense, Map.of("weight", q))).eval();
        OnnxModel onnx = OnnxExporter.export(model, Shape.of(3), ExportFormat.MCTQ);
        OnnxNode node = ops(onnx, "WeightsUniformQuantizer").get(0);
        OnnxNode min = ops(onnx, "Constant").stream()
                .filter(c -> c.outputs().get(0).equals(node.inputs().get(1))).findFirst().orElseThrow();
        assertEquals(q.minRange()[0], attribute(min, "value").t().toFloats()[0]);
        assertEquals(1, attribute(node, "signed").i());
        assertEquals(0, attribute(node, "per_channel").i());
    }

    @Test
    void theMetadataKeepsTheModelsOrderFollowedByTheExportersKeys() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "1");
        metadata.put("alpha", "2");
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.MCTQ, metadata);
        assertEquals(List.of("zeta", "alpha", "jqi_export_format", "mctq_version", "framework_version",
                "onnx_version"), List.copyOf(onnx.metadata().keySet()));
    }

    @Test
    void onnxRuntimeRefusesTheCustomOpFormWithoutTheMctQuantizersKernels() {
        OnnxModel onnx = OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.MCTQ);
        OrtException e = assertThrows(OrtException.class, () -> OrtRunner.load(onnx));
        assertTrue(e.getMessage().contains("mct_quantizers") || e.getMessage().contains("Quantizer"), e.getMessage());
    }

    @Test
    void onnxRuntimeAcceptsTheQdqFormOfTheSameModel() throws OrtException {
        OrtRunner.load(OnnxExporter.export(smallModel(4), Shape.of(6), ExportFormat.QDQ));
    }
}
