package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransformTest {
    /** A [2, 3, 3] image whose value at (c, y, x) is 100c + 10y + x. */
    private static Example image() {
        float[] x = new float[18];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int i = 0; i < 3; i++) {
                    x[(c * 3 + y) * 3 + i] = 100 * c + 10 * y + i;
                }
            }
        }
        return new Example(x, Shape.of(2, 3, 3), 4);
    }

    @Test
    void normalizeSubtractsTheChannelMeanAndDividesByItsStd() {
        Example out = Transform.normalize(new float[] {1, 100}, new float[] {2, 4}).apply(image(), new SplittableRandom(0));
        assertEquals((0 - 1) / 2f, out.input()[0]);
        assertEquals((112 - 100) / 4f, out.input()[9 + 5]);
        assertEquals(4, out.label());
    }

    @Test
    void normalizeRefusesAMeanPerChannelThatDoesNotMatchTheImage() {
        Transform t = Transform.normalizeImagenet();
        assertThrows(IllegalArgumentException.class, () -> t.apply(image(), new SplittableRandom(0)));
        assertThrows(IllegalArgumentException.class, () -> Transform.normalize(new float[] {0}, new float[] {0}));
    }

    @Test
    void aHorizontalFlipMirrorsEveryRow() {
        Example out = Transform.horizontalFlip(1).apply(image(), new SplittableRandom(0));
        assertArrayEquals(new float[] {2, 1, 0}, java.util.Arrays.copyOfRange(out.input(), 0, 3));
        assertArrayEquals(new float[] {122, 121, 120}, java.util.Arrays.copyOfRange(out.input(), 15, 18));
        assertArrayEquals(image().input(), Transform.horizontalFlip(0).apply(image(), new SplittableRandom(0)).input());
    }

    @Test
    void aRandomCropWithPaddingReachesEveryOffsetAndFillsWithZeros() {
        Transform crop = Transform.randomCrop(3, 1);
        Set<Float> corners = new HashSet<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            Example out = crop.apply(image(), random);
            assertEquals(Shape.of(2, 3, 3), out.shape());
            corners.add(out.input()[4]);   // the centre of channel 0 is the source pixel at the offset + (1, 1)
        }
        // Offsets -1..1 in each direction put source pixels (0..2, 0..2) at the centre: 9 distinct values.
        assertEquals(9, corners.size(), corners.toString());
        Example shifted = null;
        for (int i = 0; i < 400 && shifted == null; i++) {
            Example out = crop.apply(image(), random);
            if (out.input()[0] == 0 && out.input()[4] == 0) {
                shifted = out;   // offset (-1, -1): the top-left is padding, the centre is pixel (0, 0)
            }
        }
        assertEquals(0f, shifted.input()[1], "padding row");
        assertEquals(1f, shifted.input()[5], "pixel (0, 1)");
    }

    @Test
    void aLoaderAugmentsTheSameWayForTheSameSeedAndEpochWhateverTheBatchSize() {
        int n = 12;
        float[] values = new float[n * 18];
        for (int i = 0; i < n; i++) {
            System.arraycopy(image().input(), 0, values, i * 18, 18);
            values[i * 18] = i;
        }
        TensorDataset data = new TensorDataset(Tensor.of(values, n, 2, 3, 3), new int[n]);
        Transform augment = Transform.randomCrop(3, 1).andThen(Transform.horizontalFlip(0.5));
        List<float[]> byFour = examples(new DataLoader(data, 4, true, 9, false).withTransform(augment), 0);
        List<float[]> byFive = examples(new DataLoader(data, 5, true, 9, false).withTransform(augment), 0);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(byFour.get(i), byFive.get(i), "example " + i);
        }
        List<float[]> nextEpoch = examples(new DataLoader(data, 4, true, 9, false).withTransform(augment), 1);
        int differ = 0;
        for (int i = 0; i < n; i++) {
            differ += java.util.Arrays.equals(byFour.get(i), nextEpoch.get(i)) ? 0 : 1;
        }
        assertNotEquals(0, differ, "another epoch draws other augmentations");
    }

    /** The examples of one epoch in batch order. */
    private static List<float[]> examples(DataLoader loader, int epoch) {
        List<float[]> out = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            float[] v = b.inputs().toFloatArray();
            for (int i = 0; i < b.size(); i++) {
                out.add(java.util.Arrays.copyOfRange(v, i * 18, (i + 1) * 18));
            }
        }
        return out;
    }

    @Test
    void aTransformedViewIsTheSameOnEveryRead() {
        Dataset view = new TensorDataset(Tensor.of(image().input(), 1, 2, 3, 3), new int[] {1})
                .transformed(Transform.horizontalFlip(0.5));
        assertArrayEquals(view.get(0).input(), view.get(0).input());
    }
}
