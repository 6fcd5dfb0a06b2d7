package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Fashion-MNIST from {@code -Djqi.fashionMnist=DIR}, else from where Debian's
 * {@code dataset-fashion-mnist} package installs it; skipped when neither holds it.
 */
@Tag("dataset")
class FashionMnistTest {

    @Test
    void fashionMnistHas60000TrainingAnd10000TestImagesOf28x28InTenBalancedClasses() throws IOException {
        String property = System.getProperty("jqi.fashionMnist");
        Path dir = property != null ? Path.of(property) : MnistFormat.DEBIAN_FASHION_MNIST;
        assumeTrue(MnistFormat.isPresent(dir), "Fashion-MNIST is not in " + dir + "; "
                + MnistFormat.INSTALL_HINT + " Or pass -Djqi.fashionMnist=DIR.");

        var split = MnistFormat.load(dir);

        assertEquals(Shape.of(60000, 1, 28, 28), split.train().inputs().shape());
        assertEquals(Shape.of(10000, 1, 28, 28), split.test().inputs().shape());
        assertEquals(10, split.numClasses());
        int[] trainCounts = new int[10];
        for (int label : split.train().labels()) {
            trainCounts[label]++;
        }
        int[] testCounts = new int[10];
        for (int label : split.test().labels()) {
            testCounts[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, trainCounts[c], "training images of class " + c);
            assertEquals(1000, testCounts[c], "test images of class " + c);
        }
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : split.test().inputs().toFloatArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }
}
