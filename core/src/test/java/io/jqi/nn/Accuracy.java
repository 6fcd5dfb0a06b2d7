package io.jqi.nn;

import io.jqi.data.Batch;
import io.jqi.data.DataLoader;
import io.jqi.data.Dataset;
import io.jqi.tensor.Tensor;

/** The fraction of a dataset a classifier gets right, for the training tests. */
public final class Accuracy {
    private Accuracy() {
    }

    @SuppressWarnings("try") // the scope only switches grad mode off
    public static float of(Module model, Dataset data) {
        int correct = 0;
        try (var ignored = Tensor.noGrad()) {
            for (Batch batch : new DataLoader(data, 256, false, 0, false).epoch(0)) {
                Tensor logits = model.forward(batch.inputs());
                int classes = logits.shape().dim(1);
                float[] v = logits.toFloatArray();
                for (int i = 0; i < batch.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        if (v[i * classes + c] > v[i * classes + best]) {
                            best = c;
                        }
                    }
                    correct += best == batch.labels()[i] ? 1 : 0;
                }
            }
        }
        return correct / (float) data.size();
    }
}
