package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;
import java.util.Random;

/**
 * A fully connected layer, {@code y = x W^T + b}, over the last axis of {@code x [..., in]}. The weight is
 * {@code [out, in]} like PyTorch's {@code nn.Linear}, so state dicts map one to one.
 */
public final class Dense extends Module implements KernelLayer {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    /** A layer initialised like PyTorch's: every value uniform in {@code ±1/sqrt(in)}, drawn from {@code random}. */
    public Dense(int inFeatures, int outFeatures, boolean bias, Random random) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Dense needs positive feature counts, got in=" + inFeatures + ", out="
                    + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        registerParameter("weight", Init.uniform(random, inFeatures, outFeatures, inFeatures));
        if (bias) {
            registerParameter("bias", Init.uniform(random, inFeatures, outFeatures));
        }
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.linear(singleInput(inputs), weight(), bias());
    }

    @Override
    public int outChannels() {
        return outFeatures;
    }

    /** 1: every output reads every input feature. */
    @Override
    public int groups() {
        return 1;
    }

    /** -1: the features are the input's last axis, whatever its rank. */
    @Override
    public int inputChannelAxis() {
        return -1;
    }

    @Override
    public Dense withParameters(Tensor weight, Tensor bias) {
        return KernelState.loaded(new Dense(inFeatures, outFeatures, bias != null, new Random(0)), weight, bias);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** The {@code [out, in]} weight. */
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
