package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.tensor.Shape;
import org.junit.jupiter.api.Test;

/** How each quantizer's grid maps onto QuantizeLinear/DequantizeLinear parameters. */
class QdqParametersTest {

    @Test
    void aSignedSymmetricGridHasScaleThresholdOverHalfTheLevelsAndZeroPointZero() {
        QdqParameters p = QdqParameters.of(WeightsSymmetricInferableQuantizer.perChannel(2, new float[] {3f, 6f, 2f}, 1),
                2, "test");
        assertArrayEquals(new float[] {1.5f, 3f, 1f}, p.scales());
        assertArrayEquals(new int[] {0, 0, 0}, p.zeroPoints());
        assertEquals(-2, p.qmin());
        assertEquals(1, p.qmax());
        assertEquals(1, p.axis());
    }

    @Test
    void aNegativeChannelAxisIsNormalizedAgainstTheWeightsRank() {
        QdqParameters p = QdqParameters.of(WeightsSymmetricInferableQuantizer.perChannel(8, new float[] {1f, 2f}, -1),
                4, "test");
        assertEquals(3, p.axis());
    }

    @Test
    void aPerTensorQuantizerHasNoAxis() {
        assertNull(QdqParameters.of(WeightsSymmetricInferableQuantizer.perTensor(8, 1f), 2, "test").axis());
    }

    @Test
    void aUniformGridHasTheIntegerZeroPointOfItsAdjustedRange() {
        // Reference example T5 (docs/quantizer-contract.md#example-uniform-range): n = 2, [-0.3, 1.0] adjusts to
        // [-0.4333333, 0.8666667], step 0.4333333, zero point 1
        QdqParameters p = QdqParameters.of(ActivationUniformInferableQuantizer.of(2, -0.3f, 1.0f), 0, "test");
        assertEquals(1, p.zeroPoints()[0]);
        assertEquals(0.4333333f, p.scales()[0], 1e-6f);
        assertEquals(QdqType.UINT8, p.activationType());
        assertTrue(p.needsClip(QdqType.UINT8));
    }

    @Test
    void eightBitActivationsFillTheirTypeAndNeedNoClip() {
        QdqParameters p = QdqParameters.of(ActivationPOTInferableQuantizer.of(8, 1f, true), 0, "test");
        assertEquals(QdqType.INT8, p.activationType());
        assertFalse(p.needsClip(QdqType.INT8));
        assertEquals(1f / 128, p.scales()[0]);
    }

    @Test
    void weightsOfFourBitsOrFewerAreStoredAsFourBitIntegers() {
        assertEquals(QdqType.INT4, QdqParameters.of(WeightsSymmetricInferableQuantizer.perTensor(2, 1f), 2, "t")
                .weightType());
        assertEquals(QdqType.INT8, QdqParameters.of(WeightsSymmetricInferableQuantizer.perTensor(5, 1f), 2, "t")
                .weightType());
    }

    @Test
    void wideActivationsUseSixteenBitIntegers() {
        assertEquals(QdqType.UINT16, QdqParameters.of(ActivationPOTInferableQuantizer.of(12, 1f, false), 0, "t")
                .activationType());
    }

    @Test
    void weightIntegersAreTheGridsIntegersWithTiesToEven() {
        QdqParameters p = QdqParameters.of(WeightsSymmetricInferableQuantizer.perTensor(2, 2f), 1, "test");
        int[] codes = p.quantize(new float[] {0.5f, 1.5f, -5f, 9f}, ChannelLayout.perTensor(4), "test");
        assertArrayEquals(new int[] {0, 1, -2, 1}, codes);
    }

    @Test
    void lutWeightsAreStoredAsTheirLevelsWithScaleThresholdOverTheMultiplier() {
        // Reference example T12 (docs/quantizer-contract.md#example-lut): lut [-96, -32, 0, 32, 96], T = 2, b = 8
        // (M = 128)
        WeightsLUTSymmetricInferableQuantizer q = new WeightsLUTSymmetricInferableQuantizer(3,
                new float[] {-96, -32, 0, 32, 96}, new float[] {2f}, false, null, 1, 8, 1e-8f);
        QdqParameters p = QdqParameters.of(q, 1, "test");
        int[] levels = p.quantize(new float[] {-3f, -0.5f, -0.24f, 0.26f, 2.5f}, ChannelLayout.perTensor(5),
                "test");
        assertArrayEquals(new int[] {-96, -32, 0, 32, 96}, levels);
        assertEquals(2f / 128, p.scales()[0]);
        assertEquals(-1.5f, p.dequantize(-96, 0));
    }

    @Test
    void tensorFlowRoundingHasNoQdqForm() {
        OnnxExportException e = assertThrows(OnnxExportException.class, () -> QdqParameters.of(
                new WeightsSymmetricInferableQuantizer(4, new float[] {1f}, false, null, null,
                        RoundingMode.TF_NUDGE_HALF_UP), 2, "node 'fc'"));
        assertTrue(e.getMessage().startsWith("node 'fc'"), e.getMessage());
    }

    @Test
    void aNanWeightHasNoIntegerAndIsNamed() {
        QdqParameters p = QdqParameters.of(WeightsSymmetricInferableQuantizer.perTensor(4, 1f), 1, "test");
        assertThrows(OnnxExportException.class,
                () -> p.quantize(new float[] {Float.NaN}, ChannelLayout.perTensor(1), "node 'fc'"));
    }
}
