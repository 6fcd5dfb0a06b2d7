package io.jqi.onnx.proto;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes jqi's subset of onnx.proto from bytes, with hard limits so that hostile input ends in an
 * {@link OnnxFormatException} within bounded memory and time: every length is checked against the bytes left before
 * anything is allocated for it, tensor data must match the element count its dimensions declare, ranks, graph nesting
 * and the numbers of nodes, initializers and other items are capped, and groups (which ONNX never uses and which
 * would recurse) are refused. Unknown fields are skipped, as protobuf requires. One instance reads one input.
 */
final class OnnxReader {
    /** Graphs nested in attributes (If/Loop bodies) deeper than this are refused. */
    static final int MAX_GRAPH_DEPTH = 16;
    static final int MAX_NODES = 1_000_000;
    static final int MAX_INITIALIZERS = 1_000_000;
    /**
     * Everything else that becomes an object or list entry (names, attributes, value infos, dimensions, opset
     * entries, metadata, repeated scalars): bounds the memory a small file can make the reader allocate.
     */
    static final long MAX_ITEMS = 64_000_000L;

    private static final int DATA_LOCATION_EXTERNAL = 1;

    /** The hard limits one read enforces; tests lower them to reach each one cheaply. */
    record Limits(int maxGraphDepth, int maxNodes, int maxInitializers, long maxItems) {
        static final Limits DEFAULT = new Limits(MAX_GRAPH_DEPTH, MAX_NODES, MAX_INITIALIZERS, MAX_ITEMS);
    }

    private final String source;
    private final Limits limits;
    private final CodedInputStream in;
    private final Deque<String> path = new ArrayDeque<>();
    private int graphDepth;
    private int nodes;
    private int initializers;
    private long items;

    OnnxReader(byte[] bytes, String source) {
        this(bytes, source, Limits.DEFAULT);
    }

