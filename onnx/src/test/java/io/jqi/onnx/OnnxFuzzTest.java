package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.model;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxFormatException;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the reader and the importer: mutated and truncated encodings of valid models, and valid
 * encodings of broken graphs. Every case must end in a model (read and imported) or in an
 * {@link OnnxFormatException} or {@link OnnxImportException}, never in another exception, and within a bounded time.
 */
class OnnxFuzzTest {
    private static final int BYTE_CASES_PER_SEED = 2500;
    private static final Duration BUDGET = Duration.ofSeconds(120);
    private static final long SLOWEST_CASE_MILLIS = 2000;

    /** The outcome counts of one fuzz run. */
    private static final class Tally {
        int cases;
        int loaded;
        int formatErrors;
        int importErrors;
        long slowestMillis;

        void run(String label, byte[] bytes) {
            cases++;
            long start = System.nanoTime();
            try {
                OnnxModel m = OnnxCodec.read(bytes, label);
                OnnxImporter.importModel(m);
                loaded++;
            } catch (OnnxFormatException e) {
                formatErrors++;
                assertTrue(e.getMessage().startsWith(label), e.getMessage());
            } catch (OnnxImportException e) {
                importErrors++;
            } catch (RuntimeException | StackOverflowError e) {
                fail(label + ": " + e.getClass().getName() + " instead of a format or import error", e);
            }
            slowestMillis = Math.max(slowestMillis, (System.nanoTime() - start) / 1_000_000);
        }

        @Override
        public String toString() {
            return cases + " cases: " + loaded + " loaded, " + formatErrors + " format errors, " + importErrors
                    + " import errors, slowest " + slowestMillis + " ms";
        }
    }

    static List<OnnxModel> seeds() {
        List<OnnxModel> seeds = new ArrayList<>();
        seeds.add(OnnxModels.smallCnn(11));
        Random random = new Random(12);
        // A residual block with a Concat, a Reshape of a Constant shape and a MatMul with a constant matrix.
        OnnxNode shape = node("shape", "Constant", List.of(), List.of("s"),
                OnnxAttribute.ofTensor("value", OnnxTensor.ofInt64("", new long[] {2}, new long[] {0, -1})));
        List<OnnxNode> nodes = List.of(
                node("mm", "MatMul", List.of("x", "w"), List.of("h")),
                node("act", "LeakyRelu", List.of("h"), List.of("a"), OnnxAttribute.ofFloat("alpha", 0.1f)),
                node("res", "Add", List.of("a", "x"), List.of("r")),
                node("cat", "Concat", List.of("r", "x"), List.of("c"), OnnxAttribute.ofInt("axis", -1)),
                shape,
                node("flat", "Reshape", List.of("c", "s"), List.of("f")),
                node("scale", "Mul", List.of("f", "k"), List.of("y")));
        seeds.add(model(14, nodes, List.of(OnnxModels.randomFloats(random, "w", 4, 4),
                        OnnxModels.randomFloats(random, "k", 8)),
                List.of(floatValue("x", 2, 4)), List.of(floatValue("y", 2, 8))));
        seeds.add(qdq());
        return seeds;
    }

