package io.jqi.cuda;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.LutGrid;

/**
 * The quantizer kernels' host-array entry points ({@link CudaFakeQuant}, {@link CudaQuantBackward}), so that the
 * shared cases run them either on the GPU ({@link #cuda()}) or compiled for the host ({@link HostQuantKernels}).
 */
interface QuantKernels {
    float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax, ChannelLayout layout);

    float[] tfNudge(float[] x, float[] nudgedMin, float[] nudgedMax, float[] steps, ChannelLayout layout);

    float[] lut(float[] x, LutGrid grid, ChannelLayout layout);

    float[] symmetricSteps(float[] thresholds, int bits, boolean signed, boolean powerOfTwo, float minThreshold);

    /** {steps, zeroPoints}. */
    float[][] uniformGrid(float[] mins, float[] maxs, int bits);

    QuantizerGradients symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed, GradientRule rule,
            boolean trainsThreshold, ChannelLayout layout);

    QuantizerGradients uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits, GradientRule rule,
            boolean trainsRange, ChannelLayout layout);

    /** The kernels on the GPU (skips, an assumption, where CUDA is unavailable). */
    static QuantKernels cuda() {
        CudaFakeQuant fakeQuant = GpuFixture.fakeQuant();
        CudaQuantBackward backward = GpuFixture.backward();
        return new QuantKernels() {
            @Override
            public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax,
                    ChannelLayout layout) {
                return fakeQuant.affine(x, steps, zeroPoints, qmin, qmax, layout);
            }

            @Override
            public float[] tfNudge(float[] x, float[] nudgedMin, float[] nudgedMax, float[] steps,
                    ChannelLayout layout) {
                return fakeQuant.tfNudge(x, nudgedMin, nudgedMax, steps, layout);
            }

            @Override
            public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
                return fakeQuant.lut(x, grid, layout);
            }

            @Override
            public float[] symmetricSteps(float[] thresholds, int bits, boolean signed, boolean powerOfTwo,
                    float minThreshold) {
                return fakeQuant.symmetricSteps(thresholds, bits, signed, powerOfTwo, minThreshold);
            }

            @Override
            public float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
                return fakeQuant.uniformGrid(mins, maxs, bits);
            }

            @Override
            public QuantizerGradients symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed,
                    GradientRule rule, boolean trainsThreshold, ChannelLayout layout) {
                return backward.symmetric(x, dy, steps, bits, signed, rule, trainsThreshold, layout);
            }

            @Override
            public QuantizerGradients uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits,
                    GradientRule rule, boolean trainsRange, ChannelLayout layout) {
                return backward.uniform(x, dy, mins, maxs, bits, rule, trainsRange, layout);
            }
        };
    }
}
