package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;

/**
 * The quantizer kernels' host-array entry points ({@link CudaFakeQuant}, {@link CudaQuantBackward}), so that the
 * shared cases run them either on the GPU ({@link #cuda()}) or compiled for the host ({@link HostQuantKernels}).
 */
interface QuantKernels {
    float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax, RoundingMode rounding,
            ChannelLayout layout);

    float[] lut(float[] x, LutGrid grid, ChannelLayout layout);

    /** {steps, zeroPoints}. */
    float[][] uniformGrid(float[] mins, float[] maxs, int bits);

    /** The backward of affine fake quantization; {@code offsets} null for the zero-offset grid. */
    FakeQuantGradients backward(float[] x, float[] dy, float[] steps, float[] offsets, float qmin, float qmax,
            boolean clipped, boolean parameterGradients, ChannelLayout layout);

    /** The kernels on the GPU (skips, an assumption, where CUDA is unavailable). */
    static QuantKernels cuda() {
        CudaFakeQuant fakeQuant = GpuFixture.fakeQuant();
        CudaQuantBackward backward = GpuFixture.backward();
        return new QuantKernels() {
            @Override
            public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax,
                    RoundingMode rounding, ChannelLayout layout) {
                return fakeQuant.affine(x, steps, zeroPoints, qmin, qmax, rounding, layout);
            }

            @Override
            public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
                return fakeQuant.lut(x, grid, layout);
            }

            @Override
            public float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
                return fakeQuant.uniformGrid(mins, maxs, bits);
            }

            @Override
            public FakeQuantGradients backward(float[] x, float[] dy, float[] steps, float[] offsets, float qmin,
                    float qmax, boolean clipped, boolean parameterGradients, ChannelLayout layout) {
                return backward.affine(x, dy, steps, offsets, qmin, qmax, clipped, parameterGradients, layout);
            }
        };
    }
}
