package io.jqi.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening dataset files, gzipped or not, and turning low-level read failures into messages that name the file. */
final class DataFiles {
    private static final int BUFFER = 1 << 16;

    private DataFiles() {}

    /**
     * Opens {@code file} for reading, decompressing it if it is gzipped. The caller closes the stream and passes any
     * {@link IOException} from reading it through {@link #explain}.
     */
    static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, expected a file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (IOException e) {
            throw new IOException("Cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            return decompressIfGzip(raw);
        } catch (IOException e) {
            raw.close();
            throw explain(file.toString(), e);
        }
    }

    /**
     * The decompressed contents of {@code in} if it starts with the gzip magic bytes {@code 1f 8b}, else {@code in}
     * itself. The bytes decide, not a file name: {@code .gz} files are often stored unpacked under their old name.
     */
    static InputStream decompressIfGzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        if (first == 0x1f && second == 0x8b) {
            return new GZIPInputStream(buffered, BUFFER);
        }
        return buffered;
    }

    /**
     * {@code e}, raised while reading {@code source}, as an exception whose message says which file failed and how.
     * Inflating a cut-off gzip file ends in an {@link EOFException}, corrupt compressed data in a
     * {@link ZipException}; both mean a malformed file rather than a failing disk.
     */
    static IOException explain(String source, IOException e) {
        if (e instanceof DatasetFormatException || e instanceof FileSystemException) {
            return e;
        }
        if (e instanceof EOFException) {
            return new DatasetFormatException(source, "is truncated: its gzip stream ends early (" + e.getMessage()
                    + "); download or copy the file again", e);
        }
        if (e instanceof ZipException) {
            return new DatasetFormatException(source, "starts like a gzip file but is not valid gzip data ("
                    + e.getMessage() + "); download or copy the file again", e);
        }
        return new IOException("Cannot read " + source + ": " + e.getMessage(), e);
    }
}
