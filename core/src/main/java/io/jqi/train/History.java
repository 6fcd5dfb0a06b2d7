package io.jqi.train;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Trainer#fit} did: the epochs it ran, in order, and why it stopped early if it did (an
 * {@link EarlyStopping}, or any callback calling {@link Trainer#stop}).
 */
public record History(List<EpochResult> epochs, Optional<String> stopReason) {
    public History {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch, or empty when none ran. */
    public Optional<EpochResult> last() {
        return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
    }

    /** The last epoch that was evaluated, or empty. */
    public Optional<Metrics> lastValidation() {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.get(i).validation() != null) {
                return Optional.of(epochs.get(i).validation());
            }
        }
        return Optional.empty();
    }
}
