package io.jqi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.Dense;
import io.jqi.nn.MlpTrainingTest;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.CosineAnnealingLR;
import io.jqi.nn.optim.SGD;
import io.jqi.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final TensorDataset TRAIN = MlpTrainingTest.spirals(100, 1);
    private static final TensorDataset TEST = MlpTrainingTest.spirals(50, 2);

    @TempDir
    Path dir;

    private static Module mlp(long seed) {
        Random random = new Random(seed);
        return new Sequential(new Dense(2, 32, true, random), new ReLU(), new Dense(32, 3, true, random));
    }

    private static DataLoader loader() {
        return new DataLoader(TRAIN, 32, true, 4, false);
    }

    @Test
    void fitRecordsEachEpochWithItsLearningRateAndValidation() {
        Module model = mlp(1);
        Adam adam = new Adam(model.parameters(), 0.01);
        History history = Trainer.builder(model, adam).schedule(new CosineAnnealingLR(adam, 4, 0)).build()
                .fit(loader(), TEST, 4);
        assertEquals(4, history.epochs().size());
        assertEquals(0.01, history.epochs().get(0).lr(), 1e-12);
        assertEquals(0.005, history.epochs().get(2).lr(), 1e-12, "cosine at epoch 2 of 4");
        assertTrue(history.epochs().get(3).trainLoss() < history.epochs().get(0).trainLoss());
        assertEquals(TEST.size(), history.last().orElseThrow().validation().examples());
        assertTrue(history.stopReason().isEmpty());
    }

    @Test
    void evaluateEveryKEvaluatesThoseEpochsAndTheLast() {
        Module model = mlp(1);
        History history = Trainer.builder(model, new Adam(model.parameters(), 0.01)).evaluateEvery(3).build()
                .fit(loader(), TEST, 4);
        List<EpochResult> epochs = history.epochs();
        assertNull(epochs.get(0).validation());
        assertNull(epochs.get(1).validation());
        assertNotNull(epochs.get(2).validation());
        assertNotNull(epochs.get(3).validation());
    }

    @Test
    void anEvaluationLimitEvaluatesAFixedSampleOfThatSize() {
        Module model = mlp(1);
        Trainer trainer = Trainer.builder(model, new SGD(model.parameters(), 0)).evaluationLimit(40).build();
        Metrics first = trainer.fit(loader(), TEST, 1).last().orElseThrow().validation();
        Metrics second = trainer.fit(loader(), TEST, 1).last().orElseThrow().validation();
        assertEquals(40, first.examples());
        assertEquals(first, second, "the same sample each time");
    }

    @Test
    void earlyStoppingStopsWhenAccuracyStopsImproving() {
        Module model = mlp(1);
        History history = Trainer.builder(model, new SGD(model.parameters(), 0))
                .callbacks(new EarlyStopping(2, 0)).build().fit(loader(), TEST, 10);
        assertEquals(3, history.epochs().size(), "the first epoch sets the best, two more without improvement");
        assertTrue(history.stopReason().orElseThrow().contains("not improved for 2"), history.toString());
    }

    @Test
    void aRunResumedFromItsCheckpointEndsWithTheSameBitsAsOneNeverStopped() throws IOException {
        Module straight = mlp(1);
        Adam straightAdam = new Adam(straight.parameters(), 0.01);
        Trainer.builder(straight, straightAdam).schedule(new CosineAnnealingLR(straightAdam, 4, 0)).build()
                .fit(loader(), null, 4);

        Path file = dir.resolve("run/checkpoint.state");
        Module first = mlp(1);
        Adam firstAdam = new Adam(first.parameters(), 0.01);
        Trainer.builder(first, firstAdam).schedule(new CosineAnnealingLR(firstAdam, 4, 0))
                .callbacks(new Checkpointing(file)).build().fit(loader(), null, 2);

        Module resumed = mlp(99);   // other initial weights: everything must come from the checkpoint
        Adam resumedAdam = new Adam(resumed.parameters(), 0.01);
        int done = Checkpointing.restore(file, resumed, resumedAdam);
        assertEquals(2, done);
        Trainer.builder(resumed, resumedAdam).schedule(new CosineAnnealingLR(resumedAdam, 4, 0)).build()
                .fit(loader(), null, done, 4);

        List<Tensor> a = straight.parameters();
        List<Tensor> b = resumed.parameters();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), "parameter " + i);
        }
    }

    @Test
    void restoringFromAMissingCheckpointChangesNothing() throws IOException {
        Module model = mlp(1);
        assertEquals(0, Checkpointing.restore(dir.resolve("none.state"), model, new Adam(model.parameters(), 0.1)));
    }

    @Test
    void aLossThatBecomesNanStopsTrainingWithAHint() {
        float[] x = new float[64];
        x[5] = Float.NaN;
        TensorDataset bad = new TensorDataset(Tensor.of(x, 32, 2), new int[32]);
        Module model = new Dense(2, 3, true, new Random(1));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(model, new Adam(model.parameters(), 0.01)).build()
                        .fit(new DataLoader(bad, 32, false, 0, false), null, 1));
        assertTrue(e.getMessage().contains("epoch 1, batch 1") && e.getMessage().contains("lower the learning rate"),
                e.getMessage());
    }

    @Test
    void aPenaltyJoinsEveryBatchsLossWithoutChangingTheGradientsOfWhatItDoesNotDependOn() {
        Module plain = mlp(1);
        Module penalized = mlp(1);
        History without = Trainer.builder(plain, new Adam(plain.parameters(), 0.01)).build().fit(loader(), null, 2);
        History with = Trainer.builder(penalized, new Adam(penalized.parameters(), 0.01))
                .penalty(model -> Tensor.scalar(2f)).build().fit(loader(), null, 2);
        for (int e = 0; e < 2; e++) {
            assertEquals(without.epochs().get(e).trainLoss() + 2, with.epochs().get(e).trainLoss(), 1e-5);
        }
        for (int p = 0; p < plain.parameters().size(); p++) {
            assertArrayEquals(plain.parameters().get(p).toFloatArray(), penalized.parameters().get(p).toFloatArray());
        }
    }

    @Test
    void aPenaltyTrainsTheParametersItDependsOn() {
        Module plain = mlp(1);
        Module penalized = mlp(1);
        Trainer.builder(plain, new Adam(plain.parameters(), 0.01)).build().fit(loader(), null, 3);
        Trainer.builder(penalized, new Adam(penalized.parameters(), 0.01))
                .penalty(model -> model.parameters().get(0).mul(model.parameters().get(0)).sum().mul(10f))
                .build().fit(loader(), null, 3);
        Tensor kept = plain.parameters().get(0);
        Tensor shrunk = penalized.parameters().get(0);
        assertTrue(shrunk.mul(shrunk).sum().item() < kept.mul(kept).sum().item() / 2);
    }

    @Test
    void callbacksSeeEveryBatchAndEveryEpoch() {
        int[] counts = new int[2];
        TrainingCallback counter = new TrainingCallback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, int examples, double loss) {
                counts[0]++;
            }

            @Override
            public void onEpochEnd(Trainer trainer, EpochResult result) {
                counts[1]++;
            }
        };
        Module model = mlp(1);
        Trainer.builder(model, new Adam(model.parameters(), 0.01)).callbacks(counter).build().fit(loader(), null, 3);
        assertArrayEquals(new int[] {3 * loader().batchesPerEpoch(), 3}, counts);
    }

    @Test
    void theProgressLoggerPrintsTenthsAndAnEpochLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Module model = mlp(1);
        Trainer.builder(model, new Adam(model.parameters(), 0.01))
                .callbacks(new ProgressLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8))).build()
                .fit(loader(), TEST, 1);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("epoch 1: 50% (5/10 batches)"), text);
        assertTrue(text.contains("validation loss"), text);
    }
}
