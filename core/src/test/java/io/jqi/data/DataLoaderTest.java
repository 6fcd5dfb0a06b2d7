package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** Example i has label i and input values [i, i + 0.5] in shape [1, 2]. */
    private static TensorDataset indexed(int n) {
        float[] values = new float[n * 2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            values[2 * i] = i;
            values[2 * i + 1] = i + 0.5f;
            labels[i] = i;
        }
        return new TensorDataset(Tensor.of(values, n, 1, 2), labels);
    }

    private static List<int[]> labels(DataLoader loader, int epoch) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            out.add(b.labels());
        }
        return out;
    }

    @Test
    void theSameSeedGivesIdenticalBatches() {
        for (int epoch = 0; epoch < 3; epoch++) {
            List<int[]> a = labels(new DataLoader(indexed(50), 8, true, 11, false), epoch);
            List<int[]> b = labels(new DataLoader(indexed(50), 8, true, 11, false), epoch);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i));
            }
        }
    }

    @Test
    void everyExampleAppearsExactlyOncePerEpoch() {
        DataLoader loader = new DataLoader(indexed(50), 8, true, 3, false);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[50];
            for (int[] batch : labels(loader, epoch)) {
                for (int label : batch) {
                    seen[label]++;
                }
            }
            int[] once = new int[50];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen, "epoch " + epoch);
        }
    }

    @Test
    void epochsAndSeedsShuffleDifferently() {
        DataLoader loader = new DataLoader(indexed(50), 50, true, 3, false);
        assertFalse(Arrays.equals(loader.order(0), loader.order(1)));
        assertFalse(Arrays.equals(loader.order(0), new DataLoader(indexed(50), 50, true, 4, false).order(0)));
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        int[] expected = new int[10];
        Arrays.setAll(expected, i -> i);
        assertArrayEquals(expected, new DataLoader(indexed(10), 4, false, 0, false).order(5));
    }

    @Test
    void theShortLastBatchIsKeptUnlessDropLast() {
        DataLoader keep = new DataLoader(indexed(10), 4, false, 0, false);
        DataLoader drop = new DataLoader(indexed(10), 4, false, 0, true);
        assertEquals(3, keep.batchesPerEpoch());
        assertEquals(List.of(4, 4, 2), labels(keep, 0).stream().map(b -> b.length).toList());
        assertEquals(2, drop.batchesPerEpoch());
        assertEquals(List.of(4, 4), labels(drop, 0).stream().map(b -> b.length).toList());
    }

    @Test
    void aBatchStacksItsExamplesAlongANewFirstAxis() {
        Batch batch = new DataLoader(indexed(10), 3, true, 5, false).epoch(0).iterator().next();
        assertEquals(Shape.of(3, 1, 2), batch.inputs().shape());
        float[] v = batch.inputs().toFloatArray();
        for (int i = 0; i < 3; i++) {
            int label = batch.labels()[i];
            assertArrayEquals(new float[] {label, label + 0.5f}, Arrays.copyOfRange(v, 2 * i, 2 * i + 2));
        }
    }

    @Test
    void aNonPositiveBatchSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(indexed(3), 0, false, 0, false));
    }
}
