package io.jqi.ptq;

import io.jqi.data.Batch;
import io.jqi.data.DataLoader;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Representative input batches for post-training analysis, taken from a data loader. */
public final class RepresentativeData {
    private RepresentativeData() {
    }

    /** The inputs of the first {@code batches} batches of {@code loader}'s epoch 0 (all of them if fewer). */
    public static List<Tensor> of(DataLoader loader, int batches) {
        if (batches <= 0) {
            throw new IllegalArgumentException("Ask for at least one representative batch, got " + batches);
        }
        List<Tensor> out = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            if (out.size() == batches) {
                break;
            }
            out.add(b.inputs());
        }
        return out;
    }
}
