package io.jqi.data;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Examples in NumPy arrays: an image array and a label array, as {@code .npy} files (memory-mapped, each example
 * read when asked, so the heap holds no more than a batch) or entries of one {@code .npz} archive (read into memory).
 *
 * <ul>
 *   <li>Images {@code [N, H, W]} become {@code [1, H, W]}; {@code [N, C, H, W]} stay; {@code [N, H, W, C]}
 *       (channels last, as Keras stores them: taken so when the last axis is at most 4 and the second is
 *       larger) are transposed to
 *       {@code [C, H, W]}; {@code [N, F]} are flat feature vectors.
 *   <li>uint8 images are divided by 255; other dtypes are taken as they are.
 *   <li>Labels are {@code [N]} or {@code [N, 1]} whole numbers {@code >= 0}, of any integer or float dtype.
 * </ul>
 *
 * Opening checks dtypes, shapes and every label, naming the file and the problem; a NaN or infinite image value is
 * an error naming the example when it is read.
 */
public final class NpyFormat implements Dataset {
    private final NpyArray images;
    private final int[] labels;
    private final Shape shape;
    private final boolean channelsLast;
    private final float divisor;

    private NpyFormat(NpyArray images, int[] labels) throws DatasetFormatException {
        int[] dims = images.shape;
        if (dims.length < 2 || dims.length > 4) {
            throw new DatasetFormatException(images.source, "holds images of shape " + shapeText(dims) + "; expected "
                    + "[N, F], [N, H, W], [N, C, H, W] or [N, H, W, C]");
        }
        if (dims[0] != labels.length) {
            throw new DatasetFormatException(images.source, "holds " + dims[0] + " images but the labels are "
                    + labels.length);
        }
        this.channelsLast = dims.length == 4 && dims[3] <= 4 && dims[1] > 4;
        this.shape = switch (dims.length) {
            case 2 -> Shape.of(dims[1]);
            case 3 -> Shape.of(1, dims[1], dims[2]);
            default -> channelsLast ? Shape.of(dims[3], dims[1], dims[2]) : Shape.of(dims[1], dims[2], dims[3]);
        };
        this.images = images;
        this.labels = labels;
        this.divisor = images.kind == 'u' && images.itemSize == 1 ? 255f : 1f;
    }

    /** Images and labels in two {@code .npy} files. */
    public static NpyFormat read(Path images, Path labels) throws IOException {
        return new NpyFormat(map(images), labels(map(labels)));
    }

    /** Images and labels stored under {@code imagesName} and {@code labelsName} in the archive {@code npz}. */
    public static NpyFormat readNpz(Path npz, String imagesName, String labelsName) throws IOException {
        try (ZipFile zip = openZip(npz)) {
            return new NpyFormat(entry(zip, npz, imagesName), labels(entry(zip, npz, labelsName)));
        }
    }

    /**
     * The training and test sets of an archive holding {@code x_train}, {@code y_train}, {@code x_test} and
     * {@code y_test} (Keras' {@code mnist.npz} and {@code np.savez(path, x_train=..., ...)}).
     */
    public static TrainTestSplit<NpyFormat> loadNpz(Path npz) throws IOException {
        try (ZipFile zip = openZip(npz)) {
            NpyFormat train = new NpyFormat(entry(zip, npz, "x_train"), labels(entry(zip, npz, "y_train")));
            NpyFormat test = new NpyFormat(entry(zip, npz, "x_test"), labels(entry(zip, npz, "y_test")));
            return new TrainTestSplit<>(train, test);
        }
    }

    /** The array names in {@code npz} (entry names without {@code .npy}), sorted. */
    public static List<String> names(Path npz) throws IOException {
        try (ZipFile zip = openZip(npz)) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName().replaceFirst("\\.npy$", ""));
            }
            Collections.sort(names);
            return names;
        }
    }

    /** The shape of each example: {@code [C, H, W]}, or {@code [F]} for flat features. */
    public Shape exampleShape() {
        return shape;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Example get(int index) {
        DatasetIndex.check(index, labels.length);
        int n = shape.numel();
        float[] x = new float[n];
        int base = index * n;
        if (channelsLast) {
            int c = shape.dim(0);
            int hw = shape.dim(1) * shape.dim(2);
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    x[ch * hw + p] = (float) images.value(base + p * c + ch) / divisor;
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                x[i] = (float) images.value(base + i) / divisor;
            }
        }
        for (float v : x) {
            if (!Float.isFinite(v)) {
                throw new UncheckedDatasetException(new DatasetFormatException(images.source, "image " + index
                        + " holds " + v + "; every value must be finite"));
            }
        }
        return new Example(x, shape, labels[index]);
    }

    private static NpyArray map(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, Files.isDirectory(file) ? "is a directory, expected "
                    + "a .npy file" : "no such file");
        }
        long bytes = Files.size(file);
        if (bytes > Integer.MAX_VALUE) {
            throw new DatasetFormatException(file.toString(), "is larger than 2 GiB; split it into several files");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return NpyArray.parse(channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes), file.toString());
        }
    }

    private static ZipFile openZip(Path npz) throws IOException {
        if (!Files.isRegularFile(npz)) {
            throw new NoSuchFileException(npz.toString(), null, "no such .npz file");
        }
        try {
            return new ZipFile(npz.toFile());
        } catch (ZipException e) {
            throw new DatasetFormatException(npz.toString(), "is not a valid .npz (zip) archive: " + e.getMessage(), e);
        }
    }

    private static NpyArray entry(ZipFile zip, Path npz, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name + ".npy");
        String source = npz + "[" + name + "]";
        if (entry == null) {
            throw new DatasetFormatException(npz.toString(), "has no array '" + name + "'; it holds "
                    + String.join(", ", names(npz)));
        }
        if (entry.getSize() > Integer.MAX_VALUE) {
            throw new DatasetFormatException(source, "is larger than 2 GiB; store it as a .npy file");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return NpyArray.parse(ByteBuffer.wrap(in.readAllBytes()), source);
        } catch (ZipException e) {
            throw new DatasetFormatException(source, "is corrupt in the archive: " + e.getMessage(), e);
        }
    }

    private static int[] labels(NpyArray array) throws DatasetFormatException {
        int[] dims = array.shape;
        if (!(dims.length == 1 || dims.length == 2 && dims[1] == 1)) {
            throw new DatasetFormatException(array.source, "holds labels of shape " + shapeText(dims)
                    + "; expected [N] or [N, 1] class indexes (not one-hot rows: take argmax first)");
        }
        int[] labels = new int[dims[0]];
        for (int i = 0; i < labels.length; i++) {
            double v = array.value(i);
            if (!(v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v))) {
                throw new DatasetFormatException(array.source, "label " + i + " is " + v + " (" + array.dtype()
                        + "); labels must be whole numbers >= 0");
            }
            labels[i] = (int) v;
        }
        return labels;
    }

    private static String shapeText(int[] dims) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return s.append(']').toString();
    }
}
