package io.jqi.cuda;

import io.jqi.quant.trainable.LsqGradientScale;

/**
 * LSQ's gradient scale g, computed as the CPU quantizers in {@code io.jqi.quant.trainable} compute it (spec 7.3):
 * {@code 1 / sqrt(Qp * count)} in double, rounded to float once, where count is MCT's channel count or the LSQ
 * paper's element count. The GPU tests compare against those classes' autograd, which catches any drift.
 */
public final class LsqGradScales {
    private LsqGradScales() {
    }

    /** LSQWeightQATQuantizer: Qp = 2^(n-1) - 1; MCT counts the thresholds, PAPER the weights. */
    public static float symmetricWeights(int bits, LsqGradientScale mode, int thresholds, long weights) {
        KernelChecks.requireBits(bits);
        double qp = (double) ((1L << (bits - 1)) - 1);
        return scale(qp, mode == LsqGradientScale.MCT ? thresholds : weights);
    }

    /** LSQSymmetricActivationTrainableQuantizer on an input of {@code shape}: Qp = 2^(n-s) - 1. */
    public static float symmetricActivations(int bits, boolean signed, LsqGradientScale mode, int[] shape) {
        KernelChecks.requireBits(bits);
        double qp = (double) ((1L << (signed ? bits - 1 : bits)) - 1);
        return scale(qp, Math.max(activationCount(mode, shape), 1));
    }

    /** LSQUniformWeightQATQuantizer: Qp = 2^n - 1; MCT counts the ranges, PAPER the weights. */
    public static float uniformWeights(int bits, LsqGradientScale mode, int ranges, long weights) {
        KernelChecks.requireBits(bits);
        return scale((double) ((1L << bits) - 1), mode == LsqGradientScale.MCT ? ranges : weights);
    }

    /** LSQUniformActivationTrainableQuantizer on an input of {@code shape}: Qp = 2^n - 1. */
    public static float uniformActivations(int bits, LsqGradientScale mode, int[] shape) {
        KernelChecks.requireBits(bits);
        return scale((double) ((1L << bits) - 1), Math.max(activationCount(mode, shape), 1));
    }

    /** MCT: the channels of NCHW (axis 1), 1 below rank 2; PAPER: the features of one sample. */
    private static long activationCount(LsqGradientScale mode, int[] shape) {
        long numel = 1;
        for (int d : shape) {
            numel *= d;
        }
        if (mode == LsqGradientScale.MCT) {
            return shape.length >= 2 ? shape[1] : 1;
        }
        return shape.length >= 1 && shape[0] > 0 ? numel / shape[0] : numel;
    }

    private static float scale(double qp, long count) {
        return (float) (1.0 / Math.sqrt(qp * (double) count));
    }
}
