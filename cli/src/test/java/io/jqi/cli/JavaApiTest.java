package io.jqi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.json.JsonFormatException;
import io.jqi.json.QuantizerJson;
import io.jqi.json.TensorJson;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Tensor;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The README's Java snippet, and the Kotlin-built JSON API as a Java caller sees it (plain static methods). */
class JavaApiTest {

    @Test
    void readmeJavaSnippetRunsAndDoesWhatItsCommentsSay() {
        InferableQuantizer relu = ActivationPOTInferableQuantizer.of(8, 4.0f, false);  // unsigned, [0, 4)
        Tensor y = relu.quantize(Tensor.vector(0.005f, 1.337f, 5.0f));                 // 0, 1.34375, 3.984375

        Class<?> cls = QuantizerRegistry.global()
                .inferableQuantizerClass(QuantizationTarget.WEIGHTS, QuantizationMethod.UNIFORM);
        InferableQuantizer fromFile = QuantizerJson.readFile(repoRoot().resolve("examples/w2-symmetric-per-channel.json"));

        assertArrayEquals(new float[] {0f, 1.34375f, 3.984375f}, y.toFloatArray());
        assertEquals(WeightsUniformInferableQuantizer.class, cls);
        assertEquals(WeightsSymmetricInferableQuantizer.class, fromFile.getClass());
    }

    @Test
    void jsonApiIsPlainStaticMethodsWithDefaultArguments() {
        Tensor x = TensorJson.read("[1.5, -2]");
        assertEquals("[1.5,-2]", TensorJson.write(x));
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> QuantizerJson.read("[]"));
        assertEquals("quantizer: a quantizer must be a JSON object, found an array", e.getMessage());
    }

    private static Path repoRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !p.resolve("examples").toFile().isDirectory()) {
            p = p.getParent();
        }
        return p;
    }
}
