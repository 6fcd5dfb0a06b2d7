package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.tensor.Tensor;
import org.junit.jupiter.api.Test;

class QuantizeDequantizeTest {
    @Test
    void itRoundsTiesToEvenAndSaturatesToItsRange() {
        QuantizeDequantize layer = QuantizeDequantize.perTensor(0.5f, 1, 0, 5);
        // x / 0.5 + 1: 0.25 -> rint(0.5) = 0 -> 1; 0.75 -> rint(1.5) = 2 -> 3; -9 -> 0; 9 -> 5
        Tensor x = Tensor.of(new float[] {0.25f, 0.75f, -9f, 9f, Float.NEGATIVE_INFINITY}, 5);
        assertArrayEquals(new float[] {0f, 1f, -0.5f, 2f, -0.5f}, layer.forward(x).toFloatArray());
    }

    @Test
    void perAxisUsesEachIndexsScaleAndZeroPoint() {
        QuantizeDequantize layer = QuantizeDequantize.perAxis(new float[] {1f, 0.25f}, new int[] {0, 2}, -1, -8, 7);
        // column 1: 1.4 / 0.25 + 2 = 7.6 rounds to 8 and saturates to 7, (7 - 2) * 0.25
        Tensor x = Tensor.of(new float[] {1.4f, 1.4f, -20f, -20f}, 2, 2);
        assertArrayEquals(new float[] {1f, 1.25f, -8f, -2.5f}, layer.forward(x).toFloatArray());
    }

    @Test
    void nanBecomesTheLowestIntegerAsInOnnxRuntime() {
        QuantizeDequantize layer = QuantizeDequantize.perTensor(0.5f, 3, -8, 7);
        assertArrayEquals(new float[] {-5.5f}, layer.forward(Tensor.of(new float[] {Float.NaN}, 1)).toFloatArray());
    }

    @Test
    void theGradientPassesInsideTheRangeOnly() {
        QuantizeDequantize layer = QuantizeDequantize.perTensor(1f, 0, -2, 1);
        Tensor x = Tensor.of(new float[] {-3f, -1.2f, 0.4f, 1.4f, 1.6f}, 5).requiresGrad(true);
        layer.forward(x).sum().backward();
        assertArrayEquals(new float[] {0f, 1f, 1f, 1f, 0f}, x.grad().toFloatArray());
    }

    @Test
    void aScaleThatIsNotFiniteAndPositiveIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QuantizeDequantize.perTensor(0f, 0, 0, 255));
    }
}
