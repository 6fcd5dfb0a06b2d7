package io.jqi.train;

import io.jqi.data.Batch;
import io.jqi.data.DataLoader;
import io.jqi.data.Dataset;
import io.jqi.nn.Module;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;

/** Evaluation of a classifier on held-out data, in evaluation mode and without gradients. */
public final class Evaluation {
    private Evaluation() {
    }

    /**
     * The mean cross-entropy and the accuracy of {@code model} on {@code data}, in batches of {@code batchSize} on the
     * model's device. Ties between the largest logits go to the lower class, as argmax does. Leaves the model in
     * evaluation mode.
     */
    public static Metrics evaluate(Module model, Dataset data, int batchSize) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty dataset");
        }
        model.eval();
        Device device = Trainer.deviceOf(model);
        double lossSum = 0;
        int correct = 0;
        try (var noGrad = Tensor.noGrad()) {
            for (Batch batch : new DataLoader(data, batchSize, false, 0, false).epoch(0)) {
                Tensor logits = model.forward(batch.inputs().to(device));
                lossSum += Losses.crossEntropy(logits, batch.labels()).item() * batch.size();
                int classes = logits.shape().dim(1);
                float[] v = logits.toFloatArray();
                int[] labels = batch.labels();
                for (int i = 0; i < labels.length; i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        if (v[i * classes + c] > v[i * classes + best]) {
                            best = c;
                        }
                    }
                    if (best == labels[i]) {
                        correct++;
                    }
                }
            }
        }
        return new Metrics(lossSum / data.size(), (double) correct / data.size(), data.size());
    }

    /** The accuracy alone, in batches of 256. */
    public static double accuracy(Module model, Dataset data) {
        return evaluate(model, data, 256).accuracy();
    }
}
