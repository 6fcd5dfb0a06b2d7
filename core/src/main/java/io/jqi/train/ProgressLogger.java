package io.jqi.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress as plain lines, readable in logs and CI: one every tenth of an epoch, and one per epoch with its loss,
 * validation results, time and throughput.
 */
public final class ProgressLogger implements TrainingCallback {
    private final PrintStream out;
    private int lastTenth;

    public ProgressLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, int examples, double loss) {
        int tenth = batch * 10 / batches;
        if (batch == 1) {
            lastTenth = 0;
        }
        if (tenth > lastTenth && batch < batches) {
            lastTenth = tenth;
            out.printf(Locale.ROOT, "  epoch %d: %d%% (%d/%d batches), loss %.4f%n", epoch, tenth * 10, batch,
                    batches, loss);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        String validation = r.validation() == null ? "" : String.format(Locale.ROOT, ", validation loss %.4f, "
                + "accuracy %.2f%%", r.validation().loss(), 100 * r.validation().accuracy());
        out.printf(Locale.ROOT, "epoch %d: loss %.4f%s, lr %.3g, %.1f s, %.0f examples/s%n", r.epoch(), r.trainLoss(),
                validation, r.lr(), r.seconds(), r.examplesPerSecond());
    }
}