    OnnxReader(byte[] bytes, String source, Limits limits) {
        this.source = source;
        this.limits = limits;
        this.in = CodedInputStream.newInstance(bytes);
        try {
            // An explicit top-level limit makes getBytesUntilLimit() meaningful for the length checks.
            in.pushLimit(bytes.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    OnnxModel readModel() {
        try {
            return model();
        } catch (IOException e) {
            throw fail("not a valid protobuf (" + e.getMessage() + ")", e);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
    }

    OnnxTensor readTensor() {
        try {
            path.push("tensor");
            OnnxTensor t = tensor();
            path.pop();
            return t;
        } catch (IOException e) {
            throw fail("not a valid protobuf (" + e.getMessage() + ")", e);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
    }

    private OnnxFormatException fail(String what) {
        return fail(what, null);
    }

    private OnnxFormatException fail(String what, Throwable cause) {
        StringBuilder where = new StringBuilder();
        var it = path.descendingIterator();
        while (it.hasNext()) {
            where.append(where.length() == 0 ? "" : ".").append(it.next());
        }
        String at = where.length() == 0 ? "" : " at " + where;
        return new OnnxFormatException(source + ": invalid ONNX" + at + ": " + what, cause);
    }

    // ---- messages ---------------------------------------------------------------------------------------------

    private OnnxModel model() throws IOException {
        long irVersion = 0;
        long modelVersion = 0;
        String producerName = "";
        String producerVersion = "";
        String domain = "";
        String docString = "";
        OnnxGraph graph = null;
        List<OpsetId> opsets = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        path.push("model");
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1 -> irVersion = varint(tag, "ir_version");
                case 2 -> producerName = string(tag, "producer_name");
                case 3 -> producerVersion = string(tag, "producer_version");
                case 4 -> domain = string(tag, "domain");
                case 5 -> modelVersion = varint(tag, "model_version");
                case 6 -> docString = string(tag, "doc_string");
                case 7 -> {
                    int old = enter(tag, "graph");
                    graph = graph();
                    leave(old);
                }
                case 8 -> {
                    int old = enter(tag, "opset_import[" + opsets.size() + "]");
                    count(1);
                    opsets.add(opset());
                    leave(old);
                }
                case 14 -> {
                    int old = enter(tag, "metadata_props[" + metadata.size() + "]");
                    count(1);
                    String[] kv = stringEntry();
                    metadata.put(kv[0], kv[1]);
                    leave(old);
                }
                default -> skip(tag);
            }
        }
        if (graph == null) {
            throw fail("the model has no graph (is this an ONNX model file?)");
        }
        path.pop();
        return new OnnxModel(irVersion, opsets, producerName, producerVersion, domain, modelVersion, docString, graph,
                metadata);
    }

    private OpsetId opset() throws IOException {
        String domain = "";
        long version = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> domain = string(tag, "domain");
                case 2 -> version = varint(tag, "version");
                default -> skip(tag);
            }
        }
        return new OpsetId(domain, version);
    }

    private String[] stringEntry() throws IOException {
        String key = "";
        String value = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> key = string(tag, "key");
                case 2 -> value = string(tag, "value");
                default -> skip(tag);
            }
        }
        return new String[] {key, value};
    }

    private OnnxGraph graph() throws IOException {
        if (++graphDepth > limits.maxGraphDepth()) {
            throw fail("graphs nest deeper than " + limits.maxGraphDepth() + " levels");
        }
        String name = "";
        List<OnnxNode> nodeList = new ArrayList<>();
        List<OnnxTensor> inits = new ArrayList<>();
        List<OnnxValueInfo> inputs = new ArrayList<>();
        List<OnnxValueInfo> outputs = new ArrayList<>();
        List<OnnxValueInfo> valueInfo = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    if (++nodes > limits.maxNodes()) {
                        throw fail("more than " + limits.maxNodes() + " nodes");
                    }
                    int old = enter(tag, "node[" + nodeList.size() + "]");
                    nodeList.add(node());
                    leave(old);
                }
                case 2 -> name = string(tag, "name");
                case 5 -> {
                    if (++initializers > limits.maxInitializers()) {
                        throw fail("more than " + limits.maxInitializers() + " initializers");
                    }
                    int old = enter(tag, "initializer[" + inits.size() + "]");
                    inits.add(tensor());
                    leave(old);
                }
                case 11 -> inputs.add(valueInfo(tag, "input[" + inputs.size() + "]"));
                case 12 -> outputs.add(valueInfo(tag, "output[" + outputs.size() + "]"));
                case 13 -> valueInfo.add(valueInfo(tag, "value_info[" + valueInfo.size() + "]"));
                case 15 -> throw fail("sparse initializers are not supported; store the initializer as a dense tensor");
                default -> skip(tag);
            }
        }
        graphDepth--;
        return new OnnxGraph(name, nodeList, inits, inputs, outputs, valueInfo);
    }

    private OnnxNode node() throws IOException {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<OnnxAttribute> attributes = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    count(1);
                    inputs.add(string(tag, "input"));
                }
                case 2 -> {
                    count(1);
                    outputs.add(string(tag, "output"));
                }
                case 3 -> name = string(tag, "name");
                case 4 -> opType = string(tag, "op_type");
                case 5 -> {
                    count(1);
                    int old = enter(tag, "attribute[" + attributes.size() + "]");
                    attributes.add(attribute());
                    leave(old);
                }
                case 7 -> domain = string(tag, "domain");
                default -> skip(tag);
            }
        }
        if (opType.isEmpty()) {
            throw fail("node '" + name + "' has no op_type");
        }
        return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
    }

    private OnnxAttribute attribute() throws IOException {
        String name = "";
        int typeCode = 0;
        float f = 0;
        long i = 0;
        byte[] s = null;
        OnnxTensor t = null;
        OnnxGraph g = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        List<byte[]> strings = new ArrayList<>();
        List<OnnxTensor> tensors = new ArrayList<>();
        boolean hasF = false;
        boolean hasI = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = string(tag, "name");
                case 2 -> {
                    expect(tag, WireFormat.WIRETYPE_FIXED32, "f");
                    f = in.readFloat();
                    hasF = true;
                }
                case 3 -> {
                    i = varint(tag, "i");
                    hasI = true;
                }
                case 4 -> s = bytes(tag, "s");
                case 5 -> {
                    int old = enter(tag, "t");
                    t = tensor();
                    leave(old);
                }
                case 6 -> {
                    int old = enter(tag, "g");
                    g = graph();
                    leave(old);
                }
                case 7 -> repeatedFloats(tag, floats, "floats");
                case 8 -> repeatedVarints(tag, ints, "ints");
                case 9 -> {
                    count(1);
                    strings.add(bytes(tag, "strings"));
                }
                case 10 -> {
                    count(1);
                    int old = enter(tag, "tensors[" + tensors.size() + "]");
                    tensors.add(tensor());
                    leave(old);
                }
                case 20 -> typeCode = (int) varint(tag, "type");
                default -> skip(tag); // graphs, sparse tensors, type protos, ref_attr_name, doc_string
            }
        }
        AttributeType type;
        try {
            type = AttributeType.of(typeCode);
        } catch (IllegalArgumentException e) {
            throw fail("attribute '" + name + "': " + e.getMessage());
        }
        if (type == AttributeType.UNDEFINED) {
            // IR versions before 0.0.2 had no type field: the populated field tells.
            type = hasF ? AttributeType.FLOAT : hasI ? AttributeType.INT : s != null ? AttributeType.STRING
                    : t != null ? AttributeType.TENSOR : g != null ? AttributeType.GRAPH
                    : floats.size > 0 ? AttributeType.FLOATS : ints.size > 0 ? AttributeType.INTS
                    : !strings.isEmpty() ? AttributeType.STRINGS : !tensors.isEmpty() ? AttributeType.TENSORS
                    : AttributeType.UNDEFINED;
        }
        return new OnnxAttribute(name, type, f, i, s, t, g, floats.toArray(), ints.toArray(), strings, tensors);
    }

    private OnnxValueInfo valueInfo(int tag, String where) throws IOException {
        count(1);
        int old = enter(tag, where);
        String name = "";
        DataType elemType = DataType.UNDEFINED;
        List<Dim> shape = null;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> name = string(t, "name");
                case 2 -> {
                    int typeOld = enter(t, "type");
                    for (int tt = in.readTag(); tt != 0; tt = in.readTag()) {
                        if (WireFormat.getTagFieldNumber(tt) == 1) {
                            int tensorOld = enter(tt, "tensor_type");
                            for (int x = in.readTag(); x != 0; x = in.readTag()) {
                                switch (WireFormat.getTagFieldNumber(x)) {
                                    case 1 -> elemType = dataType((int) varint(x, "elem_type"));
                                    case 2 -> {
                                        int shapeOld = enter(x, "shape");
                                        shape = shape();
                                        leave(shapeOld);
                                    }
                                    default -> skip(x);
                                }
                            }
                            leave(tensorOld);
                        } else {
                            skip(tt); // sequence, map, optional and sparse types are outside the subset
                        }
                    }
                    leave(typeOld);
                }
                default -> skip(t);
            }
        }
        leave(old);
        return new OnnxValueInfo(name, elemType, shape);
    }

    private List<Dim> shape() throws IOException {
        List<Dim> dims = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) != 1) {
                skip(tag);
                continue;
            }
            if (dims.size() >= OnnxTensor.MAX_RANK) {
                throw fail("a shape of rank over " + OnnxTensor.MAX_RANK);
            }
            count(1);
            int old = enter(tag, "dim[" + dims.size() + "]");
            long value = -1;
            String param = null;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case 1 -> value = varint(t, "dim_value");
                    case 2 -> param = string(t, "dim_param");
                    default -> skip(t);
                }
            }
            // A negative dim_value is meaningless; read it as unknown rather than refusing the whole model over a
            // shape annotation.
            dims.add(new Dim(Math.max(value, -1), value >= 0 ? null : param));
            leave(old);
        }
        return dims;
    }

    private OnnxTensor tensor() throws IOException {
        LongList dims = new LongList();
        int typeCode = 0;
        String name = "";
        byte[] raw = null;
        FloatList floatData = null;
        LongList int32Data = null;
        LongList int64Data = null;
        LongList uint64Data = null;
        DoubleList doubleData = null;
        boolean stringData = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    repeatedVarints(tag, dims, "dims");
                    if (dims.size > OnnxTensor.MAX_RANK) {
                        throw fail("tensor of rank over " + OnnxTensor.MAX_RANK);
                    }
                }
                case 2 -> typeCode = (int) varint(tag, "data_type");
                case 4 -> repeatedFloats(tag, floatData = floatData == null ? new FloatList() : floatData,
                        "float_data");
                case 5 -> repeatedVarints(tag, int32Data = int32Data == null ? new LongList() : int32Data,
                        "int32_data");
                case 6 -> {
                    stringData = true;
                    skip(tag);
                }
                case 7 -> repeatedVarints(tag, int64Data = int64Data == null ? new LongList() : int64Data,
                        "int64_data");
                case 8 -> name = string(tag, "name");
                case 9 -> raw = bytes(tag, "raw_data");
                case 10 -> repeatedDoubles(tag, doubleData = doubleData == null ? new DoubleList() : doubleData,
                        "double_data");
                case 11 -> repeatedVarints(tag, uint64Data = uint64Data == null ? new LongList() : uint64Data,
                        "uint64_data");
                case 13 -> throw fail("tensor '" + name + "' stores its data in an external file; jqi reads only "
                        + "self-contained models (save the model with its tensors inside the .onnx file)");
                case 14 -> {
                    if (varint(tag, "data_location") == DATA_LOCATION_EXTERNAL) {
                        throw fail("tensor '" + name + "' has data_location EXTERNAL; jqi reads only self-contained "
                                + "models (save the model with its tensors inside the .onnx file)");
                    }
                }
                default -> skip(tag);
            }
        }
        DataType type = dataType(typeCode);
        String what = "tensor '" + name + "'";
        if (type == DataType.UNDEFINED) {
            throw fail(what + " has no data_type");
        }
        if (type == DataType.STRING || stringData) {
            throw fail(what + ": string tensors are not supported");
        }
        long[] shape = dims.toArray();
        long numel;
        try {
            numel = OnnxTensor.numel(shape);
        } catch (IllegalArgumentException e) {
            throw fail(what + ": " + e.getMessage());
        }
        long needed;
        try {
            needed = type.rawBytes(numel);
        } catch (ArithmeticException e) {
            throw fail(what + ": dimensions " + Arrays.toString(shape) + " overflow a byte count");
        }
        int fieldsWithData = (raw != null ? 1 : 0) + (floatData != null ? 1 : 0) + (int32Data != null ? 1 : 0)
                + (int64Data != null ? 1 : 0) + (uint64Data != null ? 1 : 0) + (doubleData != null ? 1 : 0);
        if (fieldsWithData > 1) {
            throw fail(what + " stores its data in more than one field");
        }
        if (raw != null) {
            if (raw.length != needed) {
                throw fail(what + " of " + type + " with dims " + Arrays.toString(shape) + " needs " + needed
                        + " bytes of raw_data, but has " + raw.length);
            }
            return new OnnxTensor(name, type, shape, raw);
        }
        if (fieldsWithData == 0) {
            if (numel != 0) {
                throw fail(what + " with dims " + Arrays.toString(shape) + " has " + numel + " elements but no data");
            }
            return new OnnxTensor(name, type, shape, new byte[0]);
        }
        return new OnnxTensor(name, type, shape, typedToRaw(what, type, numel, needed, floatData, int32Data,
                int64Data, uint64Data, doubleData));
    }

    /** Converts a typed data field to the raw layout, after checking that it holds exactly the declared count. */
    private byte[] typedToRaw(String what, DataType type, long numel, long needed, FloatList floatData,
                              LongList int32Data, LongList int64Data, LongList uint64Data, DoubleList doubleData) {
        String field;
        long have;
        long expected = numel;
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                field = "float_data";
                have = floatData == null ? -1 : floatData.size;
                expected = type == DataType.COMPLEX64 ? 2 * numel : numel;
            }
            case DOUBLE, COMPLEX128 -> {
                field = "double_data";
                have = doubleData == null ? -1 : doubleData.size;
                expected = type == DataType.COMPLEX128 ? 2 * numel : numel;
            }
            case INT64 -> {
                field = "int64_data";
                have = int64Data == null ? -1 : int64Data.size;
            }
            case UINT32, UINT64 -> {
                field = "uint64_data";
                have = uint64Data == null ? -1 : uint64Data.size;
            }
            case INT4, UINT4 -> {
                // Packed like raw_data: each int32_data entry holds one byte of two 4-bit values.
                field = "int32_data";
                have = int32Data == null ? -1 : int32Data.size;
                expected = needed;
            }
            default -> {
                field = "int32_data";
                have = int32Data == null ? -1 : int32Data.size;
            }
        }
        if (have < 0) {
            throw fail(what + " of " + type + " carries its data in a field other than " + field);
        }
        if (have != expected) {
            throw fail(what + " of " + type + " declares " + expected + " values by its dims but " + field + " holds "
                    + have);
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw fail(what + " is too large (" + needed + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate((int) needed).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                for (int k = 0; k < floatData.size; k++) {
                    b.putFloat(floatData.values[k]);
                }
            }
            case DOUBLE, COMPLEX128 -> {
                for (int k = 0; k < doubleData.size; k++) {
                    b.putDouble(doubleData.values[k]);
                }
            }
            case INT64 -> {
                for (int k = 0; k < int64Data.size; k++) {
                    b.putLong(int64Data.values[k]);
                }
            }
            case UINT64 -> {
                for (int k = 0; k < uint64Data.size; k++) {
                    b.putLong(uint64Data.values[k]);
                }
            }
            case UINT32 -> {
                for (int k = 0; k < uint64Data.size; k++) {
                    b.putInt((int) uint64Data.values[k]);
                }
            }
            case INT32 -> {
                for (int k = 0; k < int32Data.size; k++) {
                    b.putInt((int) int32Data.values[k]);
                }
            }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                for (int k = 0; k < int32Data.size; k++) {
                    b.putShort((short) int32Data.values[k]);
                }
            }
            default -> {
                // INT8, UINT8, BOOL, FLOAT8*, and the packed bytes of INT4/UINT4.
                for (int k = 0; k < int32Data.size; k++) {
                    b.put((byte) int32Data.values[k]);
                }
            }
        }
        return b.array();
    }

    private DataType dataType(int code) {
        try {
            return DataType.of(code);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    // ---- wire helpers -----------------------------------------------------------------------------------------

    private void count(long n) {
        items += n;
        if (items > limits.maxItems()) {
            throw fail("more than " + limits.maxItems() + " names, attributes, dimensions and values in all");
        }
    }

    private void expect(int tag, int wireType, String field) {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw fail("field " + field + " has wire type " + WireFormat.getTagWireType(tag) + ", expected "
                    + wireType);
        }
    }

    private int length(String field) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0) {
            throw fail("field " + field + " declares a negative length");
        }
        if (len > in.getBytesUntilLimit() && in.getBytesUntilLimit() >= 0) {
            throw fail("field " + field + " declares " + len + " bytes but only " + in.getBytesUntilLimit()
                    + " remain");
        }
        return len;
    }

    /** Enters an embedded message: checks the wire type and length, and limits reading to it. */
    private int enter(int tag, String field) throws IOException {
        expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
        int len = length(field);
        path.push(field);
        return in.pushLimit(len);
    }

    private void leave(int oldLimit) {
        path.pop();
        in.popLimit(oldLimit);
    }

    private long varint(int tag, String field) throws IOException {
        expect(tag, WireFormat.WIRETYPE_VARINT, field);
        return in.readRawVarint64();
    }

    private byte[] bytes(int tag, String field) throws IOException {
        expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
        return in.readRawBytes(length(field));
    }

    private String string(int tag, String field) throws IOException {
        return new String(bytes(tag, field), StandardCharsets.UTF_8);
    }

    private void repeatedVarints(int tag, LongList out, String field) throws IOException {
        int wire = WireFormat.getTagWireType(tag);
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int old = in.pushLimit(length(field));
            while (!in.isAtEnd()) {
                count(1);
                out.add(in.readRawVarint64());
            }
            in.popLimit(old);
        } else {
            count(1);
            out.add(varint(tag, field));
        }
    }

    private void repeatedFloats(int tag, FloatList out, String field) throws IOException {
        int wire = WireFormat.getTagWireType(tag);
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int len = length(field);
            if (len % 4 != 0) {
                throw fail("packed field " + field + " has " + len + " bytes, not a multiple of 4");
            }
            count(len / 4);
            for (int k = 0; k < len / 4; k++) {
                out.add(Float.intBitsToFloat(in.readRawLittleEndian32()));
            }
        } else {
            expect(tag, WireFormat.WIRETYPE_FIXED32, field);
            count(1);
            out.add(in.readFloat());
        }
    }

    private void repeatedDoubles(int tag, DoubleList out, String field) throws IOException {
        int wire = WireFormat.getTagWireType(tag);
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int len = length(field);
            if (len % 8 != 0) {
                throw fail("packed field " + field + " has " + len + " bytes, not a multiple of 8");
            }
            count(len / 8);
            for (int k = 0; k < len / 8; k++) {
                out.add(Double.longBitsToDouble(in.readRawLittleEndian64()));
            }
        } else {
            expect(tag, WireFormat.WIRETYPE_FIXED64, field);
            count(1);
            out.add(in.readDouble());
        }
    }

    /** Skips an unknown field; groups are refused rather than recursed into (ONNX has none). */
    private void skip(int tag) throws IOException {
        switch (WireFormat.getTagWireType(tag)) {
            case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
            case WireFormat.WIRETYPE_FIXED32 -> in.readRawLittleEndian32();
            case WireFormat.WIRETYPE_FIXED64 -> in.readRawLittleEndian64();
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.skipRawBytes(length("#" + WireFormat.getTagFieldNumber(tag)));
            default -> throw fail("field #" + WireFormat.getTagFieldNumber(tag) + " has wire type "
                    + WireFormat.getTagWireType(tag) + ", which ONNX never uses");
        }
    }

    // ---- growable primitive lists (boxing would multiply the memory of large tensors) ---------------------------

    private static final class LongList {
        long[] values = new long[8];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class FloatList {
        float[] values = new float[8];
        int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class DoubleList {
        double[] values = new double[8];
        int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }
}
