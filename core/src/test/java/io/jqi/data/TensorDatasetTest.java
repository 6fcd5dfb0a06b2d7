package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorDatasetTest {

    @Test
    void anExampleIsOneRowWithItsLabel() {
        TensorDataset data = new TensorDataset(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), new int[] {7, 8, 9});
        Example e = data.get(1);
        assertArrayEquals(new float[] {3, 4}, e.input());
        assertEquals(Shape.of(2), e.shape());
        assertEquals(8, e.label());
        assertEquals(3, data.size());
    }

    @Test
    void examplesAreCopies() {
        TensorDataset data = new TensorDataset(Tensor.of(new float[] {1, 2}, 2, 1), new int[] {0, 1});
        data.get(0).input()[0] = 99f;
        assertEquals(1f, data.get(0).input()[0]);
    }

    @Test
    void labelsMustMatchTheInputRows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(3, 2), new int[] {0, 1}));
        assertTrue(e.getMessage().contains("3 inputs but 2 labels"), e.getMessage());
    }

    @Test
    void aSubsetHoldsTheChosenExamplesInTheGivenOrder() {
        TensorDataset data = new TensorDataset(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), new int[] {7, 8, 9});
        TensorDataset subset = data.subset(2, 0);
        assertEquals(2, subset.size());
        assertArrayEquals(new int[] {9, 7}, subset.labels());
        assertArrayEquals(new float[] {5, 6, 1, 2}, subset.inputs().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> data.subset(3));
    }

    @Test
    void anIndexOutsideTheDatasetIsAnError() {
        TensorDataset data = new TensorDataset(Tensor.zeros(2, 2), new int[] {0, 1});
        assertThrows(IndexOutOfBoundsException.class, () -> data.get(2));
    }
}
