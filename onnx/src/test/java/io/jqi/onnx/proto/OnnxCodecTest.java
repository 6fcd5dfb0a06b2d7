package io.jqi.onnx.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxCodecTest {
    static OnnxModel sampleModel() {
        OnnxTensor w = OnnxTensor.ofFloats("w", new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, -0f});
        OnnxTensor shape = OnnxTensor.ofInt64("shape", new long[] {2}, new long[] {-1, 6});
        OnnxNode gemm = new OnnxNode("fc", "Gemm", "", List.of("x", "w", ""), List.of("y"), List.of(
                OnnxAttribute.ofFloat("alpha", 1.5f), OnnxAttribute.ofInt("transB", 1),
                OnnxAttribute.ofString("note", "héllo"), OnnxAttribute.ofInts("pads", 0, -1, 3),
                OnnxAttribute.ofFloats("scales", 0.5f, -2f), OnnxAttribute.ofTensor("value", shape),
                OnnxAttribute.ofStrings("names", "a", "")));
        OnnxGraph body = new OnnxGraph("body", List.of(new OnnxNode("", "Identity", "", List.of("y"), List.of("z"),
                List.of())), List.of(), List.of(), List.of(), List.of());
        OnnxNode withGraph = new OnnxNode("if", "If", "custom.domain", List.of("y"), List.of("out"),
                List.of(OnnxAttribute.ofGraph("then_branch", body)));
        OnnxGraph graph = new OnnxGraph("main", List.of(gemm, withGraph), List.of(w, shape),
                List.of(new OnnxValueInfo("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(3)))),
                List.of(new OnnxValueInfo("out", DataType.FLOAT, null)),
                List.of(new OnnxValueInfo("y", DataType.UNDEFINED, null),
                        new OnnxValueInfo("z", DataType.FLOAT, List.of(new Dim(-1, null)))));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "1");
        metadata.put("alpha", "2");
        return new OnnxModel(9, List.of(new OpsetId("", 17), new OpsetId("mct_quantizers", 1)), "jqi", "0.1",
                "io.jqi", 3, "a doc", graph, metadata);
    }

    @Test
    void aWrittenModelReadsBackEqual() {
        OnnxModel m = sampleModel();
        OnnxModel back = OnnxCodec.read(OnnxCodec.write(m), "sample");
        assertEquals(m, back);
    }

    @Test
    void metadataKeepsFileOrder() {
        OnnxModel back = OnnxCodec.read(OnnxCodec.write(sampleModel()), "sample");
        assertEquals(List.of("zeta", "alpha"), List.copyOf(back.metadata().keySet()));
    }

    @Test
    void writingToAFileIsReadBackFromIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.onnx");
        OnnxCodec.write(sampleModel(), file);
        assertEquals(sampleModel(), OnnxCodec.read(file));
        assertEquals(1, Files.list(dir).count(), "no temporary file is left behind");
    }

    @Test
    void everyTensorFactoryRoundTripsThroughABareTensorProto() {
        List<OnnxTensor> tensors = List.of(
                OnnxTensor.ofFloats("f", new long[] {2}, new float[] {1.25f, -3}),
                OnnxTensor.ofInt8("i8", new long[] {3}, new byte[] {-128, 0, 127}),
                OnnxTensor.ofUint8("u8", new long[] {2}, new byte[] {(byte) 255, 7}),
                OnnxTensor.ofInt32("i32", new long[] {1, 2}, new int[] {Integer.MIN_VALUE, 5}),
                OnnxTensor.ofInt64("i64", new long[] {}, new long[] {Long.MAX_VALUE}),
                OnnxTensor.ofInt4("i4", new long[] {3}, new byte[] {-8, 7, -1}),
                OnnxTensor.ofUint4("u4", new long[] {3}, new byte[] {0, 15, 9}));
        for (OnnxTensor t : tensors) {
            assertEquals(t, OnnxCodec.readTensor(OnnxCodec.writeTensor(t), t.name()));
        }
    }

    @Test
    void fourBitValuesArePackedLowNibbleFirst() {
        OnnxTensor t = OnnxTensor.ofInt4("w", new long[] {3}, new byte[] {1, -2, 7});
        assertArrayEquals(new byte[] {(byte) 0xE1, 0x07}, t.rawData());
        assertArrayEquals(new long[] {1, -2, 7}, t.toLongs());
        assertArrayEquals(new long[] {0, 15, 9}, OnnxTensor.ofUint4("u", new long[] {3}, new byte[] {0, 15, 9})
                .toLongs());
    }

    @Test
    void fourBitFactoriesRefuseOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> OnnxTensor.ofInt4("w", new long[] {1}, new byte[] {8}));
        assertThrows(IllegalArgumentException.class, () -> OnnxTensor.ofUint4("w", new long[] {1}, new byte[] {-1}));
    }

    @Test
    void integerTensorsConvertToFloats() {
        assertArrayEquals(new float[] {-128, 0, 127},
                OnnxTensor.ofInt8("x", new long[] {3}, new byte[] {-128, 0, 127}).toFloats());
        assertArrayEquals(new float[] {255, 7},
                OnnxTensor.ofUint8("x", new long[] {2}, new byte[] {(byte) 255, 7}).toFloats());
    }

    @Test
    void halfPrecisionConvertsExactly() {
        assertEquals(1.0f, OnnxTensor.halfToFloat((short) 0x3C00));
        assertEquals(-2.0f, OnnxTensor.halfToFloat((short) 0xC000));
        assertEquals(65504f, OnnxTensor.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, OnnxTensor.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, OnnxTensor.halfToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(OnnxTensor.halfToFloat((short) 0x7E00)));
    }

    @Test
    void aTensorWhoseDataDoesNotMatchItsDimsCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> new OnnxTensor("t", DataType.FLOAT, new long[] {2}, new byte[4]));
    }

    // ---- encodings the writer never produces ---------------------------------------------------------------

    private static OnnxTensor decodeTensor(Proto p) {
        return OnnxCodec.readTensor(p.toBytes(), "test");
    }

    @Test
    void floatDataIsConvertedToTheRawLayout() {
        OnnxTensor t = decodeTensor(new Proto().varint(1, 2).varint(2, 1).packedFloats(4, 1.5f, -2f));
        assertEquals(OnnxTensor.ofFloats("", new long[] {2}, new float[] {1.5f, -2f}), t);
    }

    @Test
    void unpackedFloatDataReadsLikePacked() {
        OnnxTensor t = decodeTensor(new Proto().varint(1, 2).varint(2, 1).fixed32(4, 1.5f).fixed32(4, -2f));
        assertArrayEquals(new float[] {1.5f, -2f}, t.toFloats());
    }

    @Test
    void packedDimsReadLikeUnpacked() {
        OnnxTensor t = decodeTensor(new Proto().packedVarints(1, 1, 2).varint(2, 1).packedFloats(4, 1f, 2f));
        assertArrayEquals(new long[] {1, 2}, t.dims());
    }

    @Test
    void int32DataNarrowsToEachTypesWidth() {
        OnnxTensor i8 = decodeTensor(new Proto().varint(1, 3).varint(2, DataType.INT8.code())
                .packedVarints(5, -1, 127, -128));
        assertArrayEquals(new byte[] {-1, 127, -128}, i8.rawData());
        OnnxTensor u16 = decodeTensor(new Proto().varint(1, 1).varint(2, DataType.UINT16.code()).varint(5, 65535));
        assertArrayEquals(new long[] {65535}, u16.toLongs());
        OnnxTensor half = decodeTensor(new Proto().varint(2, DataType.FLOAT16.code()).varint(5, 0x3C00));
        assertArrayEquals(new float[] {1f}, half.toFloats());
    }

    @Test
    void int64AndDoubleDataConvert() {
        OnnxTensor i64 = decodeTensor(new Proto().varint(1, 2).varint(2, DataType.INT64.code())
                .packedVarints(7, -5, Long.MIN_VALUE));
        assertArrayEquals(new long[] {-5, Long.MIN_VALUE}, i64.toLongs());
        Proto d = new Proto().varint(1, 1).varint(2, DataType.DOUBLE.code());
        d.raw((byte) ((10 << 3) | 1)).raw(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.25).array());
        assertArrayEquals(new float[] {0.25f}, decodeTensor(d).toFloats());
    }

    @Test
    void packedInt4DataHoldsOneByteOfTwoValuesPerEntry() {
        OnnxTensor t = decodeTensor(new Proto().varint(1, 3).varint(2, DataType.INT4.code())
                .packedVarints(5, 0xE1, 0x07));
        assertArrayEquals(new long[] {1, -2, 7}, t.toLongs());
    }

    @Test
    void unknownFieldsAreSkipped() {
        OnnxTensor t = decodeTensor(new Proto().varint(1, 1).varint(99, 12345).string(100, "x").fixed32(101, 1f)
                .varint(2, 1).packedFloats(4, 3f));
        assertArrayEquals(new float[] {3f}, t.toFloats());
    }

    @Test
    void attributesWithoutATypeTakeItFromTheirField() {
        Proto attr = new Proto().string(1, "axis").varint(3, 2);
        Proto node = new Proto().string(1, "x").string(2, "y").string(4, "Softmax").message(5, attr);
        Proto graph = new Proto().message(1, node);
        OnnxModel m = OnnxCodec.read(new Proto().message(7, graph).toBytes(), "test");
        OnnxAttribute a = m.graph().nodes().get(0).attribute("axis").orElseThrow();
        assertEquals(AttributeType.INT, a.type());
        assertEquals(2, a.i());
    }

    // ---- refusals ----------------------------------------------------------------------------------------------

    private static String refusal(byte[] bytes) {
        return assertThrows(OnnxFormatException.class, () -> OnnxCodec.read(bytes, "bad.onnx")).getMessage();
    }

    private static String tensorRefusal(Proto tensor) {
        return assertThrows(OnnxFormatException.class, () -> OnnxCodec.readTensor(tensor.toBytes(), "bad.pb"))
                .getMessage();
    }

    private static byte[] modelWithInitializer(Proto tensor) {
        return new Proto().message(7, new Proto().message(5, tensor)).toBytes();
    }

    @Test
    void aModelWithoutAGraphIsRefused() {
        assertTrue(refusal(new byte[0]).contains("no graph"));
    }

    @Test
    void truncatedInputNamesTheSource() {
        byte[] full = OnnxCodec.write(sampleModel());
        String message = refusal(java.util.Arrays.copyOf(full, full.length / 2));
        assertTrue(message.startsWith("bad.onnx: invalid ONNX"), message);
    }

    @Test
    void aLengthBeyondTheRemainingBytesIsRefusedBeforeAllocating() {
        // raw_data declaring 2^31-1 bytes in a 10-byte input.
        byte[] bytes = {(byte) ((9 << 3) | 2), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 2, 3};
        String message = assertThrows(OnnxFormatException.class, () -> OnnxCodec.readTensor(bytes, "bad.pb"))
                .getMessage();
        assertTrue(message.contains("raw_data declares 2147483647 bytes"), message);
    }

    @Test
    void rawDataMustMatchTheDeclaredElementCount() {
        String message = tensorRefusal(new Proto().varint(1, 1_000_000).varint(1, 1_000_000).varint(2, 1)
                .bytes(9, new byte[8]));
        assertTrue(message.contains("needs 4000000000000 bytes of raw_data, but has 8"), message);
    }

    @Test
    void typedDataMustMatchTheDeclaredElementCount() {
        String message = tensorRefusal(new Proto().varint(1, 3).varint(2, 1).packedFloats(4, 1f));
        assertTrue(message.contains("declares 3 values by its dims but float_data holds 1"), message);
    }

    @Test
    void dimensionsWhoseProductOverflowAreRefused() {
        String message = tensorRefusal(new Proto().varint(1, 1L << 40).varint(1, 1L << 40).varint(2, 1));
        assertTrue(message.contains("overflow"), message);
    }

    @Test
    void negativeDimensionsAreRefused() {
        assertTrue(tensorRefusal(new Proto().varint(1, -3).varint(2, 1)).contains("negative dimension"));
    }

    @Test
    void aTensorRankAboveSixteenIsRefused() {
        Proto p = new Proto();
        for (int k = 0; k < 17; k++) {
            p.varint(1, 1);
        }
        assertTrue(tensorRefusal(p.varint(2, 1)).contains("rank over 16"));
    }

    @Test
    void aShapeRankAboveSixteenIsRefused() {
        Proto shape = new Proto();
        for (int k = 0; k < 17; k++) {
            shape.message(1, new Proto().varint(1, 1));
        }
        Proto value = new Proto().string(1, "x").message(2, new Proto().message(1, new Proto().varint(1, 1)
                .message(2, shape)));
        assertTrue(refusal(new Proto().message(7, new Proto().message(11, value)).toBytes()).contains("rank over 16"));
    }

    @Test
    void externalDataIsRefusedWithoutOpeningAnyFile() {
        Proto entry = new Proto().string(1, "location").string(2, "/etc/passwd");
        String message = refusal(modelWithInitializer(new Proto().varint(1, 1).varint(2, 1).string(8, "w")
                .message(13, entry).varint(14, 1)));
        assertTrue(message.contains("external file"), message);
        String byLocation = refusal(modelWithInitializer(new Proto().varint(2, 1).string(8, "w").varint(14, 1)));
        assertTrue(byLocation.contains("data_location EXTERNAL"), byLocation);
    }

    @Test
    void theErrorNamesWhereInTheModelItHappened() {
        String message = refusal(modelWithInitializer(new Proto().varint(1, 2).varint(2, 1).string(8, "w")
                .bytes(9, new byte[4])));
        assertTrue(message.contains("at model.graph.initializer[0]"), message);
        assertTrue(message.contains("tensor 'w'"), message);
    }

    @Test
    void graphsNestedDeeperThanTheLimitAreRefused() {
        Proto graph = new Proto();
        for (int depth = 0; depth < OnnxReader.MAX_GRAPH_DEPTH + 2; depth++) {
            Proto attr = new Proto().string(1, "body").message(6, graph).varint(20, 5);
            graph = new Proto().message(1, new Proto().string(4, "Loop").message(5, attr));
        }
        assertTrue(refusal(new Proto().message(7, graph).toBytes()).contains("graphs nest deeper than 16"));
    }

    @Test
    void groupWireTypesAreRefusedRatherThanRecursedInto() {
        byte[] bytes = new byte[20_000];
        java.util.Arrays.fill(bytes, (byte) ((1 << 3) | 3)); // start-group of field 1, nested 20000 deep
        assertTrue(refusal(bytes).contains("wire type 3"));
    }

    @Test
    void aFieldWithTheWrongWireTypeIsRefused() {
        assertTrue(refusal(new Proto().varint(7, 5).toBytes()).contains("field graph has wire type 0"));
    }

    @Test
    void unknownDataTypesAreRefused() {
        assertTrue(tensorRefusal(new Proto().varint(2, 99)).contains("unknown ONNX tensor data type code 99"));
    }

    @Test
    void stringTensorsAreRefused() {
        assertTrue(tensorRefusal(new Proto().varint(1, 1).varint(2, 8).string(6, "x")).contains("string tensors"));
    }

    @Test
    void sparseInitializersAreRefused() {
        assertTrue(refusal(new Proto().message(7, new Proto().message(15, new Proto())).toBytes())
                .contains("sparse initializers"));
    }

    private static String refusalUnder(OnnxReader.Limits limits, byte[] bytes) {
        return assertThrows(OnnxFormatException.class, () -> new OnnxReader(bytes, "bad.onnx", limits).readModel())
                .getMessage();
    }

    private static byte[] graphOf(int nodes, int initializers) {
        Proto graph = new Proto();
        for (int k = 0; k < nodes; k++) {
            graph.message(1, new Proto().string(1, "x").string(2, "y" + k).string(4, "Relu"));
        }
        for (int k = 0; k < initializers; k++) {
            graph.message(5, new Proto().varint(1, 0).varint(2, 1).string(8, "w" + k)); // an empty tensor
        }
        return new Proto().message(7, graph).toBytes();
    }

    @Test
    void theDefaultLimitsReadTheSampleModel() {
        assertEquals(sampleModel(), new OnnxReader(OnnxCodec.write(sampleModel()), "sample",
                OnnxReader.Limits.DEFAULT).readModel());
    }

    @Test
    void moreNodesThanTheLimitAreRefused() {
        var limits = new OnnxReader.Limits(16, 3, 100, 1000);
        new OnnxReader(graphOf(3, 0), "ok.onnx", limits).readModel();
        assertTrue(refusalUnder(limits, graphOf(4, 0)).contains("more than 3 nodes"));
    }

    @Test
    void moreInitializersThanTheLimitAreRefused() {
        var limits = new OnnxReader.Limits(16, 100, 2, 1000);
        new OnnxReader(graphOf(0, 2), "ok.onnx", limits).readModel();
        assertTrue(refusalUnder(limits, graphOf(0, 3)).contains("more than 2 initializers"));
    }

    @Test
    void moreItemsInAllThanTheLimitAreRefused() {
        // Each node holds an input and an output name: 2 items.
        var limits = new OnnxReader.Limits(16, 100, 100, 10);
        new OnnxReader(graphOf(5, 0), "ok.onnx", limits).readModel();
        assertTrue(refusalUnder(limits, graphOf(6, 0)).contains("more than 10 names"));
    }

    @Test
    void aFileOverTwoGibibytesIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path huge = dir.resolve("huge.onnx");
        try (var file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(OnnxCodec.MAX_FILE_BYTES + 1); // sparse: takes no disk space
        }
        String message = assertThrows(OnnxFormatException.class, () -> OnnxCodec.read(huge)).getMessage();
        assertTrue(message.contains("exceeds the limit of " + OnnxCodec.MAX_FILE_BYTES + " bytes"), message);
    }

    @Test
    void aMissingFileIsAFormatErrorNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("none.onnx");
        String message = assertThrows(OnnxFormatException.class, () -> OnnxCodec.read(missing)).getMessage();
        assertEquals("cannot read " + missing + ": no such file", message);
    }

    @Test
    void nodesWithoutAnOpTypeAreRefused() {
        assertTrue(refusal(new Proto().message(7, new Proto().message(1, new Proto().string(3, "n"))).toBytes())
                .contains("node 'n' has no op_type"));
    }
}
