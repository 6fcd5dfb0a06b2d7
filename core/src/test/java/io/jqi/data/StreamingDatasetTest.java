package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.Module;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.SGD;
import io.jqi.train.History;
import io.jqi.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset larger than the heap trains: a JVM limited to 32 MiB of heap trains an epoch over 80 MB of CIFAR records
 * (with augmentation), which the memory-mapped reader streams a batch at a time.
 */
class StreamingDatasetTest {
    private static final int RECORDS = 26_000;   // 26,000 x 3,073 bytes = 80 MB, as floats 320 MB

    @TempDir
    Path dir;

    @Test
    void anEpochOverCifarFilesLargerThanTheHeapTrainsInA32MiBHeap() throws IOException, InterruptedException {
        Path file = dir.resolve("data_batch_1.bin");
        byte[] record = new byte[3073];
        Random random = new Random(1);
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int i = 0; i < RECORDS; i++) {
                random.nextBytes(record);
                record[0] = (byte) (i % 10);
                out.write(record);
            }
        }
        assertTrue(Files.size(file) > 32L << 21, "the file is more than twice the heap");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the child finishes");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("trained " + RECORDS + " examples"), output);
    }

    /** The child: one epoch of a linear classifier over the file, with random crops and flips. */
    public static final class Main {
        public static void main(String[] args) throws IOException {
            CifarFormat data = CifarFormat.cifar10(Path.of(args[0]));
            Module model = new Sequential(new Flatten(), new Dense(3 * 32 * 32, 10, true, new Random(0)));
            DataLoader loader = new DataLoader(data, 128, true, 0, false)
                    .withTransform(Transform.randomCrop(32, 4).andThen(Transform.horizontalFlip(0.5)));
            History history = Trainer.builder(model, new SGD(model.parameters(), 0.001)).build()
                    .fit(loader, null, 1);
            List<?> epochs = history.epochs();
            System.out.println("trained " + history.last().orElseThrow().examples() + " examples in " + epochs.size()
                    + " epoch, loss " + history.last().orElseThrow().trainLoss());
        }
    }
}
