package io.jqi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesAndReplacesLeavingNoTemporaryFile() throws IOException {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        AtomicFiles.write(file, out -> {
            AtomicFiles.writeFully(out, ByteBuffer.wrap(new byte[] {4}));
            AtomicFiles.writeFully(out, ByteBuffer.wrap(new byte[] {5, 6}));
        });
        assertArrayEquals(new byte[] {4, 5, 6}, Files.readAllBytes(file));
        assertEquals(List.of(file), files());
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            AtomicFiles.writeFully(out, ByteBuffer.wrap(new byte[] {9, 9}));
            throw new IOException("disk full");
        }));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(file, out -> {
            throw new UncheckedIOException(new IOException("boom"));
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertEquals(List.of(file), files());
    }
}
