package io.jqi.onnx.proto;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hand-encodes protobuf messages field by field, for tests that need encodings OnnxCodec itself never writes. */
final class Proto {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    Proto varint(int field, long v) {
        return io(() -> out.writeInt64(field, v));
    }

    Proto fixed32(int field, float v) {
        return io(() -> out.writeFloat(field, v));
    }

    Proto bytes(int field, byte[] v) {
        return io(() -> out.writeByteArray(field, v));
    }

    Proto string(int field, String v) {
        return bytes(field, v.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
        return bytes(field, m.toBytes());
    }

    /** A packed repeated varint field. */
    Proto packedVarints(int field, long... values) {
        Proto body = new Proto();
        for (long v : values) {
            body.io(() -> body.out.writeInt64NoTag(v));
        }
        return bytes(field, body.toBytes());
    }

    /** A packed repeated float field. */
    Proto packedFloats(int field, float... values) {
        Proto body = new Proto();
        for (float v : values) {
            body.io(() -> body.out.writeFloatNoTag(v));
        }
        return bytes(field, body.toBytes());
    }

    /** Raw bytes, for malformed encodings. */
    Proto raw(byte... b) {
        return io(() -> out.writeRawBytes(b));
    }

    byte[] toBytes() {
        io(out::flush);
        return bytes.toByteArray();
    }

    private interface Io {
        void run() throws IOException;
    }

    private Proto io(Io body) {
        try {
            body.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
