package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarFormatTest {
    @TempDir
    Path dir;

    /** {@code n} records with labels {@code label(i)} and pixel {@code j} of record {@code i} equal to (i + j) % 256. */
    static Path write(Path file, int n, int labelBytes, java.util.function.IntUnaryOperator label) throws IOException {
        int record = labelBytes + 3072;
        byte[] bytes = new byte[n * record];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < labelBytes; b++) {
                bytes[i * record + b] = (byte) (label.applyAsInt(i) + b);
            }
            for (int j = 0; j < 3072; j++) {
                bytes[i * record + labelBytes + j] = (byte) (i + j);
            }
        }
        Files.write(file, bytes);
        return file;
    }

    @Test
    void cifar10RecordsAreChwImagesInUnitRangeWithTheirLabels() throws IOException {
        CifarFormat data = CifarFormat.cifar10(write(dir.resolve("data_batch_1.bin"), 3, 1, i -> 7 - i));
        assertEquals(3, data.size());
        Example e = data.get(2);
        assertEquals(Shape.of(3, 32, 32), e.shape());
        assertEquals(5, e.label());
        assertEquals(5, data.label(2));
        assertEquals(2 / 255f, e.input()[0]);
        assertEquals(((2 + 3071) % 256) / 255f, e.input()[3071]);
    }

    @Test
    void batchFilesFollowEachOther() throws IOException {
        Path a = write(dir.resolve("data_batch_1.bin"), 2, 1, i -> 1);
        Path b = write(dir.resolve("data_batch_2.bin"), 3, 1, i -> 2);
        CifarFormat data = CifarFormat.cifar10(a, b);
        assertEquals(5, data.size());
        assertEquals(1, data.label(1));
        assertEquals(2, data.label(2));
        assertEquals(1 / 255f, data.get(3).input()[0], "record 1 of the second file");
    }

    @Test
    void cifar100PicksTheFineOrTheCoarseLabel() throws IOException {
        Path file = write(dir.resolve("train.bin"), 2, 2, i -> 10 + i);   // coarse 10+i, fine 11+i
        assertEquals(11, CifarFormat.cifar100(true, file).label(0));
        assertEquals(11, CifarFormat.cifar100(false, file).label(1));
    }

    @Test
    void aDirectoryLoadsAsTrainingAndTestSets() throws IOException {
        write(dir.resolve("data_batch_1.bin"), 2, 1, i -> 0);
        write(dir.resolve("data_batch_2.bin"), 2, 1, i -> 0);
        write(dir.resolve("test_batch.bin"), 1, 1, i -> 3);
        TrainTestSplit<CifarFormat> split = CifarFormat.load(dir);
        assertEquals(4, split.train().size());
        assertEquals(1, split.test().size());
        assertEquals(4, split.numClasses());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path file = write(dir.resolve("data_batch_1.bin"), 2, 1, i -> 0);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CifarFormat.cifar10(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aLabelOutOfRangeIsRefusedNamingTheRecord() throws IOException {
        Path file = write(dir.resolve("data_batch_1.bin"), 3, 1, i -> i == 1 ? 10 : 0);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CifarFormat.cifar10(file));
        assertTrue(e.getMessage().contains("record 1 has label 10"), e.getMessage());
    }

    @Test
    void cifar100FilesReadAsCifar10AreRecognised() throws IOException {
        Path file = write(dir.resolve("train.bin"), 3, 2, i -> 0);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CifarFormat.cifar10(file));
        assertTrue(e.getMessage().contains("cifar100"), e.getMessage());
    }
}
