package io.jqi.data;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CIFAR-10 and CIFAR-100 in their binary version ({@code cifar-10-batches-bin}, {@code cifar-100-binary}): fixed-size
 * records of the label byte(s) and a 32x32 RGB image stored channel by channel, which is already jqi's
 * {@code [3, 32, 32]} layout. Examples are {@code [3, 32, 32]} in [0, 1].
 *
 * <p>The files are memory-mapped and each example is read when asked, so the heap holds no more than a batch.
 * Opening checks that every file is a whole number of records and every label is in range, naming the file and
 * record otherwise.
 */
public final class CifarFormat implements Dataset {
    private static final int IMAGE = 3 * 32 * 32;
    private static final Shape SHAPE = Shape.of(3, 32, 32);

    private final MappedByteBuffer[] files;
    private final int[] starts;
    private final int labelBytes;
    private final int labelOffset;
    private final int size;

    private CifarFormat(MappedByteBuffer[] files, int[] starts, int labelBytes, int labelOffset) {
        this.files = files;
        this.starts = starts;
        this.labelBytes = labelBytes;
        this.labelOffset = labelOffset;
        this.size = starts[starts.length - 1];
    }

    /** CIFAR-10 batch files ({@code data_batch_1.bin}, ...), one label byte per record, labels 0..9. */
    public static CifarFormat cifar10(Path... batches) throws IOException {
        return open(batches, 1, 0, 10);
    }

    /**
     * CIFAR-100 files ({@code train.bin}, {@code test.bin}), whose records carry a coarse label (20 superclasses) and
     * a fine one (100 classes): {@code fine} picks which is the example's label.
     */
    public static CifarFormat cifar100(boolean fine, Path... files) throws IOException {
        return open(files, 2, fine ? 1 : 0, fine ? 100 : 20);
    }

    /**
     * The training and test sets of an unpacked CIFAR directory: {@code data_batch_1..5.bin} and
     * {@code test_batch.bin} (CIFAR-10), or {@code train.bin} and {@code test.bin} (CIFAR-100, fine labels).
     */
    public static TrainTestSplit<CifarFormat> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "is not a directory; expected an unpacked "
                    + "cifar-10-batches-bin or cifar-100-binary");
        }
        if (Files.isRegularFile(dir.resolve("test_batch.bin"))) {
            List<Path> train = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().matches("data_batch_\\d+\\.bin")).sorted()
                        .forEach(train::add);
            }
            if (train.isEmpty()) {
                throw new NoSuchFileException(dir.toString(), null, "has test_batch.bin but no data_batch_N.bin");
            }
            return new TrainTestSplit<>(cifar10(train.toArray(Path[]::new)), cifar10(dir.resolve("test_batch.bin")));
        }
        if (Files.isRegularFile(dir.resolve("train.bin")) && Files.isRegularFile(dir.resolve("test.bin"))) {
            return new TrainTestSplit<>(cifar100(true, dir.resolve("train.bin")), cifar100(true, dir.resolve("test.bin")));
        }
        throw new NoSuchFileException(dir.toString(), null, "holds neither CIFAR-10's data_batch_N.bin and "
                + "test_batch.bin nor CIFAR-100's train.bin and test.bin (the binary versions, not the Python pickles)");
    }

    /** Whether {@code dir} looks like an unpacked CIFAR binary directory, for choosing a reader. */
    public static boolean isPresent(Path dir) {
        return Files.isRegularFile(dir.resolve("test_batch.bin"))
                || Files.isRegularFile(dir.resolve("train.bin")) && Files.isRegularFile(dir.resolve("test.bin"));
    }

    private static CifarFormat open(Path[] paths, int labelBytes, int labelOffset, int classes) throws IOException {
        if (paths.length == 0) {
            throw new IllegalArgumentException("CIFAR needs at least one batch file");
        }
        int record = labelBytes + IMAGE;
        MappedByteBuffer[] files = new MappedByteBuffer[paths.length];
        int[] starts = new int[paths.length + 1];
        for (int f = 0; f < paths.length; f++) {
            Path path = paths[f];
            if (Files.isDirectory(path)) {
                throw new FileSystemException(path.toString(), null, "is a directory, expected a CIFAR batch file");
            }
            long bytes = Files.size(path);
            if (bytes == 0 || bytes % record != 0) {
                throw new DatasetFormatException(path.toString(), "holds " + bytes + " bytes, not a whole number of "
                        + record + "-byte CIFAR-" + classes + " records" + (bytes > record ? " (truncated?)" : "")
                        + (labelBytes == 1 && bytes % (record + 1) == 0 ? "; it looks like CIFAR-100, read it with "
                        + "cifar100" : labelBytes == 2 && bytes % (record - 1) == 0 ? "; it looks like CIFAR-10, "
                        + "read it with cifar10" : ""));
            }
            if (bytes > Integer.MAX_VALUE) {
                throw new DatasetFormatException(path.toString(), "is larger than 2 GiB; split it into batch files");
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                files[f] = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
            }
            int records = (int) (bytes / record);
            for (int r = 0; r < records; r++) {
                int label = files[f].get(r * record + labelOffset) & 0xff;
                if (label >= classes) {
                    throw new DatasetFormatException(path.toString(), "record " + r + " has label " + label
                            + ", outside 0.." + (classes - 1) + " of CIFAR-" + classes);
                }
            }
            starts[f + 1] = Math.addExact(starts[f], records);
        }
        return new CifarFormat(files, starts, labelBytes, labelOffset);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int label(int index) {
        int f = file(index);
        return files[f].get((index - starts[f]) * (labelBytes + IMAGE) + labelOffset) & 0xff;
    }

    @Override
    public Example get(int index) {
        int f = file(index);
        int at = (index - starts[f]) * (labelBytes + IMAGE);
        byte[] bytes = new byte[IMAGE];
        files[f].get(at + labelBytes, bytes);
        float[] input = new float[IMAGE];
        for (int i = 0; i < IMAGE; i++) {
            input[i] = (bytes[i] & 0xff) / 255f;
        }
        return new Example(input, SHAPE, files[f].get(at + labelOffset) & 0xff);
    }

    private int file(int index) {
        DatasetIndex.check(index, size);
        int f = 0;
        while (starts[f + 1] <= index) {
            f++;
        }
        return f;
    }
}
