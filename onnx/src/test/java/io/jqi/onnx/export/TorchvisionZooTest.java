package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtSession;
import io.jqi.nn.GraphModel;
import io.jqi.nn.optim.Adam;
import io.jqi.onnx.OnnxImporter;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The models users bring: torchvision 0.14's image-classification families, exported by PyTorch 1.13's own
 * {@code torch.onnx.export} (random weights, eval mode; src/test/python/torchvision_zoo.py, run here with Debian's
 * python3-torch), through jqi:
 * <ol>
 * <li>the import predicts PyTorch's logits within {@link #RELATIVE} of their largest magnitude;</li>
 * <li>PTQ quantizes it (w8a8 per channel), and its logits stay finite;</li>
 * <li>QAT initializes and takes a training step: the loss is finite and the weights move;</li>
 * <li>the finalized model exports in QDQ form, and ONNX Runtime predicts the class jqi predicts for every input,
 * except where jqi's two best logits are within one step of its output quantizer (then either is right).</li>
 * </ol>
 *
 * <p>By default (CI): one export configuration (opset 13, constant folding, a dynamic batch axis, as users export),
 * the import of every family except AlexNet, VGG and Wide ResNet (whose 60 to 130 million classifier weights cost
 * memory and minutes while their operators are ResNet's and DenseNet's), and the whole pipeline for four light
 * families; and, exported with batch norms kept, the import of two families and the pipeline of one.
 * {@code -Djqi.zoo=full} imports every family at opsets 11, 13 and 17, folded and kept, and at opsets 9 and 10
 * folded (where a refusal is reported, not failed: jqi reads older opsets only where they mean the same), runs the whole
 * pipeline for every family in the usual configuration (VGG's and Wide ResNet's training steps need a heap of more than
 * 6 GB: add {@code -DargLine=-Xmx16g}), and writes target/torchvision-zoo/report.md
 * (docs/bring-your-own-model.md quotes it). Without python3-torch,
 * python3-torchvision and python3-onnx the test is skipped with that reason (.ci/run installs them).
 */
class TorchvisionZooTest {
    static final float RELATIVE = 1e-4f;
    static final boolean FULL = "full".equals(System.getProperty("jqi.zoo"));
    static final Path ROOT = Path.of("target", "torchvision-zoo");
    static final Path SCRIPT = Path.of("src", "test", "python", "torchvision_zoo.py");
    static final String PYTHON = findPython();

    static final List<String> FAMILIES = List.of("alexnet", "convnext_tiny", "densenet121", "efficientnet_b0",
            "efficientnet_v2_s", "googlenet", "inception_v3", "mnasnet0_5", "mobilenet_v2", "mobilenet_v3_small",
            "regnet_x_400mf", "regnet_y_400mf", "resnet18", "resnext50_32x4d", "shufflenet_v2_x0_5", "squeezenet1_1",
            "vgg11_bn", "wide_resnet50_2");
    static final List<String> HEAVY = List.of("alexnet", "vgg11_bn", "wide_resnet50_2");
    static final List<String> QUICK_PIPELINE = List.of("mobilenet_v3_small", "mnasnet0_5", "shufflenet_v2_x0_5",
            "squeezenet1_1");
    /** In CI, the families exported with their batch norms kept: imported, and the first also through the pipeline. */
    static final List<String> QUICK_KEPT = List.of("mobilenet_v3_small", "resnet18");

    /**
     * One way of exporting. {@code fold}: PyTorch's default ({@code TrainingMode.EVAL} with constant folding), which
     * folds every batch norm into its convolution; otherwise {@code TrainingMode.PRESERVE} without folding, which
     * keeps them as BatchNormalization nodes.
     */
    record Config(int opset, boolean fold, boolean dynamicBatch) {
        Path dir() {
            return ROOT.resolve("opset" + opset + (fold ? "-folded" : "-bn-kept") + (dynamicBatch ? "-dynamic" : ""));
        }

