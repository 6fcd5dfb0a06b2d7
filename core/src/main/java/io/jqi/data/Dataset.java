package io.jqi.data;

/**
 * A fixed, indexable collection of labelled examples, all of one shape. Implementations may hold their examples in
 * memory ({@link TensorDataset}) or read each one when asked ({@link ImageFolder}, {@link CifarFormat},
 * {@link NpyFormat}); a {@link DataLoader} then holds one batch at a time, so a dataset larger than the heap trains.
 * {@link #get} may be called from several threads.
 */
public interface Dataset {
    int size();

    /** The example at {@code index}, {@code 0 <= index < size()}. */
    Example get(int index);

    /**
     * The label of example {@code index}. Datasets that read examples from files override it to answer without
     * decoding the example (splits and class counts need every label).
     */
    default int label(int index) {
        return get(index).label();
    }

    /** A view of the examples at {@code indexes}, in that order; nothing is copied or read until asked. */
    default Dataset subset(int... indexes) {
        return DatasetView.of(this, indexes, null);
    }

    /**
     * A view whose examples pass through {@code transform} when read. The transform's random source depends only on
     * the index, so the view is deterministic: use it for fixed preprocessing (normalization), and
     * {@link DataLoader#withTransform} for augmentation that changes every epoch.
     */
    default Dataset transformed(Transform transform) {
        int[] all = new int[size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return DatasetView.of(this, all, transform);
    }
}
