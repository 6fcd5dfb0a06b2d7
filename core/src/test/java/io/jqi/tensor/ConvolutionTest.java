package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The convolution's product node: the composed operations' numbers, without keeping the im2col matrix. */
class ConvolutionTest {
    /** conv2d written as the plain composition the product node stands for: im2col, matmul, permute, bias. */
    private static Tensor composed(Tensor x, Tensor weight, Tensor bias, int groups, Window2d w) {
        int out = weight.shape().dim(0);
        int taps = weight.shape().dim(1) * w.kernelSize();
        int positions = w.batch() * w.outHeight() * w.outWidth();
        Tensor columns = Convolution.im2col(x, w).reshape(groups, taps, positions);
        return weight.reshape(groups, out / groups, taps).matmul(columns)
                .reshape(out, w.batch(), w.outHeight(), w.outWidth()).permute(1, 0, 2, 3)
                .add(bias.reshape(1, out, 1, 1));
    }

    @Test
    void valuesAndGradientsEqualTheComposedOperationsBitForBit() {
        Random random = new Random(5);
        float[] x0 = Tensor.randn(random, 2, 4, 7, 6).toFloatArray();
        float[] w0 = Tensor.randn(random, 6, 2, 3, 3).toFloatArray();
        float[] b0 = Tensor.randn(random, 6).toFloatArray();
        float[] dy = Tensor.randn(random, 2, 6, 4, 3).toFloatArray();
        int[] stride = {2, 2};
        int[] padding = {1, 1};
        int[] dilation = {1, 1};
        Tensor[] fused = {Tensor.of(x0, 2, 4, 7, 6).requiresGrad(true), Tensor.of(w0, 6, 2, 3, 3).requiresGrad(true),
            Tensor.of(b0, 6).requiresGrad(true)};
        Tensor[] plain = {Tensor.of(x0, 2, 4, 7, 6).requiresGrad(true), Tensor.of(w0, 6, 2, 3, 3).requiresGrad(true),
            Tensor.of(b0, 6).requiresGrad(true)};
        Window2d w = Window2d.of("conv2d", plain[0].shape(), 3, 3, stride, padding, dilation);

        Tensor y = Convolution.conv2d(fused[0], fused[1], fused[2], stride, padding, dilation, 2);
        Tensor expected = composed(plain[0], plain[1], plain[2], 2, w);
        y.mul(Tensor.of(dy, 2, 6, 4, 3)).sum().backward();
        expected.mul(Tensor.of(dy, 2, 6, 4, 3)).sum().backward();

        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 0f, "output");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(plain[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), 0f, "gradient " + i);
        }
    }

    @Test
    void anInputWithoutGradientGetsNoneButTheWeightsStillDo() {
        Random random = new Random(6);
        Tensor x = Tensor.randn(random, 1, 2, 5, 5);
        Tensor weight = Tensor.randn(random, 3, 2, 3, 3).requiresGrad(true);

        Convolution.conv2d(x, weight, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1).sum().backward();

        assertArrayEquals(new int[] {3, 2, 3, 3}, weight.grad().shape().toArray());
        assertNull(x.grad());
    }
}
