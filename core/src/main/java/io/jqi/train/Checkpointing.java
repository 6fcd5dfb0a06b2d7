package io.jqi.train;

import io.jqi.nn.Module;
import io.jqi.nn.StateDicts;
import io.jqi.nn.optim.Optimizer;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves the model, the optimizer and the number of finished epochs after every epoch, as one state-dict file written
 * atomically ({@link StateDicts}): a run killed at any moment leaves the last complete checkpoint. {@link #restore}
 * puts them back, and {@link Trainer#fit(io.jqi.data.DataLoader, io.jqi.data.Dataset, int, int)} goes on from there
 * with the same result as a run that never stopped.
 *
 * <pre>{@code
 * int done = Checkpointing.restore(file, model, optimizer);   // 0 when the file does not exist yet
 * trainer.fit(loader, testSet, done, epochs);                 // the trainer has new Checkpointing(file)
 * }</pre>
 */
public final class Checkpointing implements TrainingCallback {
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    private static final String EPOCHS = "trainer.epochs_done";

    private final Path file;

    public Checkpointing(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        trainer.model().stateDict().forEach((k, v) -> state.put(MODEL + k, v));
        trainer.optimizer().stateDict().forEach((k, v) -> state.put(OPTIMIZER + k, v));
        state.put(EPOCHS, Tensor.of(new float[] {result.epoch()}, 1));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            StateDicts.save(file, state);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the checkpoint in {@code file} into {@code model} and {@code optimizer} and returns the number of epochs
     * it had finished; returns 0 and changes nothing when {@code file} does not exist.
     */
    public static int restore(Path file, Module model, Optimizer optimizer) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        Map<String, Tensor> state = StateDicts.load(file);
        Tensor epochs = state.get(EPOCHS);
        if (epochs == null) {
            throw new IOException(file + " is a state dict but not a training checkpoint (it has no " + EPOCHS + ")");
        }
        model.loadStateDict(section(state, MODEL));
        optimizer.loadStateDict(section(state, OPTIMIZER));
        return (int) epochs.item();
    }

    private static Map<String, Tensor> section(Map<String, Tensor> state, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
