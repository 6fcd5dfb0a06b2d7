package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void stridesAreRowMajor() {
        assertArrayEquals(new int[] {12, 4, 1}, Shape.of(2, 3, 4).strides());
    }

    @Test
    void aScalarHasNoStrides() {
        assertArrayEquals(new int[0], Shape.scalar().strides());
    }

    @Test
    void broadcastStridesAlignRightAndAreZeroAlongBroadcastAxes() {
        assertArrayEquals(new int[] {0, 0, 1}, Shape.of(1, 4).broadcastStrides(Shape.of(2, 3, 4)));
        assertArrayEquals(new int[] {0, 1, 0}, Shape.of(3, 1).broadcastStrides(Shape.of(2, 3, 4)));
    }

    @Test
    void broadcastStridesOfTheSameShapeAreItsStrides() {
        Shape s = Shape.of(5, 1, 7);
        assertArrayEquals(new int[] {7, 0, 1}, s.broadcastStrides(s));
    }

    @Test
    void sizesBeforeAndAfterAnAxisSplitTheShapeThere() {
        Shape s = Shape.of(2, 3, 4, 5);
        assertEquals(6, s.sizeBefore(2));
        assertEquals(5, s.sizeAfter(2));
        assertEquals(1, s.sizeBefore(0));
        assertEquals(1, s.sizeAfter(3));
    }
}
