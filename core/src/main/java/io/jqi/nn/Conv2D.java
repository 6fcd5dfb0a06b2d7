package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;
import java.util.Random;

/**
 * A 2-D convolution over {@code x [N, C, H, W]} with zero padding, PyTorch's {@code nn.Conv2d}: weight
 * {@code [out, in / groups, kh, kw]}, bias {@code [out]}. {@code groups == in} makes it depthwise.
 */
public final class Conv2D extends Module implements KernelLayer {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final boolean hasBias;

    /**
     * A layer initialised like PyTorch's: every value uniform in {@code ±1/sqrt(fanIn)} with
     * {@code fanIn = in / groups * kh * kw}, drawn from {@code random}. Kernel, stride, padding and dilation are
     * {h, w} pairs.
     */
    public Conv2D(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation,
            int groups, boolean bias, Random random) {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0) {
            throw new IllegalArgumentException("Conv2D needs positive channel and group counts, got in=" + inChannels
                    + ", out=" + outChannels + ", groups=" + groups);
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2D: groups " + groups + " must divide both in=" + inChannels
                    + " and out=" + outChannels + " channels");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = Pairs.of("Conv2D", "kernel", kernel, 1);
        this.stride = Pairs.of("Conv2D", "stride", stride, 1);
        this.padding = Pairs.of("Conv2D", "padding", padding, 0);
        this.dilation = Pairs.of("Conv2D", "dilation", dilation, 1);
        this.groups = groups;
        this.hasBias = bias;
        int fanIn = inChannels / groups * this.kernel[0] * this.kernel[1];
        registerParameter("weight",
                Init.uniform(random, fanIn, outChannels, inChannels / groups, this.kernel[0], this.kernel[1]));
        if (bias) {
            registerParameter("bias", Init.uniform(random, fanIn, outChannels));
        }
    }

    /** A square {@code kernel x kernel} convolution with bias, no dilation and one group. */
    public Conv2D(int inChannels, int outChannels, int kernel, int stride, int padding, Random random) {
        this(inChannels, outChannels, Pairs.square(kernel), Pairs.square(stride), Pairs.square(padding),
                Pairs.square(1), 1, true, random);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.conv2d(singleInput(inputs), weight(), bias(), stride, padding, dilation, groups);
    }

    public int inChannels() {
        return inChannels;
    }

    @Override
    public int outChannels() {
        return outChannels;
    }

    /** {kh, kw}. */
    public int[] kernel() {
        return kernel.clone();
    }

    /** {h, w}. */
    public int[] stride() {
        return stride.clone();
    }

    /** Zero padding on each side, {h, w}. */
    public int[] padding() {
        return padding.clone();
    }

    /** {h, w}. */
    public int[] dilation() {
        return dilation.clone();
    }

    @Override
    public int groups() {
        return groups;
    }

    /** 1: the channels of NCHW inputs. */
    @Override
    public int inputChannelAxis() {
        return 1;
    }

    @Override
    public Conv2D withParameters(Tensor weight, Tensor bias) {
        return KernelState.loaded(new Conv2D(inChannels, outChannels, kernel, stride, padding, dilation, groups,
                bias != null, new Random(0)), weight, bias);
    }

    /** This convolution with {@code padding} instead of its own, on copies of its parameters. */
    public Conv2D withPadding(int[] padding) {
        return KernelState.loaded(new Conv2D(inChannels, outChannels, kernel, stride, padding, dilation, groups,
                hasBias, new Random(0)), weight(), bias());
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** The {@code [out, in / groups, kh, kw]} weight. */
    @Override
    public Tensor weight() {
        return parameter("weight");
    }

    /** The {@code [out]} bias, or null for a layer built without one. */
    @Override
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }
}
