package io.jqi.nn;

import io.jqi.io.AtomicFiles;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads state dicts ({@link Module#stateDict()}) in a small binary format, all little-endian:
 *
 * <pre>
 * magic    4 bytes  "JQSD"
 * version  int32    1
 * count    int32    number of tensors
 * count times:
 *   nameLength int32, name (UTF-8, nameLength bytes)
 *   rank int32, rank dims (int32 each)
 *   data  float32 x product(dims), row-major
 * </pre>
 *
 * Saving goes through {@link AtomicFiles}: a temporary file in the target's directory, forced to disk and renamed over
 * the target, so a crash leaves either the old file or the new one, never half of one. Loading checks every count
 * against {@link #MAX_NAME_BYTES}, {@link #MAX_RANK}, {@link #MAX_TENSORS} and against the bytes the file still
 * holds before allocating anything, so a corrupt or hostile file fails with an {@link IOException} naming the
 * problem and its offset, never with an {@link OutOfMemoryError}. Values round-trip bit for bit (NaN payloads
 * included).
 */
public final class StateDicts {
    /** Longest tensor name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 4096;
    /** Highest tensor rank. */
    public static final int MAX_RANK = 8;
    /** Most tensors in one file. */
    public static final int MAX_TENSORS = 1_000_000;

    private static final byte[] MAGIC = {'J', 'Q', 'S', 'D'};
    private static final int VERSION = 1;
    private static final int CHUNK = 1 << 16;

    private StateDicts() {
    }

    /** Writes {@code state} to {@code path} atomically, replacing any existing file. */
    public static void save(Path path, Map<String, Tensor> state) throws IOException {
        if (state.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("A state dict file holds at most " + MAX_TENSORS + " tensors, got "
                    + state.size());
        }
        AtomicFiles.write(path, channel -> {
            Writer out = new Writer(channel);
            out.bytes(MAGIC);
            out.int32(VERSION);
            out.int32(state.size());
            for (Map.Entry<String, Tensor> entry : state.entrySet()) {
                writeTensor(out, entry.getKey(), entry.getValue());
            }
            out.flush();
        });
    }

    private static void writeTensor(Writer out, String name, Tensor tensor) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("Tensor name '" + name + "' is " + nameBytes.length + " UTF-8 bytes; "
                    + "names must be 1 to " + MAX_NAME_BYTES);
        }
        if (tensor.rank() > MAX_RANK) {
            throw new IllegalArgumentException("Tensor '" + name + "' has rank " + tensor.rank() + "; the format "
                    + "holds ranks up to " + MAX_RANK);
        }
        out.int32(nameBytes.length);
        out.bytes(nameBytes);
        out.int32(tensor.rank());
        for (int d : tensor.shape().toArray()) {
            out.int32(d);
        }
        for (float v : tensor.toFloatArray()) {
            out.float32(v);
        }
    }

    /** Reads a state dict written by {@link #save}, in the file's order. */
    public static Map<String, Tensor> load(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Reader in = new Reader(path, channel);
            byte[] magic = in.bytes(MAGIC.length, "the magic number");
            if (!Arrays.equals(magic, MAGIC)) {
                throw in.error(0, "does not start with the magic \"JQSD\"; it is not a jqi state dict");
            }
            int version = in.int32("the version");
            if (version != VERSION) {
                throw in.error(4, "has format version " + version + "; this jqi reads version " + VERSION);
            }
            int count = in.count("the tensor count", MAX_TENSORS);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (int t = 0; t < count; t++) {
                long at = in.position();
                String name = in.name(t);
                if (state.containsKey(name)) {
                    throw in.error(at, "names tensor '" + name + "' twice");
                }
                state.put(name, in.tensor(name));
            }
            if (in.position() != in.size()) {
                throw in.error(in.position(), "has " + (in.size() - in.position()) + " bytes after its last tensor");
            }
            return state;
        }
    }

    /** Buffered little-endian output to a channel. */
    private static final class Writer {
        private final WritableByteChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);

        Writer(WritableByteChannel channel) {
            this.channel = channel;
        }

        void int32(int v) throws IOException {
            room(4);
            buffer.putInt(v);
        }

        void float32(float v) throws IOException {
            room(4);
            buffer.putFloat(v);
        }

        void bytes(byte[] b) throws IOException {
            for (int off = 0; off < b.length; off += CHUNK) {
                int len = Math.min(CHUNK, b.length - off);
                room(len);
                buffer.put(b, off, len);
            }
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            buffer.flip();
            AtomicFiles.writeFully(channel, buffer);
            buffer.clear();
        }
    }

    /** Little-endian input that checks every length against what the file still holds before reading it. */
    private static final class Reader {
        private final Path path;
        private final FileChannel channel;
        private final long size;
        private final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

        Reader(Path path, FileChannel channel) throws IOException {
            this.path = path;
            this.channel = channel;
            this.size = channel.size();
        }

        long position() throws IOException {
            return channel.position();
        }

        long size() {
            return size;
        }

        IOException error(long offset, String problem) {
            return new IOException("State dict file " + path + " (" + size + " bytes) " + problem + " (at byte "
                    + offset + ")");
        }

        private void require(long bytes, String what) throws IOException {
            long at = position();
            if (bytes > size - at) {
                throw error(at, "is truncated: " + what + " needs " + bytes + " bytes but only " + (size - at)
                        + " remain");
            }
        }

        private void fill(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw error(position(), "ended while being read; was it modified during loading?");
                }
            }
            buffer.flip();
        }

        int int32(String what) throws IOException {
            require(4, what);
            word.clear();
            fill(word);
            return word.getInt();
        }

        /** A non-negative int32 no larger than {@code max}. */
        int count(String what, int max) throws IOException {
            long at = position();
            int n = int32(what);
            if (n < 0 || n > max) {
                throw error(at, "gives " + what + " as " + Integer.toUnsignedString(n) + "; at most " + max
                        + " is allowed");
            }
            return n;
        }

        byte[] bytes(int n, String what) throws IOException {
            require(n, what);
            ByteBuffer b = ByteBuffer.allocate(n);
            fill(b);
            return b.array();
        }

        String name(int index) throws IOException {
            int length = count("the name length of tensor " + index, MAX_NAME_BYTES);
            long at = position();
            byte[] bytes = bytes(length, "the name of tensor " + index);
            if (length == 0) {
                throw error(at, "gives tensor " + index + " an empty name");
            }
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw error(at, "gives tensor " + index + " a name that is not valid UTF-8");
            }
        }

        Tensor tensor(String name) throws IOException {
            int rank = count("the rank of '" + name + "'", MAX_RANK);
            int[] dims = new int[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = count("dimension " + d + " of '" + name + "'", Integer.MAX_VALUE);
                elements *= dims[d];
                if (elements > Shape.MAX_ELEMENTS) {
                    throw error(position(), "gives '" + name + "' more than " + Shape.MAX_ELEMENTS + " elements");
                }
            }
            require(elements * Float.BYTES, "the data of '" + name + "' " + Arrays.toString(dims));
            float[] values = new float[(int) elements];
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 0; off < values.length; ) {
                int len = Math.min(CHUNK / Float.BYTES, values.length - off);
                chunk.clear().limit(len * Float.BYTES);
                fill(chunk);
                chunk.asFloatBuffer().get(values, off, len);
                off += len;
            }
            return Tensor.wrap(values, Shape.of(dims));
        }
    }
}
