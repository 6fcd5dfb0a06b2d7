package io.jqi.train;

/**
 * One finished training epoch. {@code epoch} counts from 1; {@code trainLoss} is the mean loss over its batches
 * (weighted by batch size); {@code validation} is null for an epoch that was not evaluated
 * ({@link Trainer.Builder#evaluateEvery}); {@code lr} is the learning rate the epoch trained with.
 */
public record EpochResult(int epoch, double trainLoss, int examples, double seconds, double lr, Metrics validation) {
    /** Training examples per second of wall time. */
    public double examplesPerSecond() {
        return seconds > 0 ? examples / seconds : 0;
    }
}
