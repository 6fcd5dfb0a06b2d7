package io.jqi.tensor;

/**
 * Batch normalization composed from differentiable tensor operations, so autograd derives its gradient (including
 * the terms through the batch mean and variance in training mode).
 */
final class Normalization {
    private static final String OP = "batchNorm";

    private Normalization() {
    }

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            boolean training, float momentum, float eps) {
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException(OP + ": expected an input [N, C] or [N, C, H, W] but got shape "
                    + x.shape());
        }
        int channels = x.shape().dim(1);
        requirePerChannel("runningMean", runningMean, channels);
        requirePerChannel("runningVar", runningVar, channels);
        requirePerChannel("weight", weight, channels);
        requirePerChannel("bias", bias, channels);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(OP + ": pass both runningMean and runningVar, or neither (then batch "
                    + "statistics are used in eval mode too)");
        }
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException(OP + ": momentum must be in [0, 1] but is " + momentum);
        }
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(OP + ": eps must be a finite value >= 0 but is " + eps);
        }
        int[] axes = x.rank() == 2 ? new int[] {0} : new int[] {0, 2, 3};
        int[] statShape = x.rank() == 2 ? new int[] {1, channels} : new int[] {1, channels, 1, 1};
        Tensor centered;
        Tensor invStd;
        // Like PyTorch, modules without running statistics normalize with the batch's even in eval mode.
        if (training || runningMean == null) {
            long count = channels == 0 ? 0 : x.numel() / channels;
            if (count < 2) {
                throw new IllegalArgumentException(OP + ": batch statistics need more than one value per channel, "
                        + "but input " + x.shape() + " has " + count + "; use a larger batch, or eval mode with "
                        + "running statistics");
            }
            Tensor mean = x.mean(axes, true);
            centered = x.sub(mean);
            Tensor var = centered.mul(centered).mean(axes, true);
            invStd = reciprocal(var.add(eps).sqrt());
            if (training && runningMean != null) {
                updateRunning(runningMean, runningVar, mean, var, count, momentum);
            }
        } else {
            centered = x.sub(runningMean.reshape(statShape));
            invStd = reciprocal(runningVar.reshape(statShape).add(eps).sqrt());
        }
        // Fold the per-channel factors first: one full-size multiply instead of two.
        Tensor scale = weight == null ? invStd : invStd.mul(weight.reshape(statShape));
        Tensor y = centered.mul(scale);
        return bias == null ? y : y.add(bias.reshape(statShape));
    }

    /** PyTorch's update: the variance estimate is unbiased even though normalization used the biased one. */
    private static void updateRunning(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor var, long count,
            float momentum) {
        int channels = runningMean.numel();
        GradMode.Scope noGrad = Tensor.noGrad();
        try {
            Tensor batchMean = mean.reshape(channels);
            Tensor unbiased = var.reshape(channels).mul((float) ((double) count / (count - 1)));
            runningMean.assign(runningMean.mul(1f - momentum).add(batchMean.mul(momentum)));
            runningVar.assign(runningVar.mul(1f - momentum).add(unbiased.mul(momentum)));
        } finally {
            noGrad.close();
        }
    }

    private static Tensor reciprocal(Tensor x) {
        return Elementwise.map(UnaryOp.RECIPROCAL, x, 0f, 0f);
    }

    private static void requirePerChannel(String name, Tensor t, int channels) {
        if (t != null && (t.rank() != 1 || t.shape().dim(0) != channels)) {
            throw new IllegalArgumentException(OP + ": " + name + " must have shape [" + channels + "] to match the "
                    + "input's " + channels + " channels, but has shape " + t.shape());
        }
    }
}
