package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void valuesAreRowMajor() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(6f, t.get(1, 2));
        assertEquals(2f, t.get(0, 1));
        assertEquals(Shape.of(2, 3), t.shape());
    }

    @Test
    void ofCopiesItsInputSoLaterWritesDoNotLeakIn() {
        float[] values = {1, 2};
        Tensor t = Tensor.vector(values);
        values[0] = 9;
        assertEquals(1f, t.get(0));
        float[] out = t.toFloatArray();
        out[1] = 9;
        assertEquals(2f, t.get(1));
    }

    @Test
    void aScalarHasRankZeroAndOneElement() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(2.5f, s.item());
    }

    @Test
    void shapeAndValueCountMustAgree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("needs 4 values but the storage holds 3"), e.getMessage());
    }

    @Test
    void reshapeKeepsValuesAndChecksTheCount() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).reshape(3, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(4));
    }

    @Test
    void negativeAxesCountFromTheEnd() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(2, s.normalizeAxis(-1));
        assertEquals(0, s.normalizeAxis(-3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.normalizeAxis(3));
        assertTrue(e.getMessage().contains("-3 <= axis < 3"), e.getMessage());
    }

    @Test
    void negativeDimensionsAndHugeShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(65536, 65536));
    }

    @Test
    void outOfRangeIndexIsAnError() {
        Tensor t = Tensor.zeros(2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(0));
    }
}
