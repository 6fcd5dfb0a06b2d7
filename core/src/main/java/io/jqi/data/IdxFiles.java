package io.jqi.data;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads the IDX files of MNIST and its drop-in replacements (Fashion-MNIST, KMNIST): images as unsigned bytes
 * {@code [n, rows, cols]} under magic number {@code 0x00000803}, labels as unsigned bytes {@code [n]} under
 * {@code 0x00000801}, all integers big-endian. Files may be gzipped; the gzip magic bytes decide, not the name.
 *
 * <p>Everything is checked, and a malformed file is a {@link DatasetFormatException} naming the file and the
 * problem, never a partial load: the magic number, the number of dimensions, that every dimension is positive, that
 * the data is no longer than {@link #MAX_DATA_BYTES} (checked on the header, before anything is allocated), that
 * exactly the declared number of bytes follows the header, and that labels are below the number of classes.
 */
public final class IdxFiles {
    /** The magic number of an IDX file of unsigned-byte images {@code [n, rows, cols]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** The magic number of an IDX file of unsigned-byte labels {@code [n]}. */
    public static final int LABELS_MAGIC = 0x00000801;
    /**
     * The most data bytes a header may declare, 1 GiB (MNIST's training images take 47 MB). A corrupt header can
     * declare billions of images; refusing it up front beats an {@link OutOfMemoryError} halfway through.
     */
    public static final long MAX_DATA_BYTES = 1L << 30;

    /** The IDX element type of unsigned bytes, the only one MNIST-format files use. */
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFiles() {}

    /**
     * The images of an IDX image file as float32 {@code [n, 1, rows, cols]}, pixel {@code v} becoming {@code v / 255}
     * so that values lie in [0, 1]. The axis of one channel is what convolutions expect.
     */
    public static Tensor readImages(Path file) throws IOException {
        Idx idx = read(file, 3);
        int n = (int) idx.dims[0];
        int rows = (int) idx.dims[1];
        int cols = (int) idx.dims[2];
        byte[] bytes = idx.data;
        float[] values = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = (bytes[i] & 0xff) / 255f;
        }
        return Tensor.wrap(values, Shape.of(n, 1, rows, cols));
    }

    /**
     * The labels of an IDX label file, each checked to lie in {@code 0 .. numClasses - 1} (10 for MNIST and
     * Fashion-MNIST).
     */
    public static int[] readLabels(Path file, int numClasses) throws IOException {
        if (numClasses < 1 || numClasses > 256) {
            throw new IllegalArgumentException("numClasses must be in 1..256 (IDX labels are unsigned bytes), got "
                    + numClasses);
        }
        Idx idx = read(file, 1);
        int[] labels = new int[idx.data.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = idx.data[i] & 0xff;
            if (labels[i] >= numClasses) {
                throw new DatasetFormatException(file.toString(), "label " + labels[i] + " of example " + i
                        + " is outside 0.." + (numClasses - 1) + " (" + numClasses
                        + " classes); the file is corrupt or holds a dataset with more classes");
            }
        }
        return labels;
    }

    /**
     * An image file and its label file as one dataset, after checking that they hold the same number of examples.
     */
    public static TensorDataset read(Path images, Path labels, int numClasses) throws IOException {
        Tensor inputs = readImages(images);
        int[] targets = readLabels(labels, numClasses);
        int n = inputs.shape().dim(0);
        if (targets.length != n) {
            throw new DatasetFormatException(labels.toString(), "holds " + targets.length + " labels but "
                    + images + " holds " + n + " images; an image file and its label file must describe the same"
                    + " examples (are they from different sets?)");
        }
        return new TensorDataset(inputs, targets);
    }

    /** A file's dimensions and its data bytes, row-major. */
    private record Idx(long[] dims, byte[] data) {}

    private static Idx read(Path file, int expectedDims) throws IOException {
        String source = file.toString();
        try (InputStream in = DataFiles.open(file)) {
            long[] dims = readHeader(in, source, expectedDims);
            long size = 1;
            for (long d : dims) {
                // Each factor is below 2^32 and size stays at most 2^30 before it, so the product cannot overflow.
                size *= d;
                if (size > MAX_DATA_BYTES) {
                    throw new DatasetFormatException(source, "its header declares " + describe(dims)
                            + ", more than the " + (MAX_DATA_BYTES >> 20) + " MiB of data jqi reads from one file;"
                            + " the header is corrupt or this is not an MNIST-format file");
                }
            }
            int headerBytes = 4 + 4 * expectedDims;
            // readNBytes(int) grows its buffer as data arrives, so a lying header costs no more memory than the file.
            byte[] data = in.readNBytes((int) size);
            if (data.length < size) {
                throw new DatasetFormatException(source, "is truncated: its header declares " + describe(dims)
                        + ", " + size + " bytes after the " + headerBytes + "-byte header, but only " + data.length
                        + " follow; download or copy the file again");
            }
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) {
                throw new DatasetFormatException(source, "has " + extra + (extra == 1 ? " byte" : " bytes")
                        + " after the " + describe(dims)
                        + " its header declares; the file is corrupt or its header's sizes are wrong");
            }
            return new Idx(dims, data);
        } catch (IOException e) {
            throw DataFiles.explain(source, e);
        }
    }

    private static long[] readHeader(InputStream in, String source, int expectedDims) throws IOException {
        int expectedMagic = expectedDims == 3 ? IMAGES_MAGIC : LABELS_MAGIC;
        String expected = String.format("magic number 0x%08x (%s of unsigned bytes)", expectedMagic,
                kind(expectedDims));
        byte[] magic = in.readNBytes(4);
        if (magic.length == 0) {
            throw new DatasetFormatException(source, "is empty; expected an IDX file starting with the " + expected);
        }
        if (magic.length < 4) {
            throw new DatasetFormatException(source, "is truncated: it holds " + magic.length
                    + " bytes, not even the 4-byte " + expected);
        }
        int found = bigEndian(magic, 0);
        if (magic[0] != 0 || magic[1] != 0) {
            String text = new String(magic, StandardCharsets.ISO_8859_1);
            String asText = text.matches("[\\x20-\\x7e\\t\\r\\n]{4}")
                    ? " (the text \"" + text.strip() + "\"...: a CSV file? CsvFormat reads those)"
                    : "";
            throw new DatasetFormatException(source, String.format("is not an IDX file: it starts with 0x%08x%s, "
                    + "expected the %s", found, asText, expected));
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new DatasetFormatException(source, String.format("holds IDX elements of type 0x%02x; jqi reads "
                    + "only unsigned bytes (type 0x08, %s), as MNIST-format files have", type, expected));
        }
        int rank = magic[3] & 0xff;
        if (rank != expectedDims) {
            if (rank == 1 || rank == 3) {
                throw new DatasetFormatException(source, String.format("has magic number 0x%08x, %s, where %s was"
                        + " expected; are the image and label files swapped?", found, kind(rank), expected));
            }
            throw new DatasetFormatException(source, String.format("has magic number 0x%08x (%d dimensions), "
                    + "expected the %s", found, rank, expected));
        }
        byte[] sizes = in.readNBytes(4 * rank);
        if (sizes.length < 4 * rank) {
            throw new DatasetFormatException(source, "is truncated inside its header: " + rank
                    + " dimension sizes take " + 4 * rank + " bytes after the magic number, only " + sizes.length
                    + " follow");
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            // IDX sizes are unsigned; a size with its top bit set is absurd, and the size limit reports it as such.
            dims[i] = bigEndian(sizes, 4 * i) & 0xffffffffL;
        }
        for (long d : dims) {
            if (d == 0) {
                throw new DatasetFormatException(source, "its header declares " + describe(dims)
                        + "; a dataset needs at least one example and images at least 1x1 pixels");
            }
        }
        return dims;
    }

    private static String kind(int rank) {
        return rank == 3 ? "an image file [n, rows, cols]" : "a label file [n]";
    }

    /** The dimensions read so far, in words ({@code 60000 images of 28x28 pixels}, {@code 60000 labels}). */
    private static String describe(long[] dims) {
        if (dims.length == 1) {
            return dims[0] + " labels";
        }
        return dims[0] + " images of " + dims[1] + "x" + dims[2] + " pixels";
    }

    private static int bigEndian(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