    /**
     * A QDQ model as jqi's exporter writes one (opset 21): an int4 weight dequantized per axis into a MatMul, an int8
     * activation QuantizeLinear, Clip on the integers and DequantizeLinear, and a uint8 one without a Clip.
     */
    static OnnxModel qdq() {
        byte[] codes = new byte[16];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (i % 16 - 8);
        }
        List<OnnxTensor> inits = List.of(
                OnnxTensor.ofInt4("w_q", new long[] {4, 4}, codes),
                OnnxTensor.ofFloats("w_s", new long[] {4}, new float[] {0.5f, 0.25f, 0.125f, 1f}),
                OnnxTensor.ofInt4("w_z", new long[] {4}, new byte[4]),
                OnnxTensor.ofFloats("a_s", new long[0], new float[] {0.1f}),
                OnnxTensor.ofInt8("a_z", new long[0], new byte[] {0}),
                OnnxTensor.ofInt8("a_lo", new long[0], new byte[] {-8}),
                OnnxTensor.ofInt8("a_hi", new long[0], new byte[] {7}),
                OnnxTensor.ofFloats("o_s", new long[0], new float[] {0.05f}),
                OnnxTensor.ofUint8("o_z", new long[0], new byte[] {(byte) 128}));
        List<OnnxNode> nodes = List.of(
                node("w", "DequantizeLinear", List.of("w_q", "w_s", "w_z"), List.of("w_f"),
                        OnnxAttribute.ofInt("axis", 1)),
                node("in_q", "QuantizeLinear", List.of("x", "a_s", "a_z"), List.of("x_q")),
                node("in_clip", "Clip", List.of("x_q", "a_lo", "a_hi"), List.of("x_c")),
                node("in", "DequantizeLinear", List.of("x_c", "a_s", "a_z"), List.of("x_f")),
                node("mm", "MatMul", List.of("x_f", "w_f"), List.of("h")),
                node("out_q", "QuantizeLinear", List.of("h", "o_s", "o_z"), List.of("h_q")),
                node("out", "DequantizeLinear", List.of("h_q", "o_s", "o_z"), List.of("y")));
        return model(21, nodes, inits, List.of(floatValue("x", 2, 4)), List.of(floatValue("y", 2, 4)));
    }

    @Test
    void mutatedAndTruncatedEncodingsLoadOrFailClearly() {
        Tally tally = new Tally();
        assertTimeoutPreemptively(BUDGET, () -> {
            List<OnnxModel> seeds = seeds();
            for (int s = 0; s < seeds.size(); s++) {
                byte[] valid = OnnxCodec.write(seeds.get(s));
                Random random = new Random(1000 + s);
                for (int i = 0; i < BYTE_CASES_PER_SEED; i++) {
                    byte[] mutated = mutate(valid, random);
                    tally.run("seed " + s + " case " + i, mutated);
                }
            }
        });
        System.out.println("ONNX byte fuzzing: " + tally);
        assertEquals(seeds().size() * BYTE_CASES_PER_SEED, tally.cases);
        assertTrue(tally.loaded > 0 && tally.formatErrors > 0, "the mutations exercise both outcomes: " + tally);
        assertTrue(tally.slowestMillis < SLOWEST_CASE_MILLIS, tally.toString());
    }

    /** One of several corruptions, chosen and placed by {@code random}. */
    static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        int pos = random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> { // bit flips
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int p = random.nextInt(b.length);
                    b[p] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case 1 -> { // truncation
                return Arrays.copyOf(b, pos);
            }
            case 2 -> { // a varint run that never ends or overflows
                byte[] run = new byte[1 + random.nextInt(12)];
                Arrays.fill(run, (byte) 0xFF);
                return splice(b, pos, run, random.nextBoolean() ? run.length : 0);
            }
            case 3 -> { // a length-delimited field that declares a huge size
                int field = 1 + random.nextInt(16);
                byte[] huge = {(byte) ((field << 3) | 2), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
                return splice(b, pos, huge, 0);
            }
            case 4 -> { // a random byte overwritten
                b[pos] = (byte) random.nextInt(256);
                return b;
            }
            case 5 -> { // a chunk duplicated (repeated fields, nested messages)
                int len = Math.min(b.length - pos, 1 + random.nextInt(64));
                return splice(b, pos, Arrays.copyOfRange(b, pos, pos + len), 0);
            }
            default -> { // a chunk deleted
                int len = Math.min(b.length - pos, 1 + random.nextInt(16));
                return splice(b, pos, new byte[0], len);
            }
        }
    }

    private static byte[] splice(byte[] b, int pos, byte[] insert, int remove) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, pos);
        out.write(insert, 0, insert.length);
        int rest = Math.min(b.length, pos + remove);
        out.write(b, rest, b.length - rest);
        return out.toByteArray();
    }

    @Test
    void everySeedImports() {
        for (OnnxModel seed : seeds()) {
            OnnxImporter.importModel(OnnxCodec.read(OnnxCodec.write(seed), "seed"));
        }
    }

    @Test
    void brokenGraphsInValidEncodingsFailAsImportErrors() {
        Tally tally = new Tally();
        assertTimeoutPreemptively(BUDGET, () -> {
            Random random = new Random(2000);
            for (OnnxModel seed : seeds()) {
                for (int i = 0; i < 250; i++) {
                    tally.run("graph case " + tally.cases, OnnxCodec.write(rewire(seed, random)));
                }
            }
        });
        System.out.println("ONNX graph fuzzing: " + tally);
        assertEquals(seeds().size() * 250, tally.cases);
        assertTrue(tally.importErrors > 0, tally.toString());
        assertTrue(tally.slowestMillis < SLOWEST_CASE_MILLIS, tally.toString());
    }

    /**
     * A structural corruption: a node reading its own output or a later node's (cycles), duplicate output, input or
     * initializer names, dangling references, swapped inputs, or a node's op type replaced.
     */
    static OnnxModel rewire(OnnxModel m, Random random) {
        OnnxGraph g = m.graph();
        List<OnnxNode> nodes = new ArrayList<>(g.nodes());
        List<OnnxTensor> inits = new ArrayList<>(g.initializers());
        List<String> values = new ArrayList<>();
        g.inputs().forEach(v -> values.add(v.name()));
        inits.forEach(t -> values.add(t.name()));
        nodes.forEach(n -> values.addAll(n.outputs()));
        int k = random.nextInt(nodes.size());
        OnnxNode n = nodes.get(k);
        List<String> inputs = new ArrayList<>(n.inputs());
        List<String> outputs = new ArrayList<>(n.outputs());
        String op = n.opType();
        switch (random.nextInt(6)) {
            case 0 -> { // the node consumes its own output or any value (possibly a later one: a cycle)
                if (inputs.isEmpty()) {
                    inputs.add(outputs.get(0));
                } else {
                    inputs.set(random.nextInt(inputs.size()), random.nextBoolean() ? outputs.get(0)
                            : values.get(random.nextInt(values.size())));
                }
            }
            case 1 -> outputs.set(0, values.get(random.nextInt(values.size()))); // a value defined twice
            case 2 -> { // a duplicate initializer
                if (!inits.isEmpty()) {
                    inits.add(inits.get(random.nextInt(inits.size())));
                }
            }
            case 3 -> { // a dangling reference
                if (!inputs.isEmpty()) {
                    inputs.set(random.nextInt(inputs.size()), "missing_" + random.nextInt(10));
                }
            }
            case 4 -> java.util.Collections.shuffle(inputs, random);
            default -> op = List.of("Relu", "Conv", "Gemm", "Concat", "Reshape", "Softmax", "BatchNormalization",
                    "Transpose", "MaxPool", "Loop").get(random.nextInt(10));
        }
        nodes.set(k, new OnnxNode(n.name(), op, n.domain(), inputs, outputs, n.attributes()));
        return new OnnxModel(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(), m.domain(),
                m.modelVersion(), m.docString(), new OnnxGraph(g.name(), nodes, inits, g.inputs(), g.outputs(),
                g.valueInfo()), m.metadata());
    }
}
