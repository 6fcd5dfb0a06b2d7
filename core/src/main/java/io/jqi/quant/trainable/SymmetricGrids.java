package io.jqi.quant.trainable;

import io.jqi.quant.PowerOfTwo;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizerChecks;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The arithmetic the symmetric and power-of-two trainable quantizers share. The forward uses the same float32
 * operations in the same order as {@link io.jqi.quant.AffineGrid} ({@code x / step}, rint, {@code + 0}, clamp,
 * {@code * step}), so a converted quantizer reproduces it bit for bit.
 */
final class SymmetricGrids {
    private SymmetricGrids() {
    }

    /** {@code 2^(n - s)}: the number of steps in T. */
    static float levels(int bits, boolean signed) {
        return (float) (1L << (signed ? bits - 1 : bits));
    }

    static float qmin(int bits, boolean signed) {
        return signed ? -levels(bits, true) : 0f;
    }

    static float qmax(int bits, boolean signed) {
        return levels(bits, signed) - 1f;
    }

    /** The PTQ thresholds, checked, raised to the min threshold and rounded up to powers of two for POT. */
    static float[] initialThresholds(TrainableQuantizerConfig config, boolean roundPowerOfTwo) {
        float[] t = config.params().threshold();
        for (int i = 0; i < t.length; i++) {
            if (roundPowerOfTwo && config.method() == QuantizationMethod.POWER_OF_TWO) {
                t[i] = PowerOfTwo.roundUp(Math.max(t[i], config.minThreshold()));
            }
        }
        return t;
    }

    /**
     * The threshold the forward pass uses: {@code threshold} itself, or for POWER_OF_TWO its power-of-two round-up
     * with the gradient passed straight through to the learned value. The reference uses the raw value in training
     * and rounds up only at conversion, so a trained model's outputs jump at finalize; jqi trains on the grid it
     * deploys, so finalize changes nothing (docs/numerics.md).
     */
    static Tensor effectiveThreshold(Tensor threshold, TrainableQuantizerConfig config) {
        if (config.method() != QuantizationMethod.POWER_OF_TWO) {
            return threshold;
        }
        // PowerOfTwo.roundUp(Math.max(t, minThreshold)) as tensor ops, bit for bit, so it stays on the tensor's device.
        Tensor rounded = threshold.detach().clamp(config.minThreshold(), Float.POSITIVE_INFINITY).ceilPowerOfTwo();
        return Tensor.straightThrough(rounded, threshold);
    }

    /** Rounds onto the grid: rint(x / step) + 0, the zero point that turns -0.0 into +0.0 as the affine grid does. */
    static Tensor roundedSteps(Tensor x, Tensor step) {
        return x.div(step).steRound().add(0f);
    }

    static void requireThresholdShape(Shape shape, float[] thresholds, boolean perChannel, int axis) {
        QuantizerChecks.requireThresholds(thresholds, perChannel);
        if (perChannel && shape != null && shape.rank() > 0 && shape.dim(axis) != thresholds.length) {
            throw new IllegalArgumentException("The config has " + thresholds.length + " per-channel thresholds but the "
                    + "tensor of shape " + shape + " has " + shape.dim(axis) + " channels on axis " + axis);
        }
    }
}
