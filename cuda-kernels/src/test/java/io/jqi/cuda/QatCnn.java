package io.jqi.cuda;

import io.jqi.models.BuiltInModels;
import io.jqi.nn.Module;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.quant.TrainingMethod;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The built-in {@code cnn} wrapped for quantization-aware training as {@code jqi qat} does it (PTQ analysis on
 * calibration batches, then {@link Qat#init}), on the CPU and deterministic: the same arguments build the same
 * model bit for bit, so one copy can move to the GPU and be compared with the other.
 */
public final class QatCnn {
    public static final int CLASSES = 10;

    private QatCnn() {
    }

    /** w8a8 with STE, or w4a4 with LSQ: the presets whose quantizers a training step exercises. */
    public static QatConfig config(String method, int bits) {
        return QatConfig.builder()
                .weights(w -> w.training(method).symmetric(bits))
                .activations(a -> a.training(method))
                .build();
    }

    public static QatConfig steW8A8() {
        return config(TrainingMethod.STE, 8);
    }

    public static Module create(int[] imageShape, QatConfig config, long seed) {
        return create("cnn", imageShape, config, seed);
    }

    /** A built-in model ({@code cnn} or {@code resnet}) ready for QAT, calibrated on random images. */
    public static Module create(String architecture, int[] imageShape, QatConfig config, long seed) {
        Module model = BuiltInModels.create(architecture, imageShape, CLASSES, seed);
        Random random = new Random(seed);
        List<Tensor> calibration = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calibration.add(images(random, 32, imageShape));
        }
        model.eval();
        return Qat.init(model, calibration, config, TargetPlatform.defaultPlatform());
    }

    /** Images in [0, 1), as the data sets deliver them. */
    public static Tensor images(Random random, int batch, int[] imageShape) {
        return Tensor.uniform(random, 0f, 1f, batch, imageShape[0], imageShape[1], imageShape[2]);
    }

    public static int[] labels(Random random, int batch) {
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = random.nextInt(CLASSES);
        }
        return labels;
    }
}
