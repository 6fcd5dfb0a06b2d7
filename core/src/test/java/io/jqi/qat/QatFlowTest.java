package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.examples.AbsMeanWeightQuantizer;
import io.jqi.nn.Accuracy;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.CnnTrainingTest;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.GraphModel;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.MlpTrainingTest;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.ptq.RepresentativeData;
import io.jqi.ptq.TargetPlatform;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Tensor;
import io.jqi.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The QAT flow end to end (issue 4): a trained float MLP (spirals) and a CNN with batch norms (oriented bars) go
 * through {@link Qat#init}, training and {@link Qat#finalize} with STE, LSQ and a user's own training method, and
 * the reference's invariants (docs/quantizer-contract.md#qat-invariants) hold.
 */
class QatFlowTest {
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();

    /** A task: data and a trained float model. */
    record Task(String name, TensorDataset train, TensorDataset test, Module model) {
        @Override
        public String toString() {
            return name;
        }

        List<Tensor> representative() {
            return RepresentativeData.of(loader(), 8);
        }

        DataLoader loader() {
            return new DataLoader(train, 64, true, 1, false);
        }
    }

    private static Task mlpTask;
    private static Task cnnTask;

    static synchronized Task mlp() {
        if (mlpTask == null) {
            Random random = new Random(7);
            Module model = new Sequential(new Dense(2, 64, true, random), new ReLU(), new Dense(64, 64, true, random),
                    new ReLU(), new Dense(64, 3, true, random));
            mlpTask = trained("MLP on spirals", MlpTrainingTest.spirals(1000, 1), MlpTrainingTest.spirals(500, 2),
                    model, 15);
        }
        return mlpTask;
    }

    static synchronized Task cnn() {
        if (cnnTask == null) {
            Random random = new Random(7);
            Module model = new Sequential(
                    new Conv2D(1, 8, 3, 1, 1, random), new BatchNorm(8), new ReLU(), new MaxPool2D(2),
                    new Conv2D(8, 16, 3, 1, 1, random), new BatchNorm(16), new ReLU(), new MaxPool2D(2),
                    new Flatten(), new Dense(16 * 2 * 2, 4, true, random));
            cnnTask = trained("CNN with batch norm on bars", CnnTrainingTest.bars(2000, 1),
                    CnnTrainingTest.bars(1000, 2), model, 8);
        }
        return cnnTask;
    }

    private static Task trained(String name, TensorDataset train, TensorDataset test, Module model, int epochs) {
        Trainer.builder(model, new Adam(model.parameters(), 0.01)).build()
                .fit(new DataLoader(train, 64, true, 1, false), null, epochs);
        model.eval();
        return new Task(name, train, test, model);
    }

    static Stream<Arguments> tasksAndMethods() {
        return Stream.of(mlp(), cnn()).flatMap(t -> Stream.of(TrainingMethod.STE, TrainingMethod.LSQ)
                .map(m -> Arguments.of(t, m)));
    }

    private static QatConfig config(String method, int weightBits) {
        return QatConfig.builder()
                .weights(w -> w.training(method).symmetric(weightBits))
                .activations(a -> a.training(method))
                .build();
    }

    static float[] logits(Module model, Tensor x) {
        model.eval();
        try (var ignored = Tensor.noGrad()) {
            return model.forward(x).toFloatArray();
        }
    }

    static double relativeError(float[] actual, float[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += Math.pow((double) actual[i] - expected[i], 2);
            den += Math.pow(expected[i], 2);
        }
        return Math.sqrt(num / den);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("tasksAndMethods")
    void rightAfterInitTheQatReadyModelComputesThePtqModelsOutputs(Task task, String method) {
        QatConfig config = config(method, 8);
        GraphModel ptq = Qat.ptq(task.model(), task.representative(), config, PLATFORM);
        GraphModel qat = Qat.init(task.model(), task.representative(), config, PLATFORM);
        double error = relativeError(logits(qat, task.test().inputs()), logits(ptq, task.test().inputs()));
        assertTrue(error <= 1e-6, "relative error " + error);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("tasksAndMethods")
    void trainingKeepsAccuracyAndFinalizeKeepsTheOutputs(Task task, String method) {
        GraphModel qat = Qat.init(task.model(), task.representative(), config(method, 4), PLATFORM);
        Trainer.builder(qat, new Adam(qat.parameters(), 0.002)).build().fit(task.loader(), null, 2);
        float[] before = logits(qat, task.test().inputs());
        float accuracy = Accuracy.of(qat, task.test());
        Qat.finalize(qat);
        float[] after = logits(qat, task.test().inputs());
        System.out.printf("QAT %s w4a8 on %s: float %.4f, after 2 epochs %.4f%n", method, task,
                Accuracy.of(task.model(), task.test()), accuracy);
        assertTrue(accuracy >= 0.9f, method + " QAT accuracy " + accuracy);
        assertTrue(relativeError(after, before) <= 1e-6, "finalized outputs differ from the QAT-ready model's");
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("tasksAndMethods")
    void anEpochAtLearningRateZeroChangesNoPrediction(Task task, String method) {
        GraphModel qat = Qat.init(task.model(), task.representative(), config(method, 4), PLATFORM);
        float[] before = logits(qat, task.test().inputs());
        Trainer.builder(qat, new io.jqi.nn.optim.SGD(qat.parameters(), 0.0)).build().fit(task.loader(), null, 1);
        float[] after = logits(qat, task.test().inputs());
        for (int i = 0; i < before.length; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "logit " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void aUserRegisteredTrainingMethodWorksLikeTheBuiltInOnes(Task task) {
        QuantizerRegistry registry = new QuantizerRegistry()
                .registerAll(QuantizerRegistry.global().registeredClasses())
                .register(AbsMeanWeightQuantizer.class);
        QatConfig config = QatConfig.builder().registry(registry)
                .weights(w -> w.training("ABS_MEAN").symmetric(4))
                .build();
        GraphModel qat = Qat.init(task.model(), task.representative(), config, PLATFORM, registry);
        Trainer.builder(qat, new Adam(qat.parameters(), 0.002)).build().fit(task.loader(), null, 2);
        float[] before = logits(qat, task.test().inputs());
        float accuracy = Accuracy.of(qat, task.test());
        Qat.finalize(qat);
        assertTrue(accuracy >= 0.9f, "ABS_MEAN QAT accuracy " + accuracy);
        assertTrue(relativeError(logits(qat, task.test().inputs()), before) <= 1e-6);
    }

    static Stream<Task> tasks() {
        return Stream.of(mlp(), cnn());
    }

    @org.junit.jupiter.api.Test
    void initLeavesTheFloatModelAsItWas() {
        Task task = cnn();
        Map<String, Tensor> before = task.model().stateDict();
        GraphModel qat = Qat.init(task.model(), task.representative(), config(TrainingMethod.LSQ, 4), PLATFORM);
        Trainer.builder(qat, new Adam(qat.parameters(), 0.01)).build().fit(task.loader(), null, 1);
        Map<String, Tensor> after = task.model().stateDict();
        before.forEach((name, t) -> org.junit.jupiter.api.Assertions.assertArrayEquals(t.toFloatArray(),
                after.get(name).toFloatArray(), name));
    }

    @org.junit.jupiter.api.Test
    void lutWeightsWithoutATrainableLutQuantizerAreRefusedNamingTheLayerAndTheGrid() {
        Task task = cnn();
        TargetPlatform lut = PLATFORM.withOp("Dense", io.jqi.ptq.OpQuantization.kernel(
                io.jqi.ptq.WeightQuantization.perChannel(io.jqi.quant.QuantizationMethod.LUT_POT, 3), null));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Qat.init(task.model(), task.representative(), QatConfig.defaults(), lut));
        assertTrue(e.getMessage().contains("weights") && e.getMessage().contains("LUT_POT"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void atEightBitsPtqLosesAtMostOnePointAndQatRecoversToWithinHalfAPointOfFloat() {
        Task task = cnn();
        QatConfig config = QatConfig.defaults();
        float floatAccuracy = Accuracy.of(task.model(), task.test());
        float ptqAccuracy = Accuracy.of(Qat.ptq(task.model(), task.representative(), config, PLATFORM).eval(),
                task.test());
        GraphModel qat = Qat.init(task.model(), task.representative(), config, PLATFORM);
        Trainer.builder(qat, new Adam(qat.parameters(), 0.001)).build().fit(task.loader(), null, 2);
        float qatAccuracy = Accuracy.of(Qat.finalize(qat), task.test());
        System.out.printf("w8a8 on %s: float %.4f, PTQ %.4f, QAT (2 epochs, finalized) %.4f%n", task, floatAccuracy,
                ptqAccuracy, qatAccuracy);
        assertTrue(ptqAccuracy >= floatAccuracy - 0.01f, "PTQ " + ptqAccuracy + " vs float " + floatAccuracy);
        assertTrue(qatAccuracy >= floatAccuracy - 0.005f, "QAT " + qatAccuracy + " vs float " + floatAccuracy);
    }
}
