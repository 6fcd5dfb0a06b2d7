package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The convolution node and the CPU's image-by-image kernels: the numbers of the batch-wide composition the backend
 * contract specifies (im2col, grouped matmul, permute), bit for bit, for every batch size and thread split.
 */
class ConvolutionTest {
    /** conv2d written as the plain composition the contract specifies: im2col, matmul, permute, bias. */
    private static Tensor composed(Tensor x, Tensor weight, Tensor bias, int groups, Window2d w) {
        int out = weight.shape().dim(0);
        int taps = weight.shape().dim(1) * w.kernelSize();
        int positions = w.batch() * w.outHeight() * w.outWidth();
        Storage columns = x.backend().im2col(x.storage(), w);
        Tensor matrix = Tensor.result(Shape.of(groups, taps, positions), columns,
                g -> new Tensor[] {Tensor.ofStorage(x.shape(), g.backend().col2im(g.storage(), w))}, x);
        return weight.reshape(groups, out / groups, taps).matmul(matrix)
                .reshape(out, w.batch(), w.outHeight(), w.outWidth()).permute(1, 0, 2, 3)
                .add(bias.reshape(1, out, 1, 1));
    }

    /**
     * Image by image (at least 128 output positions per image) with batches below and above two images per thread;
     * ungrouped images of fewer positions several at a time in the forward too, in chunks that do not divide the
     * batch, and the batch-wide composition (grouped, or a whole batch of fewer than 128 positions); groups, strides,
     * padding and dilation; images of more positions than one panel is wide, whose second panel starts inside an
     * output row; at stride 1, the padded image
     * read in place (with dilation, and with channels spanning more than one panel depth); more output channels than
     * one panel is wide, the weight gradient's panel; more input channels than one block of the input gradient
     * holds; ungrouped images so small that the gradients take them several at a time, in chunks that do not divide
     * the batch, read from the padded image in place or not.
     */
    @ParameterizedTest(name = "batch {0}, {1} -> {2} channels in {3} groups, {4}x{4} kernel, stride {5}, pad {6}, "
            + "dilation {7}, {8}x{9} input")
    @CsvSource({
        "2, 4, 6, 2, 3, 2, 1, 1, 7, 6",
        "1, 3, 5, 1, 3, 1, 1, 1, 16, 9",
        "9, 4, 4, 4, 3, 1, 1, 2, 16, 12",
        "13, 16, 130, 1, 3, 1, 1, 1, 12, 12",
        "5, 6, 200, 2, 1, 1, 0, 1, 12, 11",
        "6, 2, 3, 1, 5, 3, 2, 1, 40, 40",
        "4, 3, 8, 1, 3, 1, 1, 1, 20, 19",
        "2, 2, 7, 1, 3, 2, 2, 2, 40, 37",
        "3, 5, 9, 1, 3, 1, 2, 2, 24, 33",
        "1, 70, 13, 1, 1, 1, 0, 1, 13, 11",
        "3, 8, 260, 1, 3, 1, 1, 1, 12, 12",
        "2, 150, 7, 1, 1, 1, 0, 1, 12, 12",
        "13, 5, 40, 1, 3, 1, 1, 1, 5, 4",
        "40, 3, 7, 1, 3, 2, 1, 1, 9, 9",
        "7, 4, 6, 1, 3, 1, 1, 1, 8, 8",
        "3, 4, 5, 1, 3, 1, 1, 1, 6, 5",
        "21, 3, 140, 1, 3, 2, 1, 1, 7, 7",
    })
    void valuesAndGradientsEqualTheComposedOperationsBitForBit(int batch, int channels, int outChannels, int groups,
            int kernel, int stride, int pad, int dilation, int height, int width) {
        Random random = new Random(5 + batch);
        float[] x0 = Tensor.randn(random, batch, channels, height, width).toFloatArray();
        float[] w0 = Tensor.randn(random, outChannels, channels / groups, kernel, kernel).toFloatArray();
        float[] b0 = Tensor.randn(random, outChannels).toFloatArray();
        int[] strides = {stride, stride};
        int[] padding = {pad, pad};
        int[] dilations = {dilation, dilation};
        Tensor[] fused = {Tensor.of(x0, batch, channels, height, width).requiresGrad(true),
            Tensor.of(w0, outChannels, channels / groups, kernel, kernel).requiresGrad(true),
            Tensor.of(b0, outChannels).requiresGrad(true)};
        Tensor[] plain = {Tensor.of(x0, batch, channels, height, width).requiresGrad(true),
            Tensor.of(w0, outChannels, channels / groups, kernel, kernel).requiresGrad(true),
            Tensor.of(b0, outChannels).requiresGrad(true)};
        Window2d w = Window2d.of("conv2d", plain[0].shape(), kernel, kernel, strides, padding, dilations);

        Tensor y = Convolution.conv2d(fused[0], fused[1], fused[2], strides, padding, dilations, groups);
        Tensor expected = composed(plain[0], plain[1], plain[2], groups, w);
        Tensor dy = Tensor.randn(random, y.shape().toArray());
        y.mul(dy).sum().backward();
        expected.mul(dy).sum().backward();

        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 0f, "output");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(plain[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), 0f, "gradient " + i);
        }
    }

    /**
     * The input gradient folded onto padded planes ({@link PaddedImage#fold}) against im2col's adjoint on the whole
     * batch, bit for bit with the signs of zeros: infinite and NaN weights, whose products with the padded rows'
     * margin columns would be NaN, and output gradients with zeros of both signs and a NaN.
     */
    @Test
    void theInputGradientOnPaddedPlanesHasTheFoldsBitsWithNonFiniteWeightsAndSignedZeros() {
        int batch = 3;
        int channels = 2;
        int outChannels = 3;
        Window2d w = Window2d.of("conv2d", Shape.of(batch, channels, 12, 12), 3, 3, new int[] {1, 1},
                new int[] {1, 1}, new int[] {1, 1});
        int plane = w.outHeight() * w.outWidth();
        int taps = channels * 9;
        Random random = new Random(8);
        float[] weight = Tensor.randn(random, outChannels, taps).toFloatArray();
        weight[0] = Float.POSITIVE_INFINITY;
        weight[taps + 3] = Float.NEGATIVE_INFINITY;
        weight[2 * taps + 11] = Float.NaN;
        weight[5] = -0f;
        float[] dy = Tensor.randn(random, batch, outChannels, w.outHeight(), w.outWidth()).toFloatArray();
        for (int i = 0; i < dy.length; i += 3) {
            dy[i] = i % 2 == 0 ? -0f : 0f;
        }
        dy[40] = Float.NaN;
        // [outChannels, batch * plane], the composition's operand.
        float[] byChannel = new float[dy.length];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < outChannels; o++) {
                System.arraycopy(dy, (n * outChannels + o) * plane, byChannel, (o * batch + n) * plane, plane);
            }
        }
        float[] columns = CpuGemm.multiply(weight, byChannel, 1, taps, outChannels, batch * plane, true, false, 0,
                0);
        float[] expected = CpuWindows.col2im(columns, w);

        float[] actual = CpuConvolution.inputGrad(weight, dy, w, outChannels, 1);

        assertTrue(CpuConvolution.readsPaddedImage(w));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "cell " + i);
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

    @Test
    void weightsWithoutGradientGiveTheInputItsGradientAlone() {
        Random random = new Random(7);
        Tensor x = Tensor.randn(random, 2, 2, 5, 5).requiresGrad(true);
        Tensor weight = Tensor.randn(random, 3, 2, 3, 3);

        Convolution.conv2d(x, weight, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1).sum().backward();

        assertArrayEquals(new int[] {2, 2, 5, 5}, x.grad().shape().toArray());
        assertNull(weight.grad());
    }
}
