package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.CosineAnnealingLR;
import io.jqi.nn.optim.LrScheduler;
import io.jqi.nn.optim.Optimizer;
import io.jqi.tensor.Tensor;
import io.jqi.train.Trainer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The milestone: an MLP learns three interleaved spirals, a task no linear model gets much past a third right, end
 * to end through Module, DataLoader, Adam and a schedule, deterministically.
 */
public class MlpTrainingTest {
    private static final int CLASSES = 3;
    private static final int EPOCHS = 15;

    private record Result(float accuracy, float finalLoss, long millis) {
    }

    /** Three spiral arms, {@code perClass} points each, with a little angular noise. */
    public static TensorDataset spirals(int perClass, long seed) {
        Random random = new Random(seed);
        int n = perClass * CLASSES;
        float[] xy = new float[n * 2];
        int[] labels = new int[n];
        for (int c = 0; c < CLASSES; c++) {
            for (int i = 0; i < perClass; i++) {
                int row = c * perClass + i;
                double r = (i + 1.0) / perClass;
                double angle = c * 2 * Math.PI / CLASSES + 4.0 * r + 0.15 * random.nextGaussian();
                xy[2 * row] = (float) (r * Math.cos(angle));
                xy[2 * row + 1] = (float) (r * Math.sin(angle));
                labels[row] = c;
            }
        }
        return new TensorDataset(Tensor.of(xy, n, 2), labels);
    }

    private static Result train(long seed) {
        long start = System.nanoTime();
        Random random = new Random(seed);
        Module model = new Sequential(
                new Dense(2, 64, true, random), new ReLU(),
                new Dense(64, 64, true, random), new ReLU(),
                new Dense(64, CLASSES, true, random));
        DataLoader train = new DataLoader(spirals(1000, seed), 64, true, seed, false);
        Optimizer optimizer = new Adam(model.parameters(), 0.01);
        LrScheduler schedule = new CosineAnnealingLR(optimizer, EPOCHS, 0.0005);
        float loss = (float) Trainer.builder(model, optimizer).schedule(schedule).build().fit(train, null, EPOCHS)
                .last().orElseThrow().trainLoss();
        float accuracy = Accuracy.of(model.eval(), spirals(500, seed + 1));
        return new Result(accuracy, loss, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void anMlpLearnsSpiralsToNinetyFivePercentDeterministically() {
        Result first = train(7);
        Result second = train(7);
        System.out.printf("MLP on spirals: held-out accuracy %.4f, final loss %s, %d ms (rerun %d ms)%n",
                first.accuracy(), first.finalLoss(), first.millis(), second.millis());
        assertTrue(first.accuracy() >= 0.95f, "held-out accuracy " + first.accuracy());
        assertEquals(Float.floatToRawIntBits(first.finalLoss()), Float.floatToRawIntBits(second.finalLoss()),
                "same seed, same final loss bits");
    }
}
