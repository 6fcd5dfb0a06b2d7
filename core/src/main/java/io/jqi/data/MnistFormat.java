package io.jqi.data;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory of MNIST-format IDX files under their standard names, as MNIST, Fashion-MNIST and KMNIST are
 * distributed:
 *
 * <pre>
 * train-images-idx3-ubyte[.gz]   train-labels-idx1-ubyte[.gz]
 * t10k-images-idx3-ubyte[.gz]    t10k-labels-idx1-ubyte[.gz]
 * </pre>
 *
 * Each file may be gzipped or not (the contents decide, see {@link IdxFiles}); where both forms are present the
 * uncompressed one is read. The variant spelling {@code train-images.idx3-ubyte} of some mirrors is accepted too.
 */
public final class MnistFormat {
    /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    /** How to get a dataset in this format, for messages about a missing one. */
    public static final String INSTALL_HINT = "On Debian, `apt-get install dataset-fashion-mnist` installs"
            + " Fashion-MNIST under " + DEBIAN_FASHION_MNIST + "/.";
    /** The number of classes of MNIST, Fashion-MNIST and KMNIST. */
    public static final int CLASSES = 10;

    private static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    private MnistFormat() {}

    /**
     * The training set ({@code train-*}) and test set ({@code t10k-*}) in {@code dir}, images as float32
     * {@code [n, 1, rows, cols]} in [0, 1], labels checked to lie in 0..9.
     *
     * @throws NoSuchFileException if {@code dir} or one of the four files is missing; the message lists the expected
     *     names and says how to install Fashion-MNIST
     * @throws DatasetFormatException if a file is malformed or an image file and its labels disagree
     */
    public static TrainTestSplit<TensorDataset> load(Path dir) throws IOException {
        return load(dir, CLASSES);
    }

    /** As {@link #load(Path)}, for a dataset of {@code numClasses} classes (labels in 0..numClasses-1). */
    public static TrainTestSplit<TensorDataset> load(Path dir, int numClasses) throws IOException {
        Path[] files = locate(dir);
        TensorDataset train = IdxFiles.read(files[0], files[1], numClasses);
        TensorDataset test = IdxFiles.read(files[2], files[3], numClasses);
        return new TrainTestSplit<>(train, test);
    }

    /** Whether {@code dir} holds all four files (it may still be malformed): for choosing a default. */
    public static boolean isPresent(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (String name : FILES) {
            if (find(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    private static Path[] locate(Path dir) throws IOException {
        String expected = "a directory holding the MNIST-format files " + String.join("[.gz], ", FILES) + "[.gz]";
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory; expected " + expected + ". "
                    + INSTALL_HINT);
        }
        if (!Files.isDirectory(dir)) {
            throw new FileSystemException(dir.toString(), null, "is a file; expected " + expected
                    + " (a CSV file of label and pixels is read by CsvFormat)");
        }
        Path[] found = new Path[FILES.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < FILES.length; i++) {
            found[i] = find(dir, FILES[i]);
            if (found[i] == null) {
                missing.add(FILES[i] + "[.gz]");
            }
        }
        if (missing.size() == FILES.length) {
            throw new NoSuchFileException(dir.toString(), null, "holds none of the MNIST-format files "
                    + String.join("[.gz], ", FILES) + "[.gz]. " + INSTALL_HINT);
        }
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null, "lacks " + String.join(", ", missing)
                    + "; expected " + expected + ". " + INSTALL_HINT);
        }
        return found;
    }

    /** The file holding {@code name}'s data in {@code dir}, or null: plain before gzipped, standard before dotted. */
    private static Path find(Path dir, String name) {
        String dotted = name.replaceFirst("-(idx\\d)", ".$1");
        for (String candidate : new String[] {name, name + ".gz", dotted, dotted + ".gz"}) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }
}
