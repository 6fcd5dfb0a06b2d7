package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainTestSplitTest {

    /** {@code n} examples whose single value is their index, labelled {@code index % classes}. */
    private static TensorDataset indexed(int n, int classes) {
        float[] values = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
            labels[i] = i % classes;
        }
        return new TensorDataset(Tensor.of(values, n, 1), labels);
    }

    /** The original indexes of {@code data}'s examples (see {@link #indexed}). */
    private static int[] indexes(TensorDataset data) {
        float[] values = data.inputs().toFloatArray();
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = (int) values[i];
        }
        return ints;
    }

    @Test
    void eachClassGivesItsShareToTheTestSet() {
        var split = TrainTestSplit.stratified(indexed(100, 4), 1, 0.2);
        int[] counts = new int[4];
        for (int label : split.test().labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {5, 5, 5, 5}, counts);
        assertEquals(80, split.train().size());
    }

    @Test
    void thePartsAreDisjointCoverEverythingAndKeepTheOriginalOrder() {
        var split = TrainTestSplit.stratified(indexed(50, 3), 3, 0.3);
        int[] train = indexes(split.train());
        int[] test = indexes(split.test());
        int[] all = new int[50];
        System.arraycopy(train, 0, all, 0, train.length);
        System.arraycopy(test, 0, all, train.length, test.length);
        Arrays.sort(all);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, all[i]);
        }
        assertTrue(isSorted(train) && isSorted(test));
        for (int k = 0; k < test.length; k++) {
            assertEquals(test[k] % 3, split.test().get(k).label(), "an example keeps its label");
        }
    }

    private static boolean isSorted(int[] values) {
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[i - 1]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        TensorDataset data = indexed(200, 10);
        int[] a = indexes(TrainTestSplit.stratified(data, 5, 0.25).test());
        int[] b = indexes(TrainTestSplit.stratified(data, 5, 0.25).test());
        int[] c = indexes(TrainTestSplit.stratified(data, 6, 0.25).test());
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void numClassesIsOneMoreThanTheLargestLabel() {
        assertEquals(7, TrainTestSplit.stratified(indexed(70, 7), 0, 0.5).numClasses());
    }

    @Test
    void aFractionOutsideZeroToOneIsAnError() {
        TensorDataset data = indexed(10, 2);
        assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.stratified(data, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.stratified(data, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.stratified(data, 0, Double.NaN));
    }

    @Test
    void aFractionThatLeavesTheTestSetEmptyIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainTestSplit.stratified(indexed(10, 2), 0, 0.01));
        assertTrue(e.getMessage().contains("leaves the test set empty"), e.getMessage());
    }
}
