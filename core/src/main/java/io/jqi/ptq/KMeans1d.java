package io.jqi.ptq;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded k-means of one-dimensional data, for the levels of LUT quantizers. The data is sorted once, so every
 * cluster is a contiguous run of it: an assignment step only moves the boundaries between runs (binary searches for
 * the midpoints between neighbouring centers), and the centers and the inertia come from prefix sums in double. An
 * iteration therefore costs {@code O(k log n)}, not {@code O(k n)}.
 *
 * <p>As scikit-learn's {@code KMeans(n_init=10)}, which the reference uses: k-means++ seeding, Lloyd iterations until
 * no boundary moves (at most {@link #MAX_ITERATIONS}), the best of {@link #RESTARTS} runs by inertia. Unlike the
 * reference, which does not seed scikit-learn, the result depends only on the data and {@code seed}.
 */
final class KMeans1d {
    static final int RESTARTS = 10;
    static final int MAX_ITERATIONS = 300;

    private final double[] sorted;
    /** {@code sum[i]}, {@code squares[i]}: sums of the first i sorted values and of their squares. */
    private final double[] sum;
    private final double[] squares;

    private KMeans1d(float[] values) {
        sorted = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            sorted[i] = values[i];
        }
        Arrays.sort(sorted);
        sum = new double[sorted.length + 1];
        squares = new double[sorted.length + 1];
        for (int i = 0; i < sorted.length; i++) {
            sum[i + 1] = sum[i] + sorted[i];
            squares[i + 1] = squares[i] + sorted[i] * sorted[i];
        }
    }

    /**
     * The ascending centers of {@code clusters} clusters of {@code values} (fewer when the values have fewer
     * distinct ones: each distinct value is then its own center).
     *
     * @throws IllegalArgumentException without values, with a NaN or infinite one, or with fewer than 1 cluster
     */
    static double[] centers(float[] values, int clusters, long seed) {
        if (values.length == 0) {
            throw new IllegalArgumentException("k-means needs at least one value");
        }
        if (clusters < 1) {
            throw new IllegalArgumentException("k-means needs at least 1 cluster, got " + clusters);
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("k-means got a non-finite value " + v);
            }
        }
        KMeans1d data = new KMeans1d(values);
        double[] distinct = Arrays.stream(data.sorted).distinct().toArray();
        if (distinct.length <= clusters) {
            return distinct;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] best = null;
        double bestInertia = Double.POSITIVE_INFINITY;
        for (int run = 0; run < RESTARTS; run++) {
            double[] c = data.lloyd(data.plusPlus(clusters, random));
            double inertia = data.inertia(c);
            if (inertia < bestInertia) {
                best = c;
                bestInertia = inertia;
            }
        }
        return best;
    }

    /** k-means++: the first center uniform, each next one drawn with probability proportional to D(x)^2. */
    private double[] plusPlus(int clusters, SplittableRandom random) {
        int n = sorted.length;
        double[] c = new double[clusters];
        c[0] = sorted[random.nextInt(n)];
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) {
            d2[i] = (sorted[i] - c[0]) * (sorted[i] - c[0]);
        }
        for (int k = 1; k < clusters; k++) {
            double total = 0;
            for (double d : d2) {
                total += d;
            }
            double target = random.nextDouble() * total;
            int pick = n - 1;
            double running = 0;
            for (int i = 0; i < n; i++) {
                running += d2[i];
                if (running > target) {
                    pick = i;
                    break;
                }
            }
            c[k] = sorted[pick];
            for (int i = 0; i < n; i++) {
                double d = (sorted[i] - c[k]) * (sorted[i] - c[k]);
                d2[i] = Math.min(d2[i], d);
            }
        }
        Arrays.sort(c);
        return c;
    }

    /** Lloyd iterations from {@code c} (ascending) until no boundary moves; returns the ascending centers. */
    private double[] lloyd(double[] c) {
        int[] bounds = bounds(c);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            for (int k = 0; k < c.length; k++) {
                int from = bounds[k];
                int to = bounds[k + 1];
                // An empty cluster keeps its center (it can only happen when two centers coincide).
                if (to > from) {
                    c[k] = (sum[to] - sum[from]) / (to - from);
                }
            }
            Arrays.sort(c);
            int[] next = bounds(c);
            if (Arrays.equals(next, bounds)) {
                break;
            }
            bounds = next;
        }
        return c;
    }

    /** Cluster k holds sorted[bounds[k] .. bounds[k + 1]): the values nearest its center, ties to the lower one. */
    private int[] bounds(double[] c) {
        int[] b = new int[c.length + 1];
        b[c.length] = sorted.length;
        for (int k = 1; k < c.length; k++) {
            b[k] = Math.max(b[k - 1], firstAbove((c[k - 1] + c[k]) / 2));
        }
        return b;
    }

    /** The index of the first sorted value above {@code x}. */
    private int firstAbove(double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The sum of squared distances to the nearest center. */
    private double inertia(double[] c) {
        int[] b = bounds(c);
        double total = 0;
        for (int k = 0; k < c.length; k++) {
            int from = b[k];
            int to = b[k + 1];
            total += (squares[to] - squares[from]) - 2 * c[k] * (sum[to] - sum[from]) + (to - from) * c[k] * c[k];
        }
        return total;
    }
}
