package io.jqi.quant.wrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.Accuracy;
import io.jqi.nn.CnnTrainingTest;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Identity;
import io.jqi.nn.MlpTrainingTest;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.Training;
import io.jqi.nn.optim.Adam;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.TrainableQuantizerFactory;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.trainable.TrainableQuantizerConfig;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.quant.QuantizationTarget;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training milestone with quantizers: a float MLP (spirals) and a CNN (oriented bars), trained, are wrapped with trainable weight and
 * activation quantizers found in the registry by training method, keeps training, and is finalized to inferable
 * quantizers with the reference's invariants (spec 7.4).
 */
class QatTrainingTest {
    private static final int BITS = 4;

    /** A task: data, a float architecture, and how long to train it. */
    private record Task(String name, TensorDataset train, TensorDataset test, Supplier<Sequential> model, int epochs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Sequential mlp() {
        Random random = new Random(7);
        return new Sequential(new Dense(2, 64, true, random), new ReLU(), new Dense(64, 64, true, random), new ReLU(),
                new Dense(64, 3, true, random));
    }

    private static Sequential cnn() {
        Random random = new Random(7);
        return new Sequential(
                new Conv2D(1, 8, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Conv2D(8, 16, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Flatten(), new Dense(16 * 2 * 2, 4, true, random));
    }

    static Stream<Arguments> tasksAndMethods() {
        Task spirals = new Task("MLP on spirals", MlpTrainingTest.spirals(1000, 1), MlpTrainingTest.spirals(500, 2),
                QatTrainingTest::mlp, 15);
        Task bars = new Task("CNN on oriented bars", CnnTrainingTest.bars(2000, 1), CnnTrainingTest.bars(1000, 2),
                QatTrainingTest::cnn, 10);
        return Stream.of(spirals, bars).flatMap(t -> Stream.of(TrainingMethod.STE, TrainingMethod.LSQ)
                .map(m -> Arguments.of(t, m)));
    }

    private static Sequential trainFloat(Task task, DataLoader loader) {
        Sequential model = task.model().get();
        Training.fit(model, loader, new Adam(model.parameters(), 0.01), null, task.epochs());
        return model;
    }

    private static FakeQuantizer trainable(QuantizationTarget target, String method, TrainableQuantizerConfig config) {
        Class<?> cls = QuantizerRegistry.global().trainableQuantizerClass(target, method, config.method());
        return TrainableQuantizerFactory.create(cls, config);
    }

    private static float maxAbs(Module upTo, Tensor x) {
        float m = 0f;
        try (var ignored = Tensor.noGrad()) {
            for (float v : upTo.forward(x).toFloatArray()) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    /** input holder, then each Dense wrapped and each ReLU followed by a holder, thresholds from the data. */
    private static Sequential qatReady(Sequential floatModel, String method, TensorDataset calibration) {
        Tensor x = calibration.inputs();
        Module[] layers = floatModel.namedChildren().values().toArray(new Module[0]);
        List<Module> out = new java.util.ArrayList<>();
        out.add(holder(method, maxAbs(new Identity(), x), true));
        for (int i = 0; i < layers.length; i++) {
            Module layer = layers[i];
            if (layer instanceof Dense || layer instanceof Conv2D) {
                float[] t = Thresholds.maxAbsPerRow(layer.namedParameters().get("weight"), 1.1f);
                var config = TrainableQuantizerWeightsConfig.perChannel(QuantizationMethod.SYMMETRIC, BITS, t, 0);
                out.add(new QuantizationWrapper(layer, Map.of("weight",
                        trainable(QuantizationTarget.WEIGHTS, method, config))));
            } else {
                out.add(layer);
                if (layer instanceof ReLU) {
                    Module[] seen = java.util.Arrays.copyOf(layers, i + 1);
                    out.add(holder(method, maxAbs(new Sequential(seen), x), false));
                }
            }
        }
        return new Sequential(out.toArray(new Module[0]));
    }

    private static ActivationQuantizationHolder holder(String method, float threshold, boolean signed) {
        var config = TrainableQuantizerActivationConfig.of(QuantizationMethod.SYMMETRIC, 8,
                QuantizationParams.threshold(threshold * 1.05f, signed));
        return new ActivationQuantizationHolder(trainable(QuantizationTarget.ACTIVATION, method, config));
    }

    private static float[] logits(Module model, Tensor x) {
        model.eval();
        try (var ignored = Tensor.noGrad()) {
            return model.forward(x).toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("tasksAndMethods")
    void aTrainedModelKeepsItsAccuracyThroughQuantizationAwareTrainingAndFinalizes(Task task, String method) {
        DataLoader loader = new DataLoader(task.train(), 64, true, 1, false);
        Sequential floatModel = trainFloat(task, loader);
        float floatAccuracy = Accuracy.of(floatModel, task.test());

        Sequential qat = qatReady(floatModel, method, task.train());
        float readyAccuracy = Accuracy.of(qat, task.test());
        Training.fit(qat, loader, new Adam(qat.parameters(), 0.002), null, 3);
        float qatAccuracy = Accuracy.of(qat, task.test());

        float[] before = logits(qat, task.test().inputs());
        for (Module m : qat.namedChildren().values()) {
            if (m instanceof QuantizationWrapper w) {
                w.convertToInferableQuantizers();
            } else if (m instanceof ActivationQuantizationHolder h) {
                h.convertToInferableQuantizers();
            }
        }
        float[] after = logits(qat, task.test().inputs());

        System.out.printf("QAT %s w%da8, %s: float %.4f, QAT-ready %.4f, after 3 epochs %.4f%n", method, BITS, task,
                floatAccuracy, readyAccuracy, qatAccuracy);
        assertTrue(floatAccuracy >= 0.95f, "float " + floatAccuracy);
        assertTrue(qatAccuracy >= 0.95f, method + " QAT " + qatAccuracy);
        for (int i = 0; i < before.length; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]),
                    "finalized logit " + i + " differs from the QAT-ready model's");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TrainingMethod.STE, TrainingMethod.LSQ})
    void anEpochAtLearningRateZeroChangesNoPrediction(String method) {
        TensorDataset train = MlpTrainingTest.spirals(300, 3);
        DataLoader loader = new DataLoader(train, 64, true, 3, false);
        Task task = new Task("MLP", train, train, QatTrainingTest::mlp, 5);
        Sequential qat = qatReady(trainFloat(task, loader), method, train);
        float[] before = logits(qat, train.inputs());
        Training.fit(qat, loader, new Adam(qat.parameters(), 0.0), null, 1);
        float[] after = logits(qat, train.inputs());
        for (int i = 0; i < before.length; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "logit " + i);
        }
    }
}
