package io.jqi.onnx.proto;

import io.jqi.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes ONNX model files ({@code .onnx}) in jqi's subset of onnx.proto, using only protobuf-java's
 * runtime (no generated code).
 *
 * <p>Reading is safe on hostile input: a file over {@link #MAX_FILE_BYTES} is refused before it is read, and
 * everything else that is wrong ends in an {@link OnnxFormatException} naming the source and the problem (see
 * {@link OnnxReader} for the limits). Tensors stored in external files are refused; no other file is ever opened.
 */
public final class OnnxCodec {
    /** The largest model file read (2 GiB, protobuf's own message limit, minus array headroom). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private OnnxCodec() {
    }

    /** Reads a model file. */
    public static OnnxModel read(Path file) {
        return read(readFile(file), file.toString());
    }

    /** Reads a model from its encoded bytes; {@code source} names them in error messages. */
    public static OnnxModel read(byte[] bytes, String source) {
        return new OnnxReader(bytes, source).readModel();
    }

    /** Reads a bare {@code TensorProto}, as ONNX's node tests store their inputs and outputs ({@code input_0.pb}). */
    public static OnnxTensor readTensor(byte[] bytes, String source) {
        return new OnnxReader(bytes, source).readTensor();
    }

    /** Reads a bare {@code TensorProto} file. */
    public static OnnxTensor readTensor(Path file) {
        return readTensor(readFile(file), file.toString());
    }

    /** Encodes a model. */
    public static byte[] write(OnnxModel m) {
        return OnnxWriter.model(m);
    }

    /** Encodes a bare {@code TensorProto}. */
    public static byte[] writeTensor(OnnxTensor t) {
        return OnnxWriter.tensorBytes(t);
    }

    /** Writes a model file atomically (a crash leaves the old file or the new one, never half of one). */
    public static void write(OnnxModel m, Path file) {
        byte[] bytes = write(m);
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new OnnxFormatException(file + ": " + size + " bytes exceeds the limit of " + MAX_FILE_BYTES
                        + " bytes for an ONNX file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException("cannot read " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new OnnxFormatException("cannot read " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new OnnxFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
