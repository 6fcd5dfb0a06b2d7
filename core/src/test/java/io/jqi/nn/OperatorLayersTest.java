package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.tensor.PublicGradCheck;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The layers that ONNX operators map to: values, shapes, refusals, and gradients against finite differences. */
class OperatorLayersTest {
    private static final float EPS = 1e-6f;

    @Test
    void subMulAndDivBroadcastTheirSecondOperand() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.vector(1, 2, 4);
        assertArrayEquals(new float[] {0, 0, -1, 3, 3, 2}, new Sub().forward(a, b).toFloatArray(), EPS);
        assertArrayEquals(new float[] {1, 4, 12, 4, 10, 24}, new Mul().forward(a, b).toFloatArray(), EPS);
        assertArrayEquals(new float[] {1, 1, 0.75f, 4, 2.5f, 1.5f}, new Div().forward(a, b).toFloatArray(), EPS);
    }

    @Test
    void aConstantOperandKeepsItsSide() {
        Tensor x = Tensor.vector(1, 2);
        Tensor c = Tensor.vector(10, 20);
        assertArrayEquals(new float[] {-9, -18}, new Sub(c, false).forward(x).toFloatArray(), EPS);
        assertArrayEquals(new float[] {9, 18}, new Sub(c, true).forward(x).toFloatArray(), EPS);
        assertArrayEquals(new float[] {10, 10}, new Div(c, true).forward(x).toFloatArray(), EPS);
        assertArrayEquals(new float[] {11, 22}, new AddConstant(c).forward(x).toFloatArray(), EPS);
    }

    @Test
    void theConstantOperandIsABufferNotAParameter() {
        Mul mul = new Mul(Tensor.vector(2, 3), false);
        assertEquals(0, mul.namedParameters().size());
        assertArrayEquals(new float[] {2, 3}, mul.stateDict().get("constant").toFloatArray(), EPS);
    }

    @Test
    void theTwoInputFormRefusesOneInput() {
        assertThrows(IllegalArgumentException.class, () -> new Mul().forward(Tensor.vector(1)));
    }

    @Test
    void matMulTreatsVectorsAsRowAndColumn() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor v3 = Tensor.vector(1, 0, -1);
        Tensor v2 = Tensor.vector(1, 1);
        assertEquals(Shape.of(2), new MatMul().forward(m, v3).shape());
        assertArrayEquals(new float[] {-2, -2}, new MatMul().forward(m, v3).toFloatArray(), EPS);
        assertArrayEquals(new float[] {5, 7, 9}, new MatMul().forward(v2, m).toFloatArray(), EPS);
    }

    @Test
    void matMulBroadcastsBatchAxes() {
        Random random = new Random(1);
        Tensor a = Tensor.randn(random, 2, 1, 3, 4);
        Tensor b = Tensor.randn(random, 5, 4, 2);
        Tensor out = new MatMul().forward(a, b);
        assertEquals(Shape.of(2, 5, 3, 2), out.shape());
        Tensor expected = a.narrow(0, 1, 1).reshape(3, 4).matmul(b.narrow(0, 3, 1).reshape(4, 2));
        assertArrayEquals(expected.toFloatArray(), out.narrow(0, 1, 1).narrow(1, 3, 1).reshape(3, 2).toFloatArray(),
                1e-5f);
    }

    @Test
    void clipClampsToItsRange() {
        assertArrayEquals(new float[] {-1, 0.5f, 2}, new Clip(-1, 2).forward(Tensor.vector(-3, 0.5f, 9))
                .toFloatArray(), EPS);
        assertThrows(IllegalArgumentException.class, () -> new Clip(1, 0));
    }

    @Test
    void reshapeCopiesZeroEntriesAndInfersMinusOne() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertEquals(Shape.of(2, 12), new Reshape(new int[] {0, -1}, false).forward(x).shape());
        assertEquals(Shape.of(4, 2, 3), new Reshape(new int[] {4, 2, -1}, false).forward(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new Reshape(new int[] {-1, -1}, false));
    }

    @Test
    void transposePermutesOrReversesTheAxes() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertEquals(Shape.of(3, 4, 2), new Transpose(1, 2, 0).forward(x).shape());
        assertEquals(Shape.of(4, 3, 2), new Transpose().forward(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new Transpose(0, 0));
    }

    @Test
    void matrixFlattenJoinsTheAxesOnEachSideOfItsAxis() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertEquals(Shape.of(1, 120), new MatrixFlatten(0).forward(x).shape());
        assertEquals(Shape.of(6, 20), new MatrixFlatten(2).forward(x).shape());
        assertEquals(Shape.of(24, 5), new MatrixFlatten(-1).forward(x).shape());
    }

    @Test
    void coercedSoftmaxNormalizesOverAllAxesFromItsAxis() {
        Tensor x = Tensor.randn(new Random(2), 2, 3, 4);
        Tensor y = new CoercedSoftmax(1).forward(x);
        assertEquals(x.shape(), y.shape());
        assertArrayEquals(new float[] {1, 1}, y.sum(new int[] {1, 2}, false).toFloatArray(), 1e-5f);
    }

    @Test
    void binaryLayerGradientsMatchFiniteDifferences() {
        Random random = new Random(3);
        PublicGradCheck.check("sub", t -> new Sub().forward(t[0], t[1]), Tensor.randn(random, 2, 3),
                Tensor.randn(random, 3));
        PublicGradCheck.check("mul", t -> new Mul().forward(t[0], t[1]), Tensor.randn(random, 2, 3),
                Tensor.randn(random, 2, 1));
        PublicGradCheck.check("div", t -> new Div().forward(t[0], t[1].abs().add(1f)), Tensor.randn(random, 2, 3),
                Tensor.randn(random, 3));
        PublicGradCheck.check("mul by a constant", t -> new Mul(Tensor.vector(2, -1, 3), true).forward(t[0]),
                Tensor.randn(random, 2, 3));
    }

    @Test
    void matMulGradientsMatchFiniteDifferences() {
        Random random = new Random(4);
        PublicGradCheck.check("batched matmul", t -> new MatMul().forward(t[0], t[1]), Tensor.randn(random, 2, 3, 4),
                Tensor.randn(random, 1, 4, 2));
        PublicGradCheck.check("vector matmul", t -> new MatMul().forward(t[0], t[1]), Tensor.randn(random, 4),
                Tensor.randn(random, 4, 2));
    }

    @Test
    void shapeLayerGradientsMatchFiniteDifferences() {
        Random random = new Random(5);
        PublicGradCheck.check("reshape", t -> new Reshape(new int[] {0, -1}, false).forward(t[0]).mul(t[1]),
                Tensor.randn(random, 2, 3, 2), Tensor.randn(random, 2, 6));
        PublicGradCheck.check("transpose", t -> new Transpose(2, 0, 1).forward(t[0]).mul(t[1]),
                Tensor.randn(random, 2, 3, 2), Tensor.randn(random, 2, 2, 3));
        PublicGradCheck.check("matrix flatten", t -> new MatrixFlatten(2).forward(t[0]).mul(t[1]),
                Tensor.randn(random, 2, 3, 2), Tensor.randn(random, 6, 2));
    }

    @Test
    void activationLayerGradientsMatchFiniteDifferences() {
        Random random = new Random(6);
        PublicGradCheck.check("clip", t -> new Clip(-0.5f, 0.7f).forward(t[0]).mul(t[1]),
                Tensor.randn(random, 3, 4), Tensor.randn(random, 3, 4));
        PublicGradCheck.check("coerced softmax", t -> new CoercedSoftmax(1).forward(t[0]).mul(t[1]),
                Tensor.randn(random, 2, 2, 3), Tensor.randn(random, 2, 2, 3));
    }
}
