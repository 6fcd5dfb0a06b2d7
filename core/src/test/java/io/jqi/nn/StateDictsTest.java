package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The state-dict file format: bit-exact round trips, atomic replacement, and clean failures on bad files. */
class StateDictsTest {
    @TempDir
    Path dir;

    /** Little-endian bytes, for writing files by hand. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes raw(byte... b) {
            out.writeBytes(b);
            return this;
        }

        Bytes int32(int... values) {
            for (int v : values) {
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            }
            return this;
        }

        Bytes name(String name) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            return int32(b.length).raw(b);
        }

        Bytes header(int count) {
            return raw((byte) 'J', (byte) 'Q', (byte) 'S', (byte) 'D').int32(1, count);
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("state.jqsd"), bytes);
    }

    private IOException loadFails(byte[] bytes) throws IOException {
        Path file = write(bytes);
        return assertThrows(IOException.class, () -> StateDicts.load(file));
    }

    private static Map<String, Tensor> sample() {
        float nanWithPayload = Float.intBitsToFloat(0x7fc12345);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("layer.weight", Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE,
            Float.NEGATIVE_INFINITY, nanWithPayload}, 2, 3));
        state.put("scalar", Tensor.scalar(-7.25f));
        state.put("empty", Tensor.zeros(0, 4));
        state.put("größe", Tensor.randn(new Random(1), 2, 1, 3, 1));
        return state;
    }

    private static void assertBitIdentical(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((name, t) -> {
            Tensor other = actual.get(name);
            assertEquals(t.shape(), other.shape(), name);
            float[] a = t.toFloatArray();
            float[] b = other.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), name + "[" + i + "]");
            }
        });
    }

    @Test
    void aFileRoundTripIsBitExact() throws IOException {
        Path file = dir.resolve("sample.jqsd");
        StateDicts.save(file, sample());
        assertBitIdentical(sample(), StateDicts.load(file));
    }

    @Test
    void aModelRoundTripsThroughAFile() throws IOException {
        Module source = new Sequential(new Dense(3, 4, true, new Random(1)), new ReLU(),
                new Dense(4, 2, true, new Random(2)));
        Module target = new Sequential(new Dense(3, 4, true, new Random(3)), new ReLU(),
                new Dense(4, 2, true, new Random(4)));
        Path file = dir.resolve("model.jqsd");
        StateDicts.save(file, source.stateDict());
        target.loadStateDict(StateDicts.load(file));
        Tensor x = Tensor.randn(new Random(5), 6, 3);
        assertArrayEquals(source.forward(x).toFloatArray(), target.forward(x).toFloatArray());
    }

    @Test
    void savingReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.jqsd");
        Files.writeString(file, "old contents");
        StateDicts.save(file, sample());
        assertBitIdentical(sample(), StateDicts.load(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aNameTheFormatCannotHoldFailsTheSaveAndKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("model.jqsd");
        StateDicts.save(file, sample());
        Map<String, Tensor> bad = new LinkedHashMap<>(sample());
        bad.put("x".repeat(StateDicts.MAX_NAME_BYTES + 1), Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> StateDicts.save(file, bad));
        assertBitIdentical(sample(), StateDicts.load(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @ParameterizedTest(name = "cut after {0} bytes")
    @ValueSource(ints = {0, 2, 4, 8, 11, 14, 20, 27, 31, 36, 40, 50, -1})
    void aTruncatedFileFailsNamingTheTruncation(int cut) throws IOException {
        Path full = dir.resolve("full.jqsd");
        StateDicts.save(full, sample());
        byte[] bytes = Files.readAllBytes(full);
        int length = cut < 0 ? bytes.length - 1 : cut;
        IOException e = loadFails(Arrays.copyOf(bytes, length));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aFlippedMagicIsNotAStateDict() throws IOException {
        byte[] bytes = new Bytes().header(0).toArray();
        bytes[1] ^= 0x20;
        IOException e = loadFails(bytes);
        assertTrue(e.getMessage().contains("not a jqi state dict"), e.getMessage());
    }

    @Test
    void anUnknownVersionIsNamed() throws IOException {
        byte[] bytes = new Bytes().raw((byte) 'J', (byte) 'Q', (byte) 'S', (byte) 'D').int32(2, 0).toArray();
        IOException e = loadFails(bytes);
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }

    @Test
    void anAbsurdTensorCountFailsBeforeAnyAllocation() throws IOException {
        IOException e = loadFails(new Bytes().header(Integer.MAX_VALUE).toArray());
        assertTrue(e.getMessage().contains("tensor count"), e.getMessage());
    }

    @Test
    void anAbsurdNameLengthFails() throws IOException {
        IOException e = loadFails(new Bytes().header(1).int32(-1).toArray());
        assertTrue(e.getMessage().contains("name length"), e.getMessage());
    }

    @Test
    void anAbsurdRankFails() throws IOException {
        IOException e = loadFails(new Bytes().header(1).name("w").int32(1000).toArray());
        assertTrue(e.getMessage().contains("rank"), e.getMessage());
    }

    @Test
    void dimensionsWhoseProductOverflowsFail() throws IOException {
        IOException e = loadFails(new Bytes().header(1).name("w").int32(2, 1 << 30, 1 << 30).toArray());
        assertTrue(e.getMessage().contains("elements"), e.getMessage());
    }

    @Test
    void aHugeTensorInATinyFileFailsBeforeAllocatingIt() throws IOException {
        // Eight gigabytes of floats claimed by a 25-byte file: allocating first would be an OutOfMemoryError.
        IOException e = loadFails(new Bytes().header(1).name("w").int32(1, Integer.MAX_VALUE - 8).toArray());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aNegativeDimensionFails() throws IOException {
        IOException e = loadFails(new Bytes().header(1).name("w").int32(2, 3, -3).toArray());
        assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
    }

    @Test
    void aRepeatedNameFails() throws IOException {
        IOException e = loadFails(new Bytes().header(2).name("w").int32(0).int32(0).name("w").int32(0).int32(0)
                .toArray());
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void aNameThatIsNotUtf8Fails() throws IOException {
        IOException e = loadFails(new Bytes().header(1).int32(1).raw((byte) 0xff).int32(0).int32(0).toArray());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void bytesAfterTheLastTensorFail() throws IOException {
        IOException e = loadFails(new Bytes().header(1).name("w").int32(0).int32(0).raw((byte) 0).toArray());
        assertTrue(e.getMessage().contains("after its last tensor"), e.getMessage());
    }
}
