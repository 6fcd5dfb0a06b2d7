package io.jqi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Atomic file replacement, shared by every jqi file writer (state dicts, JSON configs, saved models): the content
 * goes to a temporary file in the target's directory, is forced to disk, and is renamed over the target, so a crash
 * or an exception leaves either the old file or the new one, never half of one, and no temporary file behind.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a file to a channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** Replaces {@code path} atomically with what {@code content} writes; the directory must exist. */
    public static void write(Path path, Content content) throws IOException {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null) {
            throw new IOException(path + " has no parent directory");
        }
        // Not createTempFile: its owner-only permissions would stick to the renamed file.
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Replaces {@code path} atomically with {@code bytes}. */
    public static void write(Path path, byte[] bytes) throws IOException {
        write(path, out -> writeFully(out, ByteBuffer.wrap(bytes)));
    }

    /** Writes all of {@code buffer}'s remaining bytes ({@link WritableByteChannel#write} may write fewer). */
    public static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
