package io.jqi.data;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Cuts a dataset into mini-batches, one epoch at a time. The order of epoch {@code e} depends only on the seed and
 * {@code e}: two runs with the same seed see identical batches, and a run resumed at epoch {@code e} sees what an
 * uninterrupted one would have. Every example appears exactly once per epoch (a short last batch is kept unless
 * {@code dropLast}).
 *
 * <pre>{@code
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch batch : loader.epoch(epoch)) { ... }
 * }
 * }</pre>
 */
public final class DataLoader {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Transform transform;

    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        this(dataset, batchSize, shuffle, seed, dropLast, null);
    }

    private DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast,
            Transform transform) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.transform = transform;
    }

    /** This loader with every example passed through {@code transform} (after any transform it already has). */
    public DataLoader withTransform(Transform transform) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropLast,
                this.transform == null ? transform : this.transform.andThen(transform));
    }

    /** The dataset this loader batches. */
    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The number of batches in an epoch. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset indexes of epoch {@code epoch}, in the order they are batched. */
    public int[] order(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random random = new Random(epochSeed(epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * Mixes the seed and the epoch with SplitMix64's finaliser, so that neighbouring epochs (and neighbouring seeds)
     * get unrelated generator states; {@code seed + epoch} would make seed 1 epoch 0 replay seed 0 epoch 1.
     */
    private long epochSeed(int epoch) {
        return mix(seed + 0x9E3779B97F4A7C15L * (epoch + 1L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The batches of epoch {@code epoch}; each is assembled when the iterator reaches it. */
    public Iterable<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        int batches = batchesPerEpoch();
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("Epoch " + epoch + " has " + batches + " batches");
                }
                int from = next++ * batchSize;
                return assemble(epoch, order, from, Math.min(from + batchSize, order.length));
            }
        };
    }

    private Batch assemble(int epoch, int[] order, int from, int to) {
        int[] labels = new int[to - from];
        float[] values = null;
        Shape shape = null;
        for (int i = from; i < to; i++) {
            Example e = dataset.get(order[i]);
            if (transform != null) {
                e = transform.apply(e, new SplittableRandom(mix(epochSeed(epoch) + 0x632BE59BD9B4E019L * order[i])));
            }
            if (shape == null) {
                shape = e.shape();
                values = new float[Math.multiplyExact(labels.length, shape.numel())];
            } else if (!shape.equals(e.shape())) {
                throw new IllegalStateException("Example " + order[i] + " has shape " + e.shape() + " but example "
                        + order[from] + " has " + shape + "; a batch needs examples of one shape");
            }
            System.arraycopy(e.input(), 0, values, (i - from) * shape.numel(), shape.numel());
            labels[i - from] = e.label();
        }
        int[] exampleDims = shape.toArray();
        int[] dims = new int[exampleDims.length + 1];
        dims[0] = labels.length;
        System.arraycopy(exampleDims, 0, dims, 1, exampleDims.length);
        return new Batch(Tensor.wrap(values, Shape.of(dims)), labels);
    }
}
