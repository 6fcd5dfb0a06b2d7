package io.jqi.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Batch normalization. In training mode (and without running statistics) one node: the backend's batch statistics
 * and affine map forward, the closed-form gradient through the batch mean and variance backward
 * ({@link Backend#batchNormBackward}). In eval mode with running statistics a composition of differentiable tensor
 * operations, fused into one pass when no gradient is recorded.
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
        int outer = x.shape().dim(0);
        int inner = x.numel() / Math.max(1, outer * channels);
        Backend b = x.backend();
        // Like PyTorch, modules without running statistics normalize with the batch's even in eval mode.
        if (training || runningMean == null) {
            long count = channels == 0 ? 0 : x.numel() / channels;
            if (count < 2) {
                throw new IllegalArgumentException(OP + ": batch statistics need more than one value per channel, "
                        + "but input " + x.shape() + " has " + count + "; use a larger batch, or eval mode with "
                        + "running statistics");
            }
            Storage[] moments = b.channelMoments(x.storage(), outer, channels, inner);
            Tensor mean = Tensor.ofStorage(Shape.of(channels), moments[0]);
            Tensor var = Tensor.ofStorage(Shape.of(channels), moments[1]);
            Tensor invStd = reciprocal(var.add(eps).sqrt());
            if (training && runningMean != null) {
                updateRunning(runningMean, runningVar, mean, var, count, momentum);
            }
            return normalized(x, outer, channels, inner, mean, invStd, weight, bias);
        }
        int[] statShape = x.rank() == 2 ? new int[] {1, channels} : new int[] {1, channels, 1, 1};
        Tensor invStd = reciprocal(runningVar.add(eps).sqrt());
        Tensor scale = weight == null ? invStd : invStd.mul(weight);
        if (!GradMode.isEnabled()) {
            // Inference: the composition below in one pass, same bits.
            return Tensor.ofStorage(x.shape(), b.normalizeChannels(x.storage(), outer, channels, inner,
                    runningMean.storage(), scale.storage(), bias == null ? null : bias.storage()));
        }
        Tensor y = x.sub(runningMean.reshape(statShape)).mul(scale.reshape(statShape));
        return bias == null ? y : y.add(bias.reshape(statShape));
    }

    /**
     * {@code ((x - mean) * (invStd * weight)) + bias} with the batch statistics' own gradient
     * ({@link Backend#batchNormBackward}) to x, weight and bias: the batch statistics are functions of x.
     */
    private static Tensor normalized(Tensor x, int outer, int channels, int inner, Tensor mean, Tensor invStd,
            Tensor weight, Tensor bias) {
        Backend b = x.backend();
        Tensor scale = weight == null ? invStd : invStd.mul(weight);
        // The output can be computed again from what the backward keeps anyway (SavedTensor): a quantizer that reads
        // it for its threshold's gradient then keeps this recipe instead of the values.
        Supplier<Storage> compute = () -> b.normalizeChannels(x.storage(), outer, channels, inner, mean.storage(),
                scale.storage(), bias == null ? null : bias.storage());
        SavedTensor.Recipe recipe = bias == null ? new SavedTensor.Recipe(compute, x, mean, scale)
                : new SavedTensor.Recipe(compute, x, mean, scale, bias);
        Storage y = compute.get();
        List<Tensor> inputs = new ArrayList<>(List.of(x));
        if (weight != null) {
            inputs.add(weight);
        }
        if (bias != null) {
            inputs.add(bias);
        }
        return Tensor.result(x.shape(), y, g -> {
            Storage[] grads = b.batchNormBackward(x.storage(), g.storage(), outer, channels, inner, mean.storage(),
                    invStd.storage(), weight == null ? null : weight.storage());
            Tensor[] out = new Tensor[inputs.size()];
            out[0] = Tensor.ofStorage(x.shape(), grads[0]);
            int next = 1;
            if (weight != null) {
                out[next++] = Tensor.ofStorage(weight.shape(), grads[1]);
            }
            if (bias != null) {
                out[next] = Tensor.ofStorage(bias.shape(), grads[2]);
            }
            return out;
        }, inputs.toArray(new Tensor[0])).recomputedBy(recipe);
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
