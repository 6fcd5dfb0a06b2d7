package io.jqi.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.nn.GraphModel;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ONNX's own backend node tests (Debian's {@code libonnx-testdata}: {@code model.onnx} with
 * {@code test_data_set_0/input_*.pb} and {@code output_*.pb}) through jqi's importer and executor: every case whose
 * operators are all ones jqi imports runs as a dynamic test, except the reviewed {@link #EXCLUDED} cases, each with
 * its reason (most are refused by the importer by design, which the test checks too).
 *
 * <p>Tolerance: {@code |actual - expected| <= ATOL + RTOL * |expected|} with RTOL 1e-4 and ATOL 1e-6. ONNX's backend
 * runner uses rtol 1e-3 / atol 1e-7; jqi computes in float32 like the reference outputs, but sums in another order
 * (blocked matrix products, fused softmax), so exact equality is not expected and 1e-4 relative is ten times
 * stricter than ONNX asks.
 */
class OnnxNodeConformanceTest {
    static final Path ROOT = Path.of("/usr/share/libonnx-testdata/data/node");
    static final float RTOL = 1e-4f;
    static final float ATOL = 1e-6f;

    /** The operators the importer reads. */
    static final Set<String> SUPPORTED = NodeLowering.operators();

    /**
     * Operator inputs (by position) that jqi needs as constants: the node tests pass them as graph inputs, so they
     * are bound as initializers, as in a real model.
     */
    static final Map<String, Set<Integer>> CONSTANT_INPUTS = Map.ofEntries(
            Map.entry("Conv", Set.of(1, 2)),
            Map.entry("Gemm", Set.of(1, 2)),
            Map.entry("BatchNormalization", Set.of(1, 2, 3, 4)),
            Map.entry("Clip", Set.of(1, 2)),
            Map.entry("Reshape", Set.of(1)),
            Map.entry("Pad", Set.of(1, 2, 3)),
            Map.entry("ReduceMean", Set.of(1)),
            Map.entry("Slice", Set.of(1, 2, 3, 4)),
            Map.entry("Gather", Set.of(1)),
            Map.entry("Unsqueeze", Set.of(1)),
            Map.entry("Squeeze", Set.of(1)),
            Map.entry("Pow", Set.of(1)),
            Map.entry("LayerNormalization", Set.of(1, 2)),
            Map.entry("Dropout", Set.of(1, 2)),
            Map.entry("QuantizeLinear", Set.of(1, 2)),
            Map.entry("DequantizeLinear", Set.of(1, 2)));

    /**
     * Cases that run with the graph completed into one jqi can hold, since jqi's values are float: a QuantizeLinear
     * whose integers are the output gets the DequantizeLinear of the same parameters (the expected integers are
     * dequantized likewise, {@code (q - zp) * scale}); a DequantizeLinear of an integer input takes it as a constant
     * (it folds at import) and is multiplied by a float input of one, which leaves every value's bits as they are.
     */
    static final Map<String, String> ADAPTED = Map.of(
            "test_quantizelinear", "followed by DequantizeLinear",
            "test_quantizelinear_axis", "followed by DequantizeLinear",
            "test_dequantizelinear", "integer input as a constant, times a float input of 1",
            "test_dequantizelinear_axis", "integer input as a constant, times a float input of 1");

    /** Why a case is excluded; {@code refused}: the importer must refuse it with an {@link OnnxImportException}. */
    record Exclusion(String reason, boolean refused) {
    }

    static final Map<String, Exclusion> EXCLUDED = new LinkedHashMap<>();

    static {
        String intTypes = "integer tensors: jqi imports float models";
        for (String name : List.of("test_add_uint8", "test_sub_uint8", "test_mul_uint8", "test_div_uint8",
                "test_clip_default_int8_inbounds", "test_clip_default_int8_max", "test_clip_default_int8_min",
                "test_maxpool_2d_uint8")) {
            EXCLUDED.put(name, new Exclusion(intTypes, true));
        }
        String not2d = "1-D or 3-D pooling: jqi's pooling layers are 2-D";
        for (String name : List.of("test_averagepool_1d_default", "test_averagepool_3d_default",
                "test_maxpool_1d_default", "test_maxpool_3d_default")) {
            EXCLUDED.put(name, new Exclusion(not2d, true));
        }
        EXCLUDED.put("test_slice_neg_steps", new Exclusion("Slice with a negative step on a computed value: jqi's "
                + "Slice layer takes steps of 1", true));
        String powTensor = "Pow by an exponent tensor (one exponent per element): jqi's Pow layer raises to one "
                + "constant exponent";
        for (String name : List.of("test_pow", "test_pow_bcast_array", "test_pow_example", "test_pow_types_float",
                "test_pow_types_float32_int32", "test_pow_types_float32_int64", "test_pow_types_float32_uint32",
                "test_pow_types_float32_uint64", "test_pow_types_int")) {
            EXCLUDED.put(name, new Exclusion(powTensor, true));
        }
        String padMode = "Pad modes edge and reflect: jqi pads with a constant";
        EXCLUDED.put("test_edge_pad", new Exclusion(padMode, true));
        EXCLUDED.put("test_reflect_pad", new Exclusion(padMode, true));
        EXCLUDED.put("test_maxpool_2d_dilations", new Exclusion("pooling dilations: jqi's pooling has none", true));
        String same = "auto_pad SAME with an odd total padding (asymmetric): jqi's layers pad both sides equally";
        for (String name : List.of("test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
                "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper")) {
            EXCLUDED.put(name, new Exclusion(same, true));
        }
        EXCLUDED.put("test_averagepool_2d_pads_count_include_pad", new Exclusion(
                "count_include_pad 1 with padding: jqi's average pooling leaves padded cells out", true));
        EXCLUDED.put("test_averagepool_2d_precomputed_pads_count_include_pad", new Exclusion(
                "count_include_pad 1 with padding: jqi's average pooling leaves padded cells out", true));
        String argmax = "MaxPool's second output (argmax indices) is used: jqi computes only the pooled values";
        EXCLUDED.put("test_maxpool_with_argmax_2d_precomputed_pads", new Exclusion(argmax, true));
        EXCLUDED.put("test_maxpool_with_argmax_2d_precomputed_strides", new Exclusion(argmax, true));
        String mask = "Dropout's mask output is used: jqi computes only the data output";
        EXCLUDED.put("test_dropout_default_mask", new Exclusion(mask, true));
        EXCLUDED.put("test_dropout_default_mask_ratio", new Exclusion(mask, true));
        String training = "Dropout in training mode: random masks, and jqi imports inference graphs";
        for (String name : List.of("test_training_dropout", "test_training_dropout_default",
                "test_training_dropout_default_mask", "test_training_dropout_mask", "test_training_dropout_zero_ratio",
                "test_training_dropout_zero_ratio_mask")) {
            EXCLUDED.put(name, new Exclusion(training, true));
        }
        String bnTraining = "BatchNormalization training_mode 1: batch statistics and extra outputs";
        EXCLUDED.put("test_batchnorm_epsilon_training_mode", new Exclusion(bnTraining, true));
        EXCLUDED.put("test_batchnorm_example_training_mode", new Exclusion(bnTraining, true));
        String notTensor = "optional or sequence values: jqi graphs carry tensors only";
        EXCLUDED.put("test_identity_opt", new Exclusion(notTensor, false));
        EXCLUDED.put("test_identity_sequence", new Exclusion(notTensor, false));
        EXCLUDED.put("test_constant", new Exclusion("the graph has no input and outputs a constant: a jqi graph "
                + "computes from at least one input", true));
    }

    private static final AtomicInteger RUN = new AtomicInteger();
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger EXCLUDED_COUNT = new AtomicInteger();
    private static final AtomicInteger OTHER_OPS = new AtomicInteger();
    private static final Set<String> RAN = new TreeSet<>();

    @TestFactory
    Stream<DynamicTest> nodeTests() throws IOException {
        assumeTrue(Files.isDirectory(ROOT), "ONNX's node tests are not installed (" + ROOT + "; Debian package "
                + "libonnx-testdata, which .ci/run installs)");
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> seenExclusions = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                Path modelFile = dir.resolve("model.onnx");
                if (!Files.isRegularFile(modelFile)) {
                    continue;
                }
                OnnxModel model = OnnxCodec.read(modelFile);
                boolean supported = model.graph().nodes().stream()
                        .allMatch(n -> SUPPORTED.contains(n.opType()) && n.domain().isEmpty());
                if (!supported) {
                    OTHER_OPS.incrementAndGet();
                    continue;
                }
                String adaptation = ADAPTED.get(name);
                if (adaptation != null) {
                    tests.add(DynamicTest.dynamicTest(name + " (" + adaptation + ")", () -> {
                        RUN.incrementAndGet();
                        RAN.add(name);
                        runAdapted(dir, model);
                        PASSED.incrementAndGet();
                    }));
                    continue;
                }
                Exclusion exclusion = EXCLUDED.get(name);
                if (exclusion != null) {
                    seenExclusions.add(name);
                }
                if (exclusion == null) {
                    exclusion = byRule(model);
                }
                if (exclusion == STATISTICS_OUTPUT) {
                    OnnxModel firstOutputs = firstOutputsOnly(model);
                    tests.add(DynamicTest.dynamicTest(name + " (first output only)", () -> {
                        RUN.incrementAndGet();
                        RAN.add(name);
                        runCase(dir, firstOutputs);
                        PASSED.incrementAndGet();
                    }));
                    continue;
                }
                if (exclusion != null) {
                    EXCLUDED_COUNT.incrementAndGet();
                    if (exclusion.refused()) {
                        tests.add(DynamicTest.dynamicTest(name + " is refused: " + exclusion.reason(),
                                () -> assertRefused(dir, model)));
                    }
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    RUN.incrementAndGet();
                    RAN.add(name);
                    runCase(dir, model);
                    PASSED.incrementAndGet();
                }));
            }
        }
        Set<String> stale = new TreeSet<>(EXCLUDED.keySet());
        stale.removeAll(seenExclusions);
        tests.add(DynamicTest.dynamicTest("every exclusion names a case of a supported operator",
                () -> assertEquals(Set.of(), stale)));
        return tests.stream();
    }

    @AfterAll
    static void report() {
        if (RUN.get() + EXCLUDED_COUNT.get() == 0) {
            return;
        }
        System.out.println("ONNX node tests of supported operators: run " + RUN.get() + ", passed " + PASSED.get()
                + ", excluded " + EXCLUDED_COUNT.get() + " (cases of other operators: " + OTHER_OPS.get() + ")");
        System.out.println("Run: " + String.join(" ", RAN));
        EXCLUDED.forEach((name, e) -> System.out.println("Excluded " + name + ": " + e.reason()));
    }

    /** Shape arithmetic that the importer computes on constants and static shapes only. */
    static final Set<String> SHAPE_ARITHMETIC = Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Cast");
    static final Exclusion NON_FLOAT_INPUT = new Exclusion("a graph input that is not float32 (integers, "
            + "float16, double, strings): jqi imports float models", true);
    static final Exclusion SHAPE_ON_RUN_TIME_VALUE = new Exclusion("Shape, Gather, Unsqueeze, Squeeze or Cast of a "
            + "graph input: jqi computes shape arithmetic at import, on constants and static shapes", true);

    /** Not excluded but adapted: such cases run with their first outputs only ({@link #firstOutputsOnly}). */
    static final Exclusion STATISTICS_OUTPUT = new Exclusion("a second output (LayerNormalization's mean and "
            + "inverse standard deviation) is a graph output: jqi computes each node's first output", true);

    /**
     * Whole kinds of cases excluded by what they are rather than by name (there are dozens, one per data type): each
     * is refused by the importer by design, which the test checks.
     */
    static Exclusion byRule(OnnxModel model) {
        Set<String> bound = constantInputs(model);
        Set<String> runTime = new TreeSet<>();
        for (OnnxValueInfo in : model.graph().inputs()) {
            if (bound.contains(in.name())) {
                continue;
            }
            if (in.elemType() != DataType.FLOAT && in.elemType() != DataType.UNDEFINED) {
                return NON_FLOAT_INPUT;
            }
            runTime.add(in.name());
        }
        Set<String> graphOutputs = new TreeSet<>();
        model.graph().outputs().forEach(v -> graphOutputs.add(v.name()));
        for (OnnxNode node : model.graph().nodes()) {
            if (SHAPE_ARITHMETIC.contains(node.opType()) && runTime.contains(node.inputs().get(0))) {
                return SHAPE_ON_RUN_TIME_VALUE;
            }
            if (node.outputs().stream().skip(1).anyMatch(graphOutputs::contains)) {
                return STATISTICS_OUTPUT;
            }
        }
        return null;
    }

    /**
     * {@code model} without the graph outputs that are a node's second or later output (statistics jqi does not
     * compute); the first outputs keep their positions, so output_k.pb still matches output k.
     */
    static OnnxModel firstOutputsOnly(OnnxModel model) {
        Set<String> later = new TreeSet<>();
        for (OnnxNode node : model.graph().nodes()) {
            node.outputs().stream().skip(1).forEach(later::add);
        }
        OnnxGraph g = model.graph();
        OnnxGraph kept = new OnnxGraph(g.name(), g.nodes(), g.initializers(), g.inputs(),
                g.outputs().stream().filter(v -> !later.contains(v.name())).toList(), g.valueInfo());
        return new OnnxModel(model.irVersion(), model.opsets(), model.producerName(), model.producerVersion(),
                model.domain(), model.modelVersion(), model.docString(), kept, model.metadata());
    }

    /** The graph inputs that feed an operator input jqi needs as a constant. */
    static Set<String> constantInputs(OnnxModel model) {
        Set<String> names = new TreeSet<>();
        for (OnnxNode node : model.graph().nodes()) {
            Set<Integer> positions = CONSTANT_INPUTS.getOrDefault(node.opType(), Set.of());
            for (int p : positions) {
                if (p < node.inputs().size() && !node.inputs().get(p).isEmpty()) {
                    names.add(node.inputs().get(p));
                }
            }
        }
        return names;
    }

    private static void runCase(Path dir, OnnxModel model) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        List<OnnxValueInfo> inputs = model.graph().inputs();
        Set<String> bind = constantInputs(model);
        Map<String, OnnxTensor> constants = new LinkedHashMap<>();
        List<Tensor> args = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            OnnxTensor value = OnnxCodec.readTensor(data.resolve("input_" + i + ".pb"));
            if (bind.contains(inputs.get(i).name())) {
                constants.put(inputs.get(i).name(), value);
            } else {
                args.add(toTensor(value));
            }
        }
        GraphModel graph = OnnxImporter.importModel(model, constants);
        Map<String, Tensor> outputs = graph.forwardAll(args.toArray(Tensor[]::new));
        List<Tensor> actual = new ArrayList<>(outputs.values());
        assertEquals(model.graph().outputs().size(), actual.size(), "output count");
        for (int k = 0; k < actual.size(); k++) {
            OnnxTensor expected = OnnxCodec.readTensor(data.resolve("output_" + k + ".pb"));
            Tensor got = actual.get(k);
            assertArrayEquals(toInts(expected.dims()), got.shape().toArray(), "shape of output " + k);
            float[] want = expected.toFloats();
            float[] have = got.toFloatArray();
            for (int j = 0; j < want.length; j++) {
                boolean close = Float.isNaN(want[j]) ? Float.isNaN(have[j])
                        : want[j] == have[j] || Math.abs(have[j] - want[j]) <= ATOL + RTOL * Math.abs(want[j]);
                if (!close) {
                    fail("output " + k + " element " + j + ": expected " + want[j] + ", got " + have[j]);
                }
            }
        }
    }

    /** A single QuantizeLinear or DequantizeLinear case, completed as {@link #ADAPTED} describes. */
    private static void runAdapted(Path dir, OnnxModel model) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        OnnxNode node = model.graph().nodes().get(0);
        assertEquals(1, model.graph().nodes().size(), "a single-node case");
        OnnxTensor x = OnnxCodec.readTensor(data.resolve("input_0.pb"));
        OnnxTensor scale = OnnxCodec.readTensor(data.resolve("input_1.pb"));
        OnnxTensor zeroPoint = OnnxCodec.readTensor(data.resolve("input_2.pb"));
        OnnxTensor output = OnnxCodec.readTensor(data.resolve("output_0.pb"));
        Map<String, OnnxTensor> constants = new LinkedHashMap<>();
        constants.put(node.inputs().get(1), scale);
        constants.put(node.inputs().get(2), zeroPoint);
        List<OnnxNode> nodes = new ArrayList<>(List.of(node));
        List<OnnxValueInfo> inputs = new ArrayList<>();
        Tensor argument;
        float[] expected;
        if (node.opType().equals("QuantizeLinear")) {
            nodes.add(new OnnxNode("dequantize", "DequantizeLinear", "", List.of(node.outputs().get(0),
                    node.inputs().get(1), node.inputs().get(2)), List.of("result"), node.attributes()));
            inputs.addAll(model.graph().inputs());
            argument = toTensor(x);
            expected = dequantized(output, scale, zeroPoint, node);
        } else {
            constants.put(node.inputs().get(0), x);
            nodes.add(new OnnxNode("times_one", "Mul", "", List.of(node.outputs().get(0), "one"), List.of("result"),
                    List.of()));
            inputs.addAll(model.graph().inputs());
            inputs.add(OnnxValueInfo.ofFloat("one", 1));
            argument = Tensor.ones(1);
            expected = output.toFloats();
        }
        OnnxGraph graph = new OnnxGraph(model.graph().name(), nodes, List.of(), inputs,
                List.of(OnnxValueInfo.ofFloat("result", output.dims())), List.of());
        OnnxModel adapted = new OnnxModel(model.irVersion(), model.opsets(), model.producerName(),
                model.producerVersion(), model.domain(), model.modelVersion(), model.docString(), graph,
                model.metadata());
        float[] actual = OnnxImporter.importModel(adapted, constants).forward(argument).toFloatArray();
        assertEquals(expected.length, actual.length, "element count");
        for (int j = 0; j < expected.length; j++) {
            assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(actual[j]),
                    "element " + j + ": expected " + expected[j] + ", got " + actual[j]);
        }
    }

    /** The reference integers {@code q} as floats, {@code (q - zp) * scale}, per tensor or along the node's axis. */
    private static float[] dequantized(OnnxTensor q, OnnxTensor scale, OnnxTensor zeroPoint, OnnxNode node) {
        long[] ints = q.toLongs();
        float[] scales = scale.toFloats();
        long[] zps = zeroPoint.toLongs();
        long[] dims = q.dims();
        int written = (int) node.attribute("axis").map(a -> a.i()).orElse(1L).longValue();
        int axis = scales.length == 1 ? -1 : written < 0 ? written + dims.length : written;
        long inner = 1;
        if (axis >= 0) {
            for (int i = axis + 1; i < dims.length; i++) {
                inner *= dims[i];
            }
        }
        float[] out = new float[ints.length];
        for (int i = 0; i < ints.length; i++) {
            int c = axis < 0 ? 0 : (int) ((i / inner) % dims[axis]);
            out[i] = (float) (ints[i] - zps[c]) * scales[c];
        }
        return out;
    }

    private static void assertRefused(Path dir, OnnxModel model) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        Set<String> bind = constantInputs(model);
        Map<String, OnnxTensor> constants = new LinkedHashMap<>();
        List<OnnxValueInfo> inputs = model.graph().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            if (bind.contains(inputs.get(i).name())) {
                constants.put(inputs.get(i).name(), OnnxCodec.readTensor(data.resolve("input_" + i + ".pb")));
            }
        }
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxImporter.importModel(model, constants));
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    static Tensor toTensor(OnnxTensor t) {
        return Tensor.of(t.toFloats(), toInts(t.dims()));
    }

    static int[] toInts(long[] dims) {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Math.toIntExact(dims[i]);
        }
        return out;
    }
}
