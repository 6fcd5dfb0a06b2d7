package io.jqi.train;

/**
 * Stops training when validation accuracy has not improved by more than {@code minDelta} for {@code patience}
 * evaluated epochs in a row (epochs without evaluation are not counted).
 */
public final class EarlyStopping implements TrainingCallback {
    private final int patience;
    private final double minDelta;
    private double best = Double.NEGATIVE_INFINITY;
    private int bestEpoch;
    private int stale;

    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("EarlyStopping needs patience >= 1 and minDelta >= 0, got " + patience
                    + " and " + minDelta);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        if (result.validation() == null) {
            return;
        }
        double accuracy = result.validation().accuracy();
        if (accuracy > best + minDelta) {
            best = accuracy;
            bestEpoch = result.epoch();
            stale = 0;
        } else if (++stale >= patience) {
            trainer.stop(String.format(java.util.Locale.ROOT, "validation accuracy has not improved for %d "
                    + "evaluations; the best, %.2f%%, was at epoch %d", patience, 100 * best, bestEpoch));
        }
    }
}
