package io.jqi.train;

/**
 * Hooks into {@link Trainer#fit}: progress, checkpoints, early stopping, logging. Both methods do nothing by default.
 * A callback may stop training with {@link Trainer#stop} and reach the model and optimizer through the trainer.
 */
public interface TrainingCallback {
    /** After each training batch: {@code batch} of {@code batches} (from 1) in {@code epoch} (from 1). */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, int examples, double loss) {
    }

    /** After each epoch, its evaluation included. */
    default void onEpochEnd(Trainer trainer, EpochResult result) {
    }
}
