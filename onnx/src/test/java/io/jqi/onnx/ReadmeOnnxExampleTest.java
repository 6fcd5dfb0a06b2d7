package io.jqi.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.Digits;
import io.jqi.models.BuiltInModels;
import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.onnx.export.ExportFormat;
import io.jqi.onnx.export.OnnxExporter;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.TargetPlatform;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's ONNX snippet (import, quantize, export, import back), verbatim between the setup it leaves to the
 * reader (a float {@code model.onnx} and calibration batches); a second test checks that the README's block is this
 * file's code, line for line, so the two cannot drift apart.
 */
class ReadmeOnnxExampleTest {
    private static final Path README = Path.of("../README.md");
    private static final Path SELF = Path.of("src/test/java/io/jqi/onnx/ReadmeOnnxExampleTest.java");
    private static final String SECTION = "## Importing ONNX models";

    @Test
    void theReadmeOnnxSnippetImportsQuantizesExportsAndReadsBackTheSameBits() throws IOException {
        // The snippet names files in the working directory (the module's): they must not exist, and are removed.
        for (String name : List.of("model.onnx", "model-qdq.onnx")) {
            assertFalse(Files.exists(Path.of(name)), name + " exists in " + Path.of("").toAbsolutePath());
        }
        Module trained = BuiltInModels.create("cnn", new int[] {1, 8, 8}, Digits.CLASSES, 3);
        trained.eval();
        OnnxCodec.write(OnnxExporter.export(trained, Shape.of(1, 8, 8), ExportFormat.QDQ), Path.of("model.onnx"));
        Tensor digits = Digits.load().inputs();
        List<Tensor> calibration = List.of(digits.narrow(0, 0, 64), digits.narrow(0, 64, 64));
        try {
            GraphModel model = OnnxImporter.importFile(Path.of("model.onnx"));    // float ONNX, opsets 11 to 21
            GraphModel ptq = Ptq.quantize(model, calibration, TargetPlatform.defaultPlatform(), PtqConfig.defaults());
            ptq.eval();                                                                       // export needs inference mode
            OnnxModel qdq = OnnxExporter.export(ptq, Shape.of(1, 8, 8), ExportFormat.QDQ);   // input shape without the batch
            OnnxCodec.write(qdq, Path.of("model-qdq.onnx"));                                  // atomic
            GraphModel back = OnnxImporter.importFile(Path.of("model-qdq.onnx"));             // computes ptq's bits

            Tensor x = digits.narrow(0, 128, 50);
            try (var ignored = Tensor.noGrad()) {
                assertArrayEquals(bits(ptq.forward(x)), bits(back.forward(x)));
            }
        } finally {
            Files.deleteIfExists(Path.of("model.onnx"));
            Files.deleteIfExists(Path.of("model-qdq.onnx"));
        }
    }

    @Test
    void theReadmeOnnxSnippetIsThisTestsCodeVerbatim() throws IOException {
        List<String> readme = Files.readAllLines(README);
        int section = readme.indexOf(SECTION);
        assertTrue(section >= 0, "README has no '" + SECTION + "'");
        int open = readme.subList(section, readme.size()).indexOf("```java") + section;
        int close = readme.subList(open + 1, readme.size()).indexOf("```") + open + 1;
        List<String> snippet = stripped(readme.subList(open + 1, close));
        List<String> code = stripped(Files.readAllLines(SELF));
        assertTrue(!snippet.isEmpty() && Collections.indexOfSubList(code, snippet) >= 0,
                () -> "the README's ONNX snippet is not this test's code, verbatim:\n" + String.join("\n", snippet));
    }

    private static List<String> stripped(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.strip());
        }
        return out;
    }

    private static int[] bits(Tensor t) {
        float[] v = t.toFloatArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
