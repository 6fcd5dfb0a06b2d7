package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import java.lang.ref.WeakReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A convolution's backward keeps a fake-quantized operand, and a fake quantizer's backward a batch norm's output, as
 * the recipe that computed it, not its values ({@link SavedTensor}): the values go after the forward pass, the
 * gradients are the same bits, and a recipe whose inputs were written in place refuses to run.
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
        Reachability.assertCollected(inputValues, "the fake-quantized input");
        Reachability.assertCollected(weightValues, "the fake-quantized weight");
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

    /** A batch norm's output fake-quantized, as before a residual sum; {@code kept}: the output without a recipe. */
    private Tensor normalizedAndQuantized(Tensor input, Tensor gamma, Tensor beta, boolean kept) {
        Tensor y = Functional.batchNorm(input, null, null, gamma, beta, true, 0.1f, 1e-5f);
        // y * 1 is y bit for bit, and its gradient too, but it is a product, which has no recipe.
        return fakeQuantize(kept ? y.mul(1f) : y, ChannelLayout.perTensor(y.numel()), activationStep, false);
    }

    @Test
    void aFakeQuantizerKeepsTheRecipeOfTheBatchNormOutputItReadsNotItsValues() throws InterruptedException {
        Tensor input = Tensor.randn(random, 4, 3, 5, 5).requiresGrad(true);
        Tensor gamma = Tensor.vector(1f, 2f, 0.5f).requiresGrad(true);
        Tensor beta = Tensor.vector(0.1f, -0.2f, 0f).requiresGrad(true);
        Tensor y = Functional.batchNorm(input, null, null, gamma, beta, true, 0.1f, 1e-5f);
        WeakReference<Storage> values = new WeakReference<>(y.storage());
        Tensor loss = fakeQuantize(y, ChannelLayout.perTensor(y.numel()), activationStep, false).sum();
        y = null;
        Reachability.assertCollected(values, "the batch norm's output");
        loss.backward();
        assertNotNull(gamma.grad());
    }

    @Test
    void gradientsThroughARecomputedBatchNormOutputAreThoseThroughAKeptOneBitForBit() {
        Tensor input = Tensor.randn(random, 4, 3, 5, 5).requiresGrad(true);
        Tensor gamma = Tensor.vector(1f, 2f, 0.5f).requiresGrad(true);
        Tensor beta = Tensor.vector(0.1f, -0.2f, 0f).requiresGrad(true);
        Tensor dy = Tensor.randn(random, 4, 3, 5, 5);
        Tensor[] leaves = {input, gamma, beta, activationStep};
        normalizedAndQuantized(input, gamma, beta, false).mul(dy).sum().backward();
        float[][] recomputed = new float[leaves.length][];
        for (int i = 0; i < leaves.length; i++) {
            recomputed[i] = leaves[i].grad().toFloatArray();
            leaves[i].zeroGrad();
        }
        normalizedAndQuantized(input, gamma, beta, true).mul(dy).sum().backward();
        for (int i = 0; i < leaves.length; i++) {
            assertArrayEquals(leaves[i].grad().toFloatArray(), recomputed[i], 0f, "gradient " + i);
        }
    }

    @Test
    void aWeightWrittenInPlaceBetweenForwardAndBackwardIsAClearError() {
        Tensor loss = loss(quantizedInput(false), quantizedWeight(false));
        weight.addInPlace(-0.1f, Tensor.randn(random, 4, 3, 3, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("written in place after the forward pass"), e.getMessage());
    }
}
