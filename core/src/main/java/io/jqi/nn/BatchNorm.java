package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/**
 * Batch normalization per channel of {@code [N, C]} or {@code [N, C, H, W]} inputs (PyTorch's
 * {@code BatchNorm1d} and {@code BatchNorm2d} in one class, since they differ only in the input rank): in training
 * it normalizes with the batch statistics and folds them into the running ones; in eval mode it normalizes with the
 * running statistics. Always affine. State-dict keys follow PyTorch ({@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var}); PyTorch's {@code num_batches_tracked} is not kept, since it only
 * matters for a cumulative-average momentum, which jqi does not offer.
 */
public final class BatchNorm extends Module {
    private final int numFeatures;
    private final float momentum;
    private final float eps;

    /** PyTorch's defaults: momentum 0.1, eps 1e-5. */
    public BatchNorm(int numFeatures) {
        this(numFeatures, 0.1f, 1e-5f);
    }

    /** {@code momentum} weighs the batch statistic in {@code running = (1 - momentum) * running + momentum * batch}. */
    public BatchNorm(int numFeatures, float momentum, float eps) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException("BatchNorm needs a positive channel count, got " + numFeatures);
        }
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("BatchNorm: momentum must be in [0, 1], got " + momentum);
        }
        if (!(eps > 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("BatchNorm: eps must be finite and > 0, got " + eps);
        }
        this.numFeatures = numFeatures;
        this.momentum = momentum;
        this.eps = eps;
        registerParameter("weight", Tensor.ones(numFeatures));
        registerParameter("bias", Tensor.zeros(numFeatures));
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        if ((x.rank() != 2 && x.rank() != 4) || x.shape().dim(1) != numFeatures) {
            throw new IllegalArgumentException("BatchNorm(" + numFeatures + ") expects inputs [N, " + numFeatures
                    + "] or [N, " + numFeatures + ", H, W], got " + x.shape());
        }
        return Functional.batchNorm(x, runningMean(), runningVar(), weight(), bias(), isTraining(), momentum, eps);
    }

    public int numFeatures() {
        return numFeatures;
    }

    public float momentum() {
        return momentum;
    }

    public float eps() {
        return eps;
    }

    /** The per-channel scale (gamma). */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The per-channel shift (beta). */
    public Tensor bias() {
        return parameter("bias");
    }

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }
}
