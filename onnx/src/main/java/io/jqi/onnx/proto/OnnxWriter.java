package io.jqi.onnx.proto;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes jqi's subset of onnx.proto. Fields go out in field-number order and repeated scalars unpacked, as protoc's
 * code for ONNX's proto2 schema writes them; tensor data always goes out as {@code raw_data}. Each embedded message is
 * encoded into its own buffer first, which costs a copy per nesting level but needs no size pre-computation.
 */
final class OnnxWriter {
    private OnnxWriter() {
    }

    /** One message being encoded. */
    private static final class Message {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        Message string(int field, String value) throws IOException {
            out.writeByteArray(field, value.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Message stringIfSet(int field, String value) throws IOException {
            return value == null || value.isEmpty() ? this : string(field, value);
        }

        Message message(int field, byte[] encoded) throws IOException {
            out.writeByteArray(field, encoded);
            return this;
        }

        byte[] done() throws IOException {
            out.flush();
            return bytes.toByteArray();
        }
    }

    static byte[] model(OnnxModel m) {
        try {
            Message msg = new Message();
            if (m.irVersion() != 0) {
                msg.out.writeInt64(1, m.irVersion());
            }
            msg.stringIfSet(2, m.producerName()).stringIfSet(3, m.producerVersion()).stringIfSet(4, m.domain());
            if (m.modelVersion() != 0) {
                msg.out.writeInt64(5, m.modelVersion());
            }
            msg.stringIfSet(6, m.docString());
            msg.message(7, graph(m.graph()));
            for (OpsetId id : m.opsets()) {
                Message o = new Message().string(1, id.domain());
                o.out.writeInt64(2, id.version());
                msg.message(8, o.done());
            }
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                msg.message(14, new Message().string(1, e.getKey()).string(2, e.getValue()).done());
            }
            return msg.done();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }

    static byte[] tensorBytes(OnnxTensor t) {
        try {
            return tensor(t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] graph(OnnxGraph g) throws IOException {
        Message msg = new Message();
        for (OnnxNode n : g.nodes()) {
            msg.message(1, node(n));
        }
        msg.string(2, g.name());
        for (OnnxTensor t : g.initializers()) {
            msg.message(5, tensor(t));
        }
        for (OnnxValueInfo v : g.inputs()) {
            msg.message(11, valueInfo(v));
        }
        for (OnnxValueInfo v : g.outputs()) {
            msg.message(12, valueInfo(v));
        }
        for (OnnxValueInfo v : g.valueInfo()) {
            msg.message(13, valueInfo(v));
        }
        return msg.done();
    }

    private static byte[] node(OnnxNode n) throws IOException {
        Message msg = new Message();
        for (String input : n.inputs()) {
            msg.string(1, input); // empty names mark omitted optional inputs and must stay in place
        }
        for (String output : n.outputs()) {
            msg.string(2, output);
        }
        msg.stringIfSet(3, n.name()).string(4, n.opType());
        for (OnnxAttribute a : n.attributes()) {
            msg.message(5, attribute(a));
        }
        msg.stringIfSet(7, n.domain());
        return msg.done();
    }

    private static byte[] attribute(OnnxAttribute a) throws IOException {
        Message msg = new Message().string(1, a.name());
        CodedOutputStream out = msg.out;
        if (a.type() == AttributeType.FLOAT || a.f() != 0) {
            out.writeFloat(2, a.f());
        }
        if (a.type() == AttributeType.INT || a.i() != 0) {
            out.writeInt64(3, a.i());
        }
        if (a.type() == AttributeType.STRING || a.s().length > 0) {
            out.writeByteArray(4, a.s());
        }
        if (a.t() != null) {
            msg.message(5, tensor(a.t()));
        }
        if (a.g() != null) {
            msg.message(6, graph(a.g()));
        }
        for (float v : a.floats()) {
            out.writeFloat(7, v);
        }
        for (long v : a.ints()) {
            out.writeInt64(8, v);
        }
        for (byte[] v : a.strings()) {
            out.writeByteArray(9, v);
        }
        for (OnnxTensor t : a.tensors()) {
            msg.message(10, tensor(t));
        }
        out.writeInt32(20, a.type().code());
        return msg.done();
    }

    private static byte[] tensor(OnnxTensor t) throws IOException {
        Message msg = new Message();
        for (long d : t.dims()) {
            msg.out.writeInt64(1, d);
        }
        msg.out.writeInt32(2, t.dataType().code());
        msg.stringIfSet(8, t.name());
        msg.out.writeByteArray(9, t.rawData());
        return msg.done();
    }

    private static byte[] valueInfo(OnnxValueInfo v) throws IOException {
        Message msg = new Message().string(1, v.name());
        if (v.elemType() != DataType.UNDEFINED || v.shape() != null) {
            Message tensorType = new Message();
            if (v.elemType() != DataType.UNDEFINED) {
                tensorType.out.writeInt32(1, v.elemType().code());
            }
            if (v.shape() != null) {
                Message shape = new Message();
                for (Dim d : v.shape()) {
                    Message dim = new Message();
                    if (d.value() >= 0) {
                        dim.out.writeInt64(1, d.value());
                    } else if (d.param() != null) {
                        dim.string(2, d.param());
                    }
                    shape.message(1, dim.done());
                }
                tensorType.message(2, shape.done());
            }
            msg.message(2, new Message().message(1, tensorType.done()).done());
        }
        return msg.done();
    }
}
