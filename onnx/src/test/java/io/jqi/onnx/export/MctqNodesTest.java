package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.Grid;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.nn.Dense;
import io.jqi.nn.Sequential;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;
import io.jqi.quant.inferable.ActivationInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.QuantizerConfig;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The custom-op form is read from a quantizer's description (spec and grid), not from its class: another class
 * with the same description writes the same node, and one whose grid its op cannot compute is refused by name.
 */
class MctqNodesTest {
    /** A signed symmetric activation quantizer of another class than jqi's, on the grid {@code grid}. */
    @MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.SYMMETRIC,
            identifier = QuantizerId.INFERABLE)
    private static final class OtherSymmetric extends ActivationInferableQuantizer {
        private final Grid grid;

        OtherSymmetric(int bits, Grid grid) {
            super(bits, true, RoundingMode.HALF_EVEN);
            this.grid = grid;
        }

        @Override
        public Grid grid() {
            return grid;
        }

        @Override
        public void writeConfig(QuantizerConfig.Writer out) {
            out.put("num_bits", numBits());
        }
    }

    /** A uniform activation quantizer of another class than jqi's, on {@code [-1, 2]}; it may keep its range. */
    @MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM,
            identifier = QuantizerId.INFERABLE)
    private static final class OtherUniform extends ActivationInferableQuantizer {
        private final boolean writesRange;

        OtherUniform(boolean writesRange) {
            super(4, false, RoundingMode.HALF_EVEN);
            this.writesRange = writesRange;
        }

        @Override
        public Grid grid() {
            return AffineGrid.uniform(new float[] {-1f}, new float[] {2f}, 4, RoundingMode.HALF_EVEN);
        }

        @Override
        public void writeConfig(QuantizerConfig.Writer out) {
            if (writesRange) {
                ActivationUniformInferableQuantizer.of(4, -1f, 2f).writeConfig(out);
            } else {
                out.put("num_bits", numBits());
            }
        }
    }

    /** Weights declared SYMMETRIC whose grid is a look-up table. */
    @MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.SYMMETRIC,
            identifier = QuantizerId.INFERABLE)
    private static final class SymmetricOnALut extends WeightsInferableQuantizer {
        SymmetricOnALut() {
            super(2, true, false, null, null, false, RoundingMode.HALF_EVEN);
        }

        @Override
        public Grid grid() {
            return new LutGrid(new float[] {-64, 0, 64}, new float[] {1f}, 8, true, 1e-8f);
        }

        @Override
        public void writeConfig(QuantizerConfig.Writer out) {
            out.put("num_bits", numBits());
        }
    }

    private static OnnxModel exportActivation(InferableQuantizer q) {
        return OnnxExporter.export(new Sequential(new ActivationQuantizationHolder(q)).eval(), Shape.of(3),
                ExportFormat.MCTQ);
    }

    private static OnnxNode customNode(OnnxModel onnx) {
        return onnx.graph().nodes().stream().filter(n -> n.domain().equals(MctqNodes.DOMAIN)).findFirst()
                .orElseThrow();
    }

    private static OnnxAttribute attribute(OnnxNode node, String name) {
        return node.attributes().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aQuantizerOfAnotherClassWritesTheNodeOfJqisQuantizerWithTheSameDescription() {
        OnnxNode other = customNode(exportActivation(new OtherSymmetric(4,
                AffineGrid.symmetric(new float[] {2.7f}, 4, true, RoundingMode.HALF_EVEN))));
        OnnxNode builtIn = customNode(exportActivation(ActivationSymmetricInferableQuantizer.of(4, 2.7f, true)));
        assertEquals("ActivationSymmetricQuantizer", other.opType());
        assertEquals(builtIn.attributes(), other.attributes());
    }

    @Test
    void aSymmetricQuantizerWhoseGridHasAZeroPointIsRefusedNamingItsClass() {
        InferableQuantizer shifted = new OtherSymmetric(4, new AffineGrid(new float[] {0.25f}, new float[] {1f},
                -8f, 7f));
        String message = assertThrows(OnnxExportException.class, () -> exportActivation(shifted)).getMessage();
        assertTrue(message.contains("OtherSymmetric") && message.contains("zero point 1.0"), message);
    }

    @Test
    void aSymmetricWeightsQuantizerOnALookUpTableIsRefusedNamingItsClass() {
        Dense dense = new Dense(3, 2, false, new Random(1));
        Sequential model = new Sequential(new QuantizationWrapper(dense, Map.of("weight", new SymmetricOnALut())));
        String message = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.export(model.eval(), Shape.of(3), ExportFormat.MCTQ)).getMessage();
        assertTrue(message.contains("SymmetricOnALut") && message.contains("LutGrid"), message);
    }

    @Test
    void aUniformQuantizerOfAnotherClassWritesTheRangeOfItsConfiguration() {
        OnnxNode other = customNode(exportActivation(new OtherUniform(true)));
        OnnxNode builtIn = customNode(exportActivation(ActivationUniformInferableQuantizer.of(4, -1f, 2f)));
        assertEquals(builtIn.attributes(), other.attributes());
    }

    @Test
    void aUniformQuantizerWhoseConfigurationHasNoRangeIsRefusedNamingItsClass() {
        String message = assertThrows(OnnxExportException.class, () -> exportActivation(new OtherUniform(false)))
                .getMessage();
        assertTrue(message.contains("OtherUniform") && message.contains("max_range"), message);
    }

    @Test
    void lutWeightsWriteTheLevelsThresholdsAndValueBitwidthOfTheirGrid() {
        WeightsLUTSymmetricInferableQuantizer q = new WeightsLUTSymmetricInferableQuantizer(3,
                new float[] {-20, -3, 0, 9, 31}, new float[] {0.5f, 2f}, true, 0, 2, 6, 1e-6f);
        Dense dense = new Dense(3, 2, false, new Random(1));
        OnnxModel onnx = OnnxExporter.export(new Sequential(new QuantizationWrapper(dense, Map.of("weight", q)))
                .eval(), Shape.of(3), ExportFormat.MCTQ);
        OnnxNode node = customNode(onnx);
        assertEquals("WeightsLUTSymmetricQuantizer", node.opType());
        assertEquals(6, attribute(node, "lut_values_bitwidth").i());
        assertEquals(1e-6f, attribute(node, "eps").f());
        assertEquals(2, attribute(node, "input_rank").i());
        List<OnnxNode> constants = onnx.graph().nodes().stream().filter(n -> n.opType().equals("Constant")).toList();
        assertArrayEquals(new float[] {-20, -3, 0, 9, 31}, attribute(constants.get(0), "value").t().toFloats());
        assertArrayEquals(new float[] {0.5f, 2f}, attribute(constants.get(1), "value").t().toFloats());
    }
}