        @Override
        public String toString() {
            return "opset " + opset + (fold ? ", folded" : ", batch norms kept") + (dynamicBatch ? ", dynamic batch" : "");
        }
    }

    /** What one family gave in one configuration, for the report. */
    record Row(Config config, String family, String imports, String error, String ptq, String qat, String ort) {
    }

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static List<Config> configs() {
        Config usual = new Config(13, true, true);
        if (!FULL) {
            return List.of(usual, new Config(13, false, true));
        }
        List<Config> out = new ArrayList<>(List.of(usual, new Config(13, false, true)));
        for (int opset : new int[] {11, 17}) {
            for (boolean fold : new boolean[] {true, false}) {
                out.add(new Config(opset, fold, true));
            }
        }
        // Older opsets, as many published models are: read where the definitions mean what opset 11's do.
        out.add(new Config(10, true, true));
        out.add(new Config(9, true, true));
        return out;
    }

    static List<String> imported(Config config) {
        if (FULL) {
            return FAMILIES;
        }
        return config.fold() ? FAMILIES.stream().filter(f -> !HEAVY.contains(f)).toList() : QUICK_KEPT;
    }

    /**
     * The families whose whole pipeline runs: all in the first configuration when full, else the quick four (and the
     * first kept-batch-norm family).
     */
    static List<String> pipelined(Config config) {
        if (FULL) {
            return config.equals(configs().get(0)) ? FAMILIES : List.of();
        }
        return config.fold() ? QUICK_PIPELINE : QUICK_KEPT.subList(0, 1);
    }

    @TestFactory
    Stream<DynamicNode> torchvisionFamiliesThroughJqi() throws Exception {
        if (PYTHON == null) {
            return Stream.of(DynamicTest.dynamicTest("needs PyTorch", () -> assumeTrue(false, "no python3 with torch, "
                    + "torchvision and onnx (Debian packages python3-torch python3-torchvision python3-onnx, which "
                    + ".ci/run installs)")));
        }
        List<DynamicNode> nodes = new ArrayList<>();
        for (Config config : configs()) {
            Map<String, String[]> manifest = exported(config);
            List<DynamicNode> families = new ArrayList<>();
            for (String family : imported(config)) {
                families.add(DynamicContainer.dynamicContainer(family, checks(config, family, manifest.get(family))));
            }
            nodes.add(DynamicContainer.dynamicContainer(config.toString(), families));
        }
        return nodes.stream();
    }

