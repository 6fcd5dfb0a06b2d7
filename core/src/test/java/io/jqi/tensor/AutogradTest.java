package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void gradientsOfALeafUsedTwiceAccumulate() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2f, 4f}, x.grad().toFloatArray());
    }

    @Test
    void successiveBackwardPassesAccumulateUntilZeroGrad() {
        Tensor x = Tensor.vector(3f).requiresGrad(true);
        x.mul(2f).sum().backward();
        x.mul(2f).sum().backward();
        assertArrayEquals(new float[] {4f}, x.grad().toFloatArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    /**
     * The graph keeps what backward functions read, not every intermediate: a ReLU's gradient reads its output and
     * a sum's reads nothing, so their inputs' values go once the caller drops them (docs/performance.md#peak-memory).
     */
    @Test
    void intermediatesThatNoGradientReadsAreFreedBeforeBackward() throws InterruptedException {
        Tensor w = Tensor.vector(-1f, 2f, 3f).requiresGrad(true);
        Tensor scaled = w.mul(w);
        Tensor shifted = scaled.add(-5f);
        WeakReference<Storage> scaledValues = new WeakReference<>(scaled.storage());
        WeakReference<Storage> shiftedValues = new WeakReference<>(shifted.storage());
        Tensor loss = shifted.relu().add(Tensor.vector(1f, 1f, 1f)).sum();
        scaled = null;
        shifted = null;
        Reachability.assertCollected(scaledValues, "the input of x + c");
        Reachability.assertCollected(shiftedValues, "the input of relu");
        loss.backward();
        // d/dw relu(w^2 - 5) = 2w where w^2 > 5, else 0 (times w = -1: -0).
        assertArrayEquals(new float[] {-0f, 0f, 6f}, w.grad().toFloatArray());
    }

    @Test
    void aSecondBackwardThroughTheSameGraphIsAClearError() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("run the forward pass again"), e.getMessage());
        assertArrayEquals(new float[] {2f, 4f}, x.grad().toFloatArray());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.vector(1f).requiresGrad(true);
        Tensor y;
        try (var ignored = Tensor.noGrad()) {
            y = x.mul(2f);
        }
        assertFalse(y.requiresGrad());
        assertTrue(x.mul(2f).requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor y = x.mul(3f).detach().mul(x).sum();
        y.backward();
        assertArrayEquals(new float[] {3f, 6f}, x.grad().toFloatArray());
    }

    @Test
    void roundHasAZeroGradient() {
        Tensor x = Tensor.vector(0.3f, 1.7f).requiresGrad(true);
        x.round().add(x.mul(0f)).sum().backward();
        assertArrayEquals(new float[] {0f, 0f}, x.grad().toFloatArray());
    }

    @Test
    void backwardNeedsAScalarOrAnExplicitGradient() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> x.mul(2f).backward());
        x.mul(2f).backward(Tensor.vector(1f, 10f));
        assertArrayEquals(new float[] {2f, 20f}, x.grad().toFloatArray());
    }

    @Test
    void backwardOnATensorWithoutGradIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.vector(1f).sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void onlyLeavesCanBeMarkedOrUpdatedInPlace() {
        Tensor x = Tensor.vector(1f).requiresGrad(true);
        Tensor y = x.mul(2f);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertThrows(IllegalStateException.class, () -> y.addInPlace(1f, y));
        x.addInPlace(-0.5f, Tensor.vector(2f));
        assertEquals(0f, x.item());
    }

    @Test
    void aDeepChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.vector(1f).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.mul(1f);
        }
        y.sum().backward();
        assertArrayEquals(new float[] {1f}, x.grad().toFloatArray());
    }

    @Test
    void broadcastingFollowsNumPyAndNamesIncompatibleShapes() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, a.add(Tensor.vector(10, 20, 30)).toFloatArray());
        assertArrayEquals(new float[] {2, 3, 4, 6, 7, 8},
                a.add(Tensor.of(new float[] {1, 2}, 2, 1)).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.vector(1, 2)));
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());
    }

    @Test
    void matmulMatchesANaiveProductAndChecksShapes() {
        Random random = new Random(1);
        Tensor a = Tensor.randn(random, 7, 5);
        Tensor b = Tensor.randn(random, 5, 3);
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        float[] c = a.matmul(b).toFloatArray();
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 3; j++) {
                float s = 0f;
                for (int p = 0; p < 5; p++) {
                    s += x[i * 5 + p] * y[p * 3 + j];
                }
                assertEquals(s, c[i * 3 + j], 1e-5f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> a.matmul(a));
    }

    @Test
    void resultsAreBitIdenticalRunToRun() {
        Tensor a = Tensor.randn(new Random(3), 300, 200);
        Tensor b = Tensor.randn(new Random(4), 200, 100);
        float[] first = a.matmul(b).tanh().sum(new int[] {0}, false).toFloatArray();
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(first, a.matmul(b).tanh().sum(new int[] {0}, false).toFloatArray());
        }
    }

    @Test
    void softmaxRowsSumToOneEvenForHugeLogits() {
        Tensor p = Tensor.of(new float[] {1000f, 1001f, 1002f, -5f, 0f, 5f}, 2, 3).softmax(-1);
        float[] v = p.toFloatArray();
        assertEquals(1f, v[0] + v[1] + v[2], 1e-6f);
        assertEquals(1f, v[3] + v[4] + v[5], 1e-6f);
    }

    @Test
    void crossEntropyOfPerfectLogitsIsNearZeroAndChecksLabels() {
        Tensor logits = Tensor.of(new float[] {20f, 0f, 0f, 20f}, 2, 2);
        assertEquals(0f, Losses.crossEntropy(logits, new int[] {0, 1}).item(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0}));
    }

    @Test
    void reshapeInfersOneDimension() {
        assertEquals(Shape.of(3, 4), Tensor.zeros(2, 6).reshape(3, -1).shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 6).reshape(5, -1));
    }
}
