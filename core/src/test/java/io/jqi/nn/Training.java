package io.jqi.nn;

import io.jqi.data.Batch;
import io.jqi.data.DataLoader;
import io.jqi.nn.optim.LrScheduler;
import io.jqi.nn.optim.Optimizer;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;

/** The classification training loop the training tests share. */
public final class Training {
    private Training() {
    }

    /**
     * Trains {@code model} with cross-entropy for {@code epochs}, stepping {@code schedule} (if any) after each
     * epoch. Returns the last batch's loss.
     */
    public static float fit(Module model, DataLoader loader, Optimizer optimizer, LrScheduler schedule, int epochs) {
        model.train();
        float loss = Float.NaN;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (Batch batch : loader.epoch(epoch)) {
                optimizer.zeroGrad();
                Tensor l = Losses.crossEntropy(model.forward(batch.inputs()), batch.labels());
                l.backward();
                optimizer.step();
                loss = l.item();
            }
            if (schedule != null) {
                schedule.step();
            }
        }
        return loss;
    }
}
