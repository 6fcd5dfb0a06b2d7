package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-dimensional k-means behind LUT levels. */
class KMeans1dTest {
    /** {@code count} values around each of {@code centers}, spread by {@code spread}, in a shuffled order. */
    private static float[] clustersAround(float[] centers, int count, float spread, long seed) {
        Random random = new Random(seed);
        float[] values = new float[centers.length * count];
        for (int i = 0; i < values.length; i++) {
            values[i] = centers[i % centers.length] + (float) random.nextGaussian() * spread;
        }
        return values;
    }

    @Test
    void wellSeparatedClustersAreFoundAtTheirMeans() {
        float[] truth = {-90f, -20f, 0f, 35f};
        double[] centers = KMeans1d.centers(clustersAround(truth, 2000, 1f, 1), 4, 0);
        assertEquals(4, centers.length);
        for (int k = 0; k < 4; k++) {
            assertEquals(truth[k], centers[k], 0.2, "center " + k);
        }
    }

    @Test
    void eachCenterIsTheMeanOfTheValuesNearestIt() {
        float[] values = clustersAround(new float[] {-5f, 3f, 40f}, 300, 4f, 2);
        double[] c = KMeans1d.centers(values, 3, 7);
        for (int k = 0; k < c.length; k++) {
            double sum = 0;
            int n = 0;
            for (float v : values) {
                int nearest = 0;
                for (int j = 1; j < c.length; j++) {
                    if (Math.abs(v - c[j]) < Math.abs(v - c[nearest])) {
                        nearest = j;
                    }
                }
                if (nearest == k) {
                    sum += v;
                    n++;
                }
            }
            assertEquals(sum / n, c[k], 1e-9, "a Lloyd fixed point: center " + k);
        }
    }

    @Test
    void theResultDependsOnlyOnTheDataAndTheSeed() {
        float[] values = clustersAround(new float[] {-50f, -10f, 10f, 30f, 70f}, 500, 12f, 3);
        float[] reversed = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            reversed[i] = values[values.length - 1 - i];
        }
        assertArrayEquals(KMeans1d.centers(values, 8, 42), KMeans1d.centers(values, 8, 42));
        assertArrayEquals(KMeans1d.centers(values, 8, 42), KMeans1d.centers(reversed, 8, 42),
                "the input order does not matter");
    }

    @Test
    void fewerDistinctValuesThanClustersGiveOneCenterEach() {
        assertArrayEquals(new double[] {-3, 0, 5}, KMeans1d.centers(new float[] {5, 0, -3, 5, 0, 5}, 16, 0));
    }

    @Test
    void nonFiniteValuesAndNoClustersAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KMeans1d.centers(new float[] {1, Float.NaN}, 2, 0)).getMessage().contains("non-finite"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KMeans1d.centers(new float[] {1, 2}, 0, 0)).getMessage().contains("at least 1 cluster"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KMeans1d.centers(new float[0], 2, 0)).getMessage().contains("at least one value"));
    }
}