    private static Stream<DynamicTest> checks(Config config, String family, String[] line) {
        Path dir = config.dir();
        Holder holder = new Holder();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("imports and predicts PyTorch's logits", () -> {
            if (line == null || !line[1].equals("ok")) {
                String why = line == null ? "no manifest line" : line[2];
                // PyTorch 1.13 cannot export ShuffleNet below opset 11 (prim::ConstantChunk): not jqi's to fix.
                assumeTrue(config.opset() >= 11, "PyTorch's export failed: " + why);
                fail("the export failed: " + why);
            }
            try {
                holder.model = OnnxImporter.importFile(dir.resolve(family + ".onnx"));
            } catch (RuntimeException e) {
                record(config, family, "refused", e.getMessage(), "", "", "");
                // Below opset 11 jqi reads only what means the same as at 11; a refusal there is reported, not a bug.
                assumeTrue(config.opset() >= 11, family + " at opset " + config.opset() + ": "
                        + e.getMessage());
                throw e;
            }
            int[] shape = Arrays.stream(line[2].split(",")).mapToInt(Integer::parseInt).toArray();
            holder.input = Tensor.of(floats(dir.resolve(family + ".input.bin")), shape);
            float[] expected = floats(dir.resolve(family + ".output.bin"));
            float[] actual;
            try (var ignored = Tensor.noGrad()) {
                actual = holder.model.forward(holder.input).toFloatArray();
            }
            double error = relativeError(expected, actual);
            record(config, family, String.format("yes, %.1e", error), "", "", "", "");
            if (!pipelined(config).contains(family)) {
                holder.release();
            }
            assertTrue(error <= RELATIVE, family + ": largest difference " + error + " of the largest logit");
        }));
        if (pipelined(config).contains(family)) {
            tests.add(DynamicTest.dynamicTest("quantizes, trains a step and runs in ONNX Runtime as in jqi",
                    () -> pipeline(config, family, holder)));
        }
        return tests.stream();
    }

    /** The imported model and its input, shared by a family's checks. */
    /**
     * The imported model between a family's tests. JUnit keeps every test until the run ends, and the full run's 144
     * models (VGG's alone 0.5 GB) would not fit in the heap, so the last test of a family releases it.
     */
    private static final class Holder {
        GraphModel model;
        Tensor input;

        void release() {
            model = null;
            input = null;
        }
    }

    private static void pipeline(Config config, String family, Holder holder) throws Exception {
        try {
            quantizeTrainAndRun(config, family, holder);
        } finally {
            holder.release();
        }
    }

    private static void quantizeTrainAndRun(Config config, String family, Holder holder) throws Exception {
        assumeTrue(holder.model != null, "the import failed");
        Row row = ROWS.get(key(config, family));
        int side = holder.input.shape().dim(2);
        Random random = new Random(7);
        List<Tensor> calibration = List.of(Tensor.randn(random, 2, 3, side, side),
                Tensor.randn(random, 2, 3, side, side));
        QatConfig w8a8 = QatConfig.builder()
                .weights(w -> w.symmetric(8).perChannel())
                .activations(a -> a.powerOfTwo(8))
                .build();

        GraphModel ptq = Ptq.quantize(holder.model, calibration, TargetPlatform.defaultPlatform(),
                PtqConfig.defaults());
        float[] ptqLogits;
        try (var ignored = Tensor.noGrad()) {
            ptqLogits = ptq.eval().forward(holder.input).toFloatArray();
        }
        assertTrue(allFinite(ptqLogits), family + ": PTQ logits are not all finite");
        ROWS.put(key(config, family), new Row(config, family, row.imports(), "", "yes", "", ""));

        GraphModel qat = Qat.init(holder.model, calibration, w8a8, TargetPlatform.defaultPlatform());
        qat.train();
        Adam optimizer = new Adam(qat.parameters(), 1e-4);
        List<float[]> before = qat.parameters().stream().map(Tensor::toFloatArray).toList();
        Tensor loss = Losses.crossEntropy(qat.forward(calibration.get(0)), new int[] {1, 2});
        loss.backward();
        optimizer.step();
        assertTrue(Float.isFinite(loss.item()), family + ": QAT loss " + loss.item());
        List<Tensor> after = qat.parameters();
        long moved = java.util.stream.IntStream.range(0, after.size())
                .filter(i -> !Arrays.equals(before.get(i), after.get(i).toFloatArray())).count();
        assertTrue(moved > 0, family + ": no parameter moved in the training step");
        ROWS.put(key(config, family), new Row(config, family, row.imports(), "", "yes",
                String.format("yes, loss %.2f", loss.item()), ""));

        GraphModel finalized = Qat.finalize(qat);
        finalized.eval();
        Tensor batch = Tensor.concat(0, holder.input, Tensor.randn(random, 3, 3, side, side));
        OnnxModel onnx = OnnxExporter.export(finalized, Shape.of(3, side, side), ExportFormat.QDQ);
        float[] jqi;
        try (var ignored = Tensor.noGrad()) {
            jqi = finalized.forward(batch).toFloatArray();
        }
        float[] ort = runInOrt(onnx, batch);
        int classes = jqi.length / batch.shape().dim(0);
        float step = Predictions.outputStep(finalized);
        int agree = 0;
        for (int n = 0; n < batch.shape().dim(0); n++) {
            int a = Predictions.argmax(jqi, n, classes);
            int b = Predictions.argmax(ort, n, classes);
            if (a == b || jqi[n * classes + a] - jqi[n * classes + b] <= step) {
                agree++;
            }
        }
        int samples = batch.shape().dim(0);
        ROWS.put(key(config, family), new Row(config, family, row.imports(), "", "yes",
                String.format("yes, loss %.2f", loss.item()), agree + "/" + samples));
        assertEquals(samples, agree, family + ": ONNX Runtime predicts another class");
    }

    /**
     * ONNX Runtime with its default optimizations, or its basic ones where the extended ones refuse a valid model:
     * ONNX Runtime 1.29's transpose optimizer breaks QDQ graphs that mix int8 and uint8 around a Transpose (fixed
     * upstream in microsoft/onnxruntime#29192), which ConvNeXt's channels-last blocks produce.
     */
    private static float[] runInOrt(OnnxModel onnx, Tensor batch) throws Exception {
        try (OrtRunner ort = new OrtRunner(onnx)) {
            return ort.run(batch).toFloatArray();
        } catch (ai.onnxruntime.OrtException e) {
            if (!String.valueOf(e.getMessage()).contains("does not match y_zero_point type")) {
                throw e;
            }
            try (OrtRunner ort = new OrtRunner(onnx, OrtSession.SessionOptions.OptLevel.BASIC_OPT)) {
                return ort.run(batch).toFloatArray();
            }
        }
    }

    private static boolean allFinite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    private static double relativeError(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "output size");
        double largest = 0;
        double difference = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
        }
        return difference / Math.max(largest, Float.MIN_NORMAL);
    }

    private static String key(Config config, String family) {
        return config + "|" + family;
    }

    private static void record(Config config, String family, String imports, String error, String ptq, String qat,
            String ort) {
        ROWS.put(key(config, family), new Row(config, family, imports, error, ptq, qat, ort));
    }

    static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

    // ---- the exports ---------------------------------------------------------------------------------------------

    /** The first of python3 on the PATH and Debian's /usr/bin/python3 that imports torch, torchvision and onnx. */
    private static String findPython() {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch, torchvision, onnx")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** The manifest of {@code config}'s export, running the script once (its manifest is written last). */
    private static Map<String, String[]> exported(Config config) throws IOException, InterruptedException {
        Path dir = config.dir();
        Path manifest = dir.resolve("manifest.tsv");
        List<String> families = imported(config);
        if (!Files.exists(manifest) || !readManifest(manifest).keySet().containsAll(families)) {
            List<String> command = new ArrayList<>(List.of(PYTHON, SCRIPT.toString(), "--out", dir.toString(),
                    "--opset", Integer.toString(config.opset())));
            if (!config.fold()) {
                command.add("--no-fold");
            }
            if (config.dynamicBatch()) {
                command.add("--dynamic-batch");
            }
            command.addAll(families);
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("export.log").toFile()).start();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("the export script failed; see " + dir.resolve("export.log"));
            }
        }
        return readManifest(manifest);
    }

    private static Map<String, String[]> readManifest(Path manifest) throws IOException {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(manifest)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] cells = line.split("\t", -1);
                out.put(cells[0], cells);
            }
        }
        return out;
    }

    @AfterAll
    static void report() throws IOException {
        if (ROWS.isEmpty()) {
            return;
        }
        StringBuilder md = new StringBuilder("| export | family | imports, largest error vs PyTorch | PTQ | QAT step "
                + "| ONNX Runtime agrees |\n| --- | --- | --- | --- | --- | --- |\n");
        for (Row r : ROWS.values()) {
            md.append("| ").append(r.config()).append(" | ").append(r.family()).append(" | ")
                    .append(r.error().isEmpty() ? r.imports() : "no: " + r.error().replace('|', '/')).append(" | ")
                    .append(r.ptq()).append(" | ").append(r.qat()).append(" | ").append(r.ort()).append(" |\n");
        }
        Files.createDirectories(ROOT);
        Files.writeString(ROOT.resolve(FULL ? "report.md" : "report-quick.md"), md);
    }
}
