package io.jqi.train;

/**
 * The loss became NaN or infinite: the weights are no longer usable, and going on would only spread the NaN. The
 * usual cause is a learning rate too large for the model (imported models whose batch norms were folded into their
 * convolutions are the common case); the message says where it happened.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
