package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
    @TempDir
    Path dir;

    /** An IDX file: the magic number, the big-endian dimension sizes, then {@code data}. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    /** {@code n} images of {@code rows x cols} whose pixel {@code i} is {@code i % 256}. */
    static byte[] images(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        return idx(IdxFiles.IMAGES_MAGIC, new int[] {n, rows, cols}, data);
    }

    static byte[] labels(int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return idx(IdxFiles.LABELS_MAGIC, new int[] {values.length}, data);
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Asserts that reading fails with a message that names the file and contains {@code expected}. */
    private static void assertMalformed(Path file, String expected, ThrowingRead read) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, read::run);
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private interface ThrowingRead {
        void run() throws IOException;
    }

    @Test
    void imagesAreScaledToUnitRangeWithAChannelAxis() throws IOException {
        Path file = write("images", images(2, 3, 4));
        Tensor t = IdxFiles.readImages(file);
        assertEquals(Shape.of(2, 1, 3, 4), t.shape());
        float[] values = t.toFloatArray();
        assertEquals(0f, values[0]);
        assertEquals(5f / 255f, values[5]);
        assertEquals(23f / 255f, values[23]);
    }

    @Test
    void pixelsAreUnsignedBytes() throws IOException {
        byte[] data = {(byte) 255, (byte) 128, 0, 1};
        Path file = write("images", idx(IdxFiles.IMAGES_MAGIC, new int[] {1, 2, 2}, data));
        assertArrayEquals(new float[] {1f, 128f / 255f, 0f, 1f / 255f}, IdxFiles.readImages(file).toFloatArray());
    }

    @Test
    void labelsAreRead() throws IOException {
        Path file = write("labels", labels(3, 0, 9, 7));
        assertArrayEquals(new int[] {3, 0, 9, 7}, IdxFiles.readLabels(file, 10));
    }

    @Test
    void aGzippedFileReadsLikeThePlainOne() throws IOException {
        Path plain = write("images", images(3, 5, 2));
        Path gzipped = write("images.gz", gzip(images(3, 5, 2)));
        assertArrayEquals(IdxFiles.readImages(plain).toFloatArray(), IdxFiles.readImages(gzipped).toFloatArray());
        Path labels = write("labels.gz", gzip(labels(1, 2, 3)));
        assertArrayEquals(new int[] {1, 2, 3}, IdxFiles.readLabels(labels, 10));
    }

    @Test
    void gzipIsDetectedByContentNotByName() throws IOException {
        Path gzippedWithoutSuffix = write("labels-idx1-ubyte", gzip(labels(4, 5)));
        Path plainWithSuffix = write("labels-idx1-ubyte.gz", labels(6, 7));
        assertArrayEquals(new int[] {4, 5}, IdxFiles.readLabels(gzippedWithoutSuffix, 10));
        assertArrayEquals(new int[] {6, 7}, IdxFiles.readLabels(plainWithSuffix, 10));
    }

    @Test
    void anImageFileAndItsLabelsMakeADataset() throws IOException {
        TensorDataset data = IdxFiles.read(write("i", images(2, 2, 2)), write("l", labels(8, 1)), 10);
        assertEquals(2, data.size());
        assertEquals(1, data.get(1).label());
        assertEquals(Shape.of(1, 2, 2), data.get(1).shape());
        assertEquals(7f / 255f, data.get(1).input()[3]);
    }

    @Test
    void anEmptyFileIsAnError() throws IOException {
        Path file = write("empty", new byte[0]);
        assertMalformed(file, "is empty", () -> IdxFiles.readImages(file));
    }

    @Test
    void anEmptyGzippedFileIsAnError() throws IOException {
        Path file = write("empty.gz", gzip(new byte[0]));
        assertMalformed(file, "is empty", () -> IdxFiles.readLabels(file, 10));
    }

    @Test
    void aFileShorterThanTheMagicNumberIsAnError() throws IOException {
        Path file = write("short", new byte[] {0, 0});
        assertMalformed(file, "holds 2 bytes", () -> IdxFiles.readImages(file));
    }

    @Test
    void aBadMagicNumberIsAnError() throws IOException {
        Path file = write("text.csv", "5,0,0,0\n".getBytes(StandardCharsets.US_ASCII));
        assertMalformed(file, "is not an IDX file: it starts with 0x352c302c (the text \"5,0,\"...: a CSV file?",
                () -> IdxFiles.readImages(file));
    }

    @Test
    void elementsOtherThanUnsignedBytesAreAnError() throws IOException {
        Path file = write("floats", idx(0x00000d03, new int[] {1, 1, 1}, new byte[4]));
        assertMalformed(file, "type 0x0d", () -> IdxFiles.readImages(file));
    }

    @Test
    void aLabelFileReadAsImagesSaysTheFilesMayBeSwapped() throws IOException {
        Path file = write("labels", labels(1, 2));
        assertMalformed(file, "swapped", () -> IdxFiles.readImages(file));
        Path images = write("images", images(1, 1, 1));
        assertMalformed(images, "swapped", () -> IdxFiles.readLabels(images, 10));
    }

    @Test
    void aWrongNumberOfDimensionsIsAnError() throws IOException {
        Path file = write("rank2", idx(0x00000802, new int[] {2, 2}, new byte[4]));
        assertMalformed(file, "2 dimensions", () -> IdxFiles.readImages(file));
    }

    @Test
    void aHeaderCutShortIsAnError() throws IOException {
        byte[] header = Arrays.copyOf(images(1, 2, 2), 10);
        Path file = write("header", header);
        assertMalformed(file, "truncated inside its header", () -> IdxFiles.readImages(file));
    }

    @Test
    void truncatedImagesAreAnError() throws IOException {
        byte[] whole = images(10, 4, 4);
        Path file = write("images", Arrays.copyOf(whole, whole.length - 1));
        assertMalformed(file, "declares 10 images of 4x4 pixels, 160 bytes after the 16-byte header, but only 159",
                () -> IdxFiles.readImages(file));
    }

    @Test
    void truncatedLabelsAreAnError() throws IOException {
        byte[] whole = labels(1, 2, 3, 4);
        Path file = write("labels", Arrays.copyOf(whole, whole.length - 2));
        assertMalformed(file, "is truncated", () -> IdxFiles.readLabels(file, 10));
    }

    @Test
    void aCutOffGzipStreamIsAnError() throws IOException {
        byte[] whole = gzip(images(20, 8, 8));
        Path file = write("images.gz", Arrays.copyOf(whole, whole.length / 2));
        assertMalformed(file, "is truncated", () -> IdxFiles.readImages(file));
    }

    @Test
    void corruptGzipDataIsAnError() throws IOException {
        byte[] bytes = gzip(images(20, 8, 8));
        bytes[2] = 9; // the compression method byte; gzip knows only 8, deflate
        Path file = write("images.gz", bytes);
        assertMalformed(file, "not valid gzip data", () -> IdxFiles.readImages(file));
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        byte[] whole = images(2, 2, 2);
        Path file = write("images", Arrays.copyOf(whole, whole.length + 3));
        assertMalformed(file, "has 3 bytes after the 2 images of 2x2 pixels", () -> IdxFiles.readImages(file));
    }

    @Test
    void trailingBytesInsideAGzipStreamAreAnError() throws IOException {
        byte[] whole = labels(1, 2);
        Path file = write("labels.gz", gzip(Arrays.copyOf(whole, whole.length + 1)));
        assertMalformed(file, "has 1 byte after the 2 labels", () -> IdxFiles.readLabels(file, 10));
    }

    @Test
    void absurdDimensionsAreRefusedBeforeReadingTheData() throws IOException {
        Path huge = write("huge", idx(IdxFiles.IMAGES_MAGIC, new int[] {1_000_000, 1000, 1000}, new byte[0]));
        assertMalformed(huge, "more than the 1024 MiB", () -> IdxFiles.readImages(huge));
    }

    @Test
    void dimensionsThatOverflowAnIntAreRefused() throws IOException {
        Path file = write("overflow", idx(IdxFiles.IMAGES_MAGIC, new int[] {-1, -1, -1}, new byte[0]));
        assertMalformed(file, "4294967295 images", () -> IdxFiles.readImages(file));
        Path wraps = write("wraps", idx(IdxFiles.IMAGES_MAGIC, new int[] {65536, 65536, 1}, new byte[0]));
        assertMalformed(wraps, "more than the 1024 MiB", () -> IdxFiles.readImages(wraps));
    }

    @Test
    void aZeroDimensionIsAnError() throws IOException {
        Path file = write("zero", idx(IdxFiles.IMAGES_MAGIC, new int[] {5, 0, 28}, new byte[0]));
        assertMalformed(file, "5 images of 0x28 pixels", () -> IdxFiles.readImages(file));
    }

    @Test
    void labelsOutsideTheClassesAreAnError() throws IOException {
        Path file = write("labels", labels(1, 10, 2));
        assertMalformed(file, "label 10 of example 1 is outside 0..9", () -> IdxFiles.readLabels(file, 10));
    }

    @Test
    void imageAndLabelCountsMustMatch() throws IOException {
        Path images = write("images", images(3, 2, 2));
        Path labels = write("labels", labels(1, 2));
        assertMalformed(labels, "holds 2 labels but " + images + " holds 3 images",
                () -> IdxFiles.read(images, labels, 10));
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        Path file = dir.resolve("absent");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxFiles.readImages(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAFile() {
        IOException e = assertThrows(IOException.class, () -> IdxFiles.readImages(dir));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }
}
