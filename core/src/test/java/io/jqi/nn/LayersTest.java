package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Forward passes and hyper-parameters of the layers; {@link LayerGradientTest} checks their gradients. */
class LayersTest {
    private static final Tensor X = Tensor.of(new float[] {-4f, -1f, -0.25f, 0f, 0.5f, 2f, 5f, 7f}, 2, 4);

    private record Case(Module layer, UnaryOperator<Tensor> expected) {
    }

    @TestFactory
    Stream<DynamicTest> elementWiseLayersApplyTheirTensorOperation() {
        return Stream.of(
                new Case(new ReLU(), Tensor::relu),
                new Case(new ReLU6(), Tensor::relu6),
                new Case(new LeakyReLU(0.2f), x -> x.leakyRelu(0.2f)),
                new Case(new Sigmoid(), Tensor::sigmoid),
                new Case(new Tanh(), Tensor::tanh),
                new Case(new Hardswish(), Tensor::hardswish),
                new Case(new SiLU(), Tensor::silu),
                new Case(new Softmax(-1), x -> x.softmax(-1)),
                new Case(new Identity(), x -> x))
            .map(c -> DynamicTest.dynamicTest(c.layer().getClass().getSimpleName(),
                () -> assertArrayEquals(c.expected().apply(X).toFloatArray(), c.layer().forward(X).toFloatArray())));
    }

    @Test
    void leakyReluDefaultsToPyTorchsSlope() {
        assertEquals(0.01f, new LeakyReLU().negativeSlope());
    }

    @Test
    void flattenKeepsTheBatchAxis() {
        assertEquals(Shape.of(2, 12), new Flatten().forward(Tensor.zeros(2, 3, 2, 2)).shape());
        assertEquals(Shape.of(2, 3, 4), new Flatten(2).forward(Tensor.zeros(2, 3, 2, 2)).shape());
    }

    @Test
    void addSumsAllItsInputs() {
        Tensor a = Tensor.vector(1f, 2f);
        assertArrayEquals(new float[] {3f, 6f}, new Add().forward(a, a, a).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new Add().forward(a));
    }

    @Test
    void concatJoinsAlongItsAxis() {
        Tensor a = Tensor.zeros(2, 3, 4, 4);
        Tensor b = Tensor.ones(2, 5, 4, 4);
        assertEquals(Shape.of(2, 8, 4, 4), new Concat(1).forward(a, b).shape());
    }

    @Test
    void denseComputesXTimesWeightTransposedPlusBias() {
        Dense dense = new Dense(3, 2, true, new Random(1));
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f, -1f, 0f, 4f}, 2, 3);
        float[] w = dense.weight().toFloatArray();
        float[] b = dense.bias().toFloatArray();
        float[] y = dense.forward(x).toFloatArray();
        float[] xs = x.toFloatArray();
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 2; o++) {
                float expected = b[o];
                for (int i = 0; i < 3; i++) {
                    expected += xs[n * 3 + i] * w[o * 3 + i];
                }
                assertEquals(expected, y[n * 2 + o], 1e-6f);
            }
        }
    }

    @Test
    void denseWithoutBiasHasOnlyAWeight() {
        Dense dense = new Dense(3, 2, false, new Random(1));
        assertNull(dense.bias());
        assertEquals(List.of("weight"), List.copyOf(dense.namedParameters().keySet()));
        assertEquals(Shape.of(2, 3), dense.weight().shape());
    }

    @Test
    void denseInitialisationIsPyTorchsUniformBoundAndSeeded() {
        Dense a = new Dense(16, 8, true, new Random(42));
        Dense b = new Dense(16, 8, true, new Random(42));
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
        assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray());
        Dense other = new Dense(16, 8, true, new Random(43));
        assertNotEquals(a.weight().toFloatArray()[0], other.weight().toFloatArray()[0]);
        for (Tensor p : a.parameters()) {
            for (float v : p.toFloatArray()) {
                assertTrue(Math.abs(v) <= 0.25f, "|" + v + "| > 1/sqrt(16)");
            }
        }
    }

    @Test
    void denseExposesItsHyperParameters() {
        Dense dense = new Dense(3, 2, true, new Random(1));
        assertEquals(3, dense.inFeatures());
        assertEquals(2, dense.outFeatures());
        assertTrue(dense.hasBias());
    }

    @Test
    void denseNamesTheShapeItExpects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dense(3, 2, true, new Random(1)).forward(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("3 input features"), e.getMessage());
    }
}
