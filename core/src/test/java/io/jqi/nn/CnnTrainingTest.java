package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.LrScheduler;
import io.jqi.nn.optim.Optimizer;
import io.jqi.nn.optim.StepLR;
import io.jqi.tensor.Tensor;
import io.jqi.train.Trainer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The convolutional milestone: a small CNN tells apart four orientations of a short bar (horizontal, vertical and
 * the two diagonals) drawn at a random place, length and brightness in noisy 8x8 images.
 */
public class CnnTrainingTest {
    private static final int SIZE = 8;
    private static final int[][] DIRECTIONS = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};
    private static final int EPOCHS = 10;

    private record Result(float accuracy, float finalLoss, long millis) {
    }

    /** {@code n} images [1, 8, 8], classes in turn, each a bar of 3 to 5 pixels over Gaussian noise. */
    public static TensorDataset bars(int n, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[n * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % DIRECTIONS.length;
            int dy = DIRECTIONS[label][0];
            int dx = DIRECTIONS[label][1];
            int length = 3 + random.nextInt(3);
            int base = i * SIZE * SIZE;
            for (int p = 0; p < SIZE * SIZE; p++) {
                pixels[base + p] = (float) (0.25 * random.nextGaussian());
            }
            // Start where the whole bar fits.
            int y0 = random.nextInt(SIZE - dy * (length - 1));
            int x0 = dx >= 0 ? random.nextInt(SIZE - dx * (length - 1))
                    : length - 1 + random.nextInt(SIZE - length + 1);
            float brightness = 0.6f + 0.8f * random.nextFloat();
            for (int s = 0; s < length; s++) {
                pixels[base + (y0 + s * dy) * SIZE + x0 + s * dx] += brightness;
            }
            labels[i] = label;
        }
        return new TensorDataset(Tensor.of(pixels, n, 1, SIZE, SIZE), labels);
    }

    private static Result train(long seed) {
        long start = System.nanoTime();
        Random random = new Random(seed);
        Module model = new Sequential(
                new Conv2D(1, 8, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Conv2D(8, 16, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Flatten(),
                new Dense(16 * 2 * 2, DIRECTIONS.length, true, random));
        DataLoader train = new DataLoader(bars(2000, seed), 32, true, seed, false);
        Optimizer optimizer = new Adam(model.parameters(), 0.01);
        LrScheduler schedule = new StepLR(optimizer, 4, 0.3);
        float loss = (float) Trainer.builder(model, optimizer).schedule(schedule).build().fit(train, null, EPOCHS)
                .last().orElseThrow().trainLoss();
        float accuracy = Accuracy.of(model.eval(), bars(1000, seed + 1));
        return new Result(accuracy, loss, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aCnnLearnsBarOrientationsToNinetyFivePercentDeterministically() {
        Result first = train(3);
        Result second = train(3);
        System.out.printf("CNN on bars: held-out accuracy %.4f, final loss %s, %d ms (rerun %d ms)%n",
                first.accuracy(), first.finalLoss(), first.millis(), second.millis());
        assertTrue(first.accuracy() >= 0.95f, "held-out accuracy " + first.accuracy());
        assertEquals(Float.floatToRawIntBits(first.finalLoss()), Float.floatToRawIntBits(second.finalLoss()),
                "same seed, same final loss bits");
    }
}
