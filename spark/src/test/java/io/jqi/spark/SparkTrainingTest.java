package io.jqi.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.CosineAnnealingLR;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.tensor.Tensor;
import io.jqi.train.Distillation;
import io.jqi.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on an embedded Spark, {@code local[4, 4]}, with two and four workers: it ends where one
 * process training on the same global batches ends, within float rounding, and reruns are bit-identical.
 */
class SparkTrainingTest {
    private static final int[] SHAPE = {1, 8, 8};
    private static final int BATCH = 16;
    /** Tolerance on every parameter after 2 epochs of 4 Adam steps at 1e-3 (each step moves a value by about 1e-3). */
    private static final float TOLERANCE = 1e-5f;

    /** Four task slots; local mode retries a failed task only when the master says how often: "local[4, 4]". */
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[4, 4]", "jqi-spark-training-test");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Module model() {
        Random random = new Random(21);
        return new Sequential(new Conv2D(1, 4, 3, 1, 1, random), new ReLU(), new MaxPool2D(2), new Flatten(),
                new Dense(4 * 4 * 4, 3, true, random));
    }

    /** 70 examples: four global batches of 16, and 6 left out. The label depends on the input, so there is a signal. */
    private static List<LabeledInput> examples() {
        Random random = new Random(5);
        List<LabeledInput> examples = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            float[] x = new float[64];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            examples.add(new LabeledInput(x, x[0] > 0.5f ? 2 : x[0] > -0.5f ? 1 : 0));
        }
        return examples;
    }

    /** One process, one loader over the same examples, unshuffled, the last partial batch dropped. */
    private static Module trainedOnOneProcess(Module model, List<LabeledInput> examples, int epochs) {
        return trainedOnOneProcess(model, examples, epochs, false);
    }

    /** The same, with the learning rate annealed along a cosine when {@code cosine}. */
    private static Module trainedOnOneProcess(Module model, List<LabeledInput> examples, int epochs, boolean cosine) {
        return trainedOnOneProcess(model, examples, epochs, cosine, null);
    }

    /** The same, distilled from {@code distillation}'s teacher unless it is null. */
    private static Module trainedOnOneProcess(Module model, List<LabeledInput> examples, int epochs, boolean cosine,
            Distillation distillation) {
        List<float[]> inputs = new ArrayList<>();
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            inputs.add(examples.get(i).input());
            labels[i] = examples.get(i).label();
        }
        DataLoader loader = new DataLoader(new TensorDataset(SparkPtq.batch(inputs, SHAPE), labels), BATCH, false, 0,
                true);
        Adam adam = new Adam(model.parameters(), 1e-3);
        Trainer.builder(model, adam).schedule(cosine ? new CosineAnnealingLR(adam, epochs, 0) : null)
                .distillation(distillation).build().fit(loader, null, epochs);
        return model;
    }

    private static void assertClose(Module expected, Module actual) {
        Map<String, Tensor> e = expected.stateDict();
        Map<String, Tensor> a = actual.stateDict();
        assertEquals(e.keySet(), a.keySet());
        e.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), a.get(name).toFloatArray(), TOLERANCE, name));
    }

    private static void assertBitIdentical(Module expected, Module actual) {
        expected.stateDict().forEach((name, t) -> assertArrayEquals(t.toFloatArray(),
                actual.stateDict().get(name).toFloatArray(), 0f, name));
    }

    @Test
    void twoWorkersEndWhereOneProcessOnTheSameGlobalBatchesEnds() {
        SparkTraining.Settings settings = new SparkTraining.Settings(2, BATCH, 2, 1e-3, 0, false);
        JavaRDD<LabeledInput> rdd = spark.parallelize(examples(), 3);

        SparkTraining.Result distributed = SparkTraining.train(rdd, SHAPE, model(), settings);

        assertClose(trainedOnOneProcess(model(), examples(), 2), distributed.model());
        assertEquals(2, distributed.epochLosses().size());
        assertTrue(distributed.exchangedBytes() > 0, "the gradients went through the exchange");
    }

    @Test
    void fourWorkersAlongTheChainEndWhereOneProcessEnds() {
        // Workers 1 and 2 sit in the middle of the chain: they add to a partial sum and pass the total back.
        SparkTraining.Result distributed = SparkTraining.train(spark.parallelize(examples(), 3), SHAPE, model(),
                new SparkTraining.Settings(4, BATCH, 2, 1e-3, 0, false));
        assertClose(trainedOnOneProcess(model(), examples(), 2), distributed.model());
    }

    @Test
    void aCosineScheduleAnnealsTheReplicasAsItAnnealsOneProcess() {
        SparkTraining.Result distributed = SparkTraining.train(spark.parallelize(examples(), 2), SHAPE, model(),
                new SparkTraining.Settings(2, BATCH, 3, 1e-3, 0, false).withCosineSchedule());
        assertClose(trainedOnOneProcess(model(), examples(), 3, true), distributed.model());
    }

    /** Two workers' QAT of the model with PTQ's defaults on the default platform, 2 epochs, no shuffling. */
    private static Module distributedQat(SparkTraining.Settings settings) {
        return SparkTraining.qat(spark.parallelize(examples(), 2), SHAPE, model(), QatConfig.defaults(),
                TargetPlatform.defaultPlatform(), settings).model();
    }

    /** The QAT model one process starts from: {@code Qat.init} over the same examples, batched alike. */
    private static Module qatInitOnOneProcess() {
        List<float[]> inputs = new ArrayList<>();
        examples().forEach(e -> inputs.add(e.input()));
        return Qat.init(model(), SparkPtq.batches(inputs, SHAPE, BATCH), QatConfig.defaults(),
                TargetPlatform.defaultPlatform());
    }

    @Test
    void twoWorkerQatEndsWhereOneProcessQatEnds() {
        Module distributed = distributedQat(new SparkTraining.Settings(2, BATCH, 2, 1e-3, 0, false));
        assertClose(trainedOnOneProcess(qatInitOnOneProcess(), examples(), 2), distributed);
    }

    @Test
    void twoWorkerQatDistilledFromTheFloatModelEndsWhereOneProcessEnds() {
        Module distributed = distributedQat(new SparkTraining.Settings(2, BATCH, 2, 1e-3, 0, false)
                .withDistillation(2f, 0.5f));
        Module single = trainedOnOneProcess(qatInitOnOneProcess(), examples(), 2, false,
                new Distillation(model(), 2f, 0.5f));
        assertClose(single, distributed);
    }

    @Test
    void distillationWithoutATeacherIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkTraining.train(
                spark.parallelize(examples(), 2), SHAPE, model(),
                new SparkTraining.Settings(2, BATCH, 1, 1e-3, 0, false).withDistillation(2f, 0.5f)));
        assertTrue(e.getMessage().contains("distil in SparkTraining.qat"), e.getMessage());
    }

    @Test
    void rerunsAreBitIdenticalWithShuffledShards() {
        SparkTraining.Settings settings = new SparkTraining.Settings(2, BATCH, 2, 1e-3, 7, true);
        Module first = SparkTraining.train(spark.parallelize(examples(), 2), SHAPE, model(), settings).model();
        Module second = SparkTraining.train(spark.parallelize(examples(), 5), SHAPE, model(), settings).model();
        assertBitIdentical(first, second);
    }

    @Test
    void aWorkerKilledMidEpochResumesFromTheLastCheckpointAndEndsAtTheUninterruptedModel(@TempDir Path dir) {
        // Three epochs of four steps; on the stage's first attempt worker 1 fails after batch 2 of epoch 2, so
        // Spark runs the stage again and both workers go on from the checkpoint of epoch 1.
        SparkTraining.Settings settings = new SparkTraining.Settings(2, BATCH, 3, 1e-3, 7, true).withCosineSchedule();
        SparkTraining.Settings uninterrupted = settings.withCheckpoint(dir.resolve("a.ckpt").toString());
        SparkTraining.Settings interrupted = settings.withCheckpoint(dir.resolve("b.ckpt").toString());
        SparkTraining.Fault killOnce = (attempt, rank, epoch, batch) -> {
            if (attempt == 0 && rank == 1 && epoch == 2 && batch == 2) {
                throw new IllegalStateException("worker 1 killed by the test");
            }
        };
        Replica replica = Replica.floatModel(model());

        Module expected = SparkTraining.run(spark.parallelize(examples(), 2), SHAPE, replica, uninterrupted,
                SparkTraining.Fault.NONE).model();
        SparkTraining.Result resumed = SparkTraining.run(spark.parallelize(examples(), 2), SHAPE, replica,
                interrupted, killOnce);

        assertBitIdentical(expected, resumed.model());
        assertEquals(2, resumed.epochLosses().size(), "the second attempt trained epochs 2 and 3");
    }

    @Test
    void moreWorkersThanTaskSlotsIsAClearErrorAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkTraining.train(
                spark.parallelize(examples(), 2), SHAPE, model(), new SparkTraining.Settings(8, BATCH, 1, 1e-3, 0,
                        false)));
        assertTrue(e.getMessage().contains("8 workers need 8 task slots at once, and this Spark has 4"),
                e.getMessage());
    }

    @Test
    void aGlobalBatchThatTheWorkersCannotShareEquallyIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparkTraining.Settings(3, BATCH, 1, 1e-3, 0, false));
        assertTrue(e.getMessage().contains("multiple of the worker count"), e.getMessage());
    }
}
