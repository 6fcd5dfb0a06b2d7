package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.nn.AddConstant;
import io.jqi.nn.Clip;
import io.jqi.nn.CoercedSoftmax;
import io.jqi.nn.Div;
import io.jqi.nn.MatMul;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.Module;
import io.jqi.nn.Mul;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sequential;
import io.jqi.nn.Sub;
import io.jqi.nn.Transpose;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The layers jqi creates for imported ONNX models export to the ops they came from and compute the same in ORT. */
class ImportedLayersExportTest {

    private static Tensor random(Random r, int... shape) {
        float[] v = new float[Shape.of(shape).numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    @Test
    void everyImportedLayerRunsInOnnxRuntimeWithJqisValues() throws Exception {
        Random r = new Random(4);
        Module model = new Sequential(
                new Mul(random(r, 4), false),
                new Sub(random(r, 1), true),
                new Div(Tensor.of(new float[] {2f, 4f, 0.5f, 8f}, 4), false),
                new AddConstant(random(r, 3, 1)),
                new Clip(-1f, 2f),
                new Transpose(0, 1, 3, 2),
                new Reshape(new int[] {0, 2, -1}, false),
                new MatrixFlatten(1),
                new MatMul(random(r, 24, 5), false),
                new CoercedSoftmax(1)).eval();
        Tensor x = random(r, 7, 2, 3, 4);
        float[] expected;
        try (var ignored = Tensor.noGrad()) {
            expected = model.forward(x).toFloatArray();
        }
        try (OrtRunner ort = new OrtRunner(OnnxExporter.export(model, Shape.of(2, 3, 4), ExportFormat.QDQ))) {
            float[] actual = ort.run(x).toFloatArray();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6f, "element " + i);
            }
        }
    }
}
