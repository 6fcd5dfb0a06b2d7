package io.jqi.data;

import static io.jqi.data.IdxFilesTest.gzip;
import static io.jqi.data.IdxFilesTest.images;
import static io.jqi.data.IdxFilesTest.labels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFormatTest {
    @TempDir
    Path dir;

    /** Writes a small dataset under the standard names: 3 training and 2 test images of 4x5, some gzipped. */
    private void writeStandardFiles() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images(3, 4, 5)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(0, 9, 4)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 4, 5));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(7, 1));
    }

    @Test
    void aDirectoryOfStandardNamesGivesTrainAndTest() throws IOException {
        writeStandardFiles();
        var split = MnistFormat.load(dir);
        assertEquals(3, split.train().size());
        assertEquals(2, split.test().size());
        assertArrayEquals(new int[] {0, 9, 4}, split.train().labels());
        assertArrayEquals(new int[] {7, 1}, split.test().labels());
        assertEquals(Shape.of(2, 1, 4, 5), split.test().inputs().shape());
        assertEquals(10, split.numClasses());
        assertTrue(MnistFormat.isPresent(dir));
    }

    @Test
    void theDottedSpellingOfSomeMirrorsIsAccepted() throws IOException {
        writeStandardFiles();
        Files.move(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-images.idx3-ubyte"));
        assertEquals(2, MnistFormat.load(dir).test().size());
    }

    @Test
    void aMissingDirectorySaysWhatIsExpectedAndHowToInstallFashionMnist() {
        Path absent = dir.resolve("absent");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistFormat.load(absent));
        assertTrue(e.getMessage().startsWith(absent + ": no such directory"), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/share/datasets/fashion-mnist/"), e.getMessage());
        assertFalse(MnistFormat.isPresent(absent));
    }

    @Test
    void aDirectoryWithoutAnyOfTheFilesSaysHowToInstallFashionMnist() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistFormat.load(dir));
        assertTrue(e.getMessage().contains("holds none of the MNIST-format files train-images-idx3-ubyte[.gz],"),
                e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void missingFilesAreListed() throws IOException {
        writeStandardFiles();
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistFormat.load(dir));
        assertTrue(e.getMessage().contains("lacks t10k-labels-idx1-ubyte[.gz];"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertFalse(MnistFormat.isPresent(dir));
    }

    @Test
    void aFileInsteadOfADirectoryIsAnError() throws IOException {
        Path file = Files.writeString(dir.resolve("data.csv"), "1,2\n");
        FileSystemException e = assertThrows(FileSystemException.class, () -> MnistFormat.load(file));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    }

    @Test
    void aMalformedFileInTheDirectoryIsNamed() throws IOException {
        writeStandardFiles();
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(labels, labels(7, 1, 3));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> MnistFormat.load(dir));
        assertEquals(labels.toString(), e.source());
        assertTrue(e.getMessage().contains("holds 3 labels but"), e.getMessage());
    }
}
