package io.jqi.nn.optim;

/**
 * Drives an optimizer's learning rate by epoch, after PyTorch's {@code torch.optim.lr_scheduler}: the learning rate
 * at construction is the base rate of epoch 0, and {@link #step()}, called once at the end of each epoch, sets the
 * rate of the next epoch from a closed form in the epoch number (so it never accumulates rounding).
 */
public abstract class LrScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private int epoch;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    /** Advances to the next epoch and sets its learning rate on the optimizer. */
    public final void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    /** The learning rate of {@code epoch}, from {@link #baseLr()}. */
    protected abstract double lrAt(int epoch);

    /** The number of {@link #step()} calls so far: the epoch whose learning rate is in force. */
    public final int epoch() {
        return epoch;
    }

    /** The optimizer's learning rate when the scheduler was made. */
    public final double baseLr() {
        return baseLr;
    }

    /** A hyper-parameter check with a message naming the scheduler. */
    protected final void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + message);
        }
    }
}
