package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import java.lang.ref.WeakReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A convolution's backward keeps a fake-quantized operand as the recipe that computed it, not its values
 * ({@link SavedTensor}): the values go after the forward pass, the gradients are the same bits, and a recipe whose
 * inputs were written in place refuses to run.
 */
class SavedTensorTest {
    private static final int[] ONES = {1, 1};

    private final Random random = new Random(3);
    private final Tensor x = Tensor.randn(random, 2, 3, 6, 6).requiresGrad(true);
    private final Tensor weight = Tensor.randn(random, 4, 3, 3, 3).requiresGrad(true);
    private final Tensor activationStep = Tensor.vector(0.05f).requiresGrad(true);
    private final Tensor weightSteps = Tensor.vector(0.01f, 0.02f, 0.015f, 0.03f);

    /** {@code x} fake-quantized on a signed 8-bit grid with the STE gradient; {@code kept}: without a recipe. */
    private static Tensor fakeQuantize(Tensor x, ChannelLayout layout, Tensor steps, boolean kept) {
        Tensor value = Tensor.fakeQuantize(x, layout, steps.detach(), null, -128f, 127f, RoundingMode.HALF_EVEN);
        return Tensor.fakeQuantizeGradient(kept ? value.copy() : value, x, layout, steps, null, -128f, 127f, false);
    }

    private Tensor quantizedInput(boolean kept) {
        return fakeQuantize(x, ChannelLayout.perTensor(x.numel()), activationStep, kept);
    }

    private Tensor quantizedWeight(boolean kept) {
        return fakeQuantize(weight, ChannelLayout.around(weight.shape().toArray(), 0), weightSteps, kept);
    }

    private Tensor loss(Tensor input, Tensor w) {
        return Convolution.conv2d(input, w, null, ONES, ONES, ONES, 1).mul(Tensor.randn(new Random(4), 2, 4, 6, 6))
                .sum();
    }

    @Test
    void aConvolutionKeepsNeitherFakeQuantizedOperandsValuesAfterTheForwardPass() throws InterruptedException {
        Tensor input = quantizedInput(false);
        Tensor w = quantizedWeight(false);
        WeakReference<Storage> inputValues = new WeakReference<>(input.storage());
        WeakReference<Storage> weightValues = new WeakReference<>(w.storage());
        Tensor loss = loss(input, w);
        input = null;
        w = null;
        for (int i = 0; i < 20 && (inputValues.get() != null || weightValues.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(inputValues.get(), "the fake-quantized input stayed reachable");
        assertNull(weightValues.get(), "the fake-quantized weight stayed reachable");
        loss.backward();
        assertNotNull(weight.grad());
    }

    @Test
    void gradientsThroughRecomputedOperandsAreThoseThroughKeptOnesBitForBit() {
        loss(quantizedInput(false), quantizedWeight(false)).backward();
        float[][] recomputed = {x.grad().toFloatArray(), weight.grad().toFloatArray(),
            activationStep.grad().toFloatArray()};
        x.zeroGrad();
        weight.zeroGrad();
        activationStep.zeroGrad();
        loss(quantizedInput(true), quantizedWeight(true)).backward();
        assertArrayEquals(x.grad().toFloatArray(), recomputed[0], 0f, "input gradient");
        assertArrayEquals(weight.grad().toFloatArray(), recomputed[1], 0f, "weight gradient");
        assertArrayEquals(activationStep.grad().toFloatArray(), recomputed[2], 0f, "step gradient");
    }

    @Test
    void aWeightWrittenInPlaceBetweenForwardAndBackwardIsAClearError() {
        Tensor loss = loss(quantizedInput(false), quantizedWeight(false));
        weight.addInPlace(-0.1f, Tensor.randn(random, 4, 3, 3, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("written in place after the forward pass"), e.getMessage());
    }
}
