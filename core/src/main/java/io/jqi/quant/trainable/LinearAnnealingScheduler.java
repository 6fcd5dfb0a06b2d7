package io.jqi.quant.trainable;

/**
 * A value that moves linearly from {@code initial} to {@code target} between steps {@code tStart} and {@code tEnd}
 * and holds outside them (MCT's {@code BaseLinearAnnealingScheduler}, used by training methods that anneal a
 * temperature or a regularisation weight; docs/quantizer-contract.md#linear-annealing-scheduler).
 */
public final class LinearAnnealingScheduler {
    private final int tStart;
    private final int tEnd;
    private final double initial;
    private final double target;

    /** Requires {@code 0 <= tStart < tEnd}. */
    public LinearAnnealingScheduler(int tStart, int tEnd, double initial, double target) {
        if (tStart < 0 || tStart >= tEnd) {
            throw new IllegalArgumentException("A linear annealing schedule needs 0 <= t_start < t_end, got t_start = "
                    + tStart + " and t_end = " + tEnd);
        }
        this.tStart = tStart;
        this.tEnd = tEnd;
        this.initial = initial;
        this.target = target;
    }

    /** {@code initial + clip((t - tStart) / (tEnd - tStart), 0, 1) * (target - initial)}. */
    public double valueAt(int t) {
        double fraction = Math.min(Math.max((double) (t - tStart) / (tEnd - tStart), 0.0), 1.0);
        return initial + fraction * (target - initial);
    }
}
