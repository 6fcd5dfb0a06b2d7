package io.jqi.cuda;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.trainable.LSQSymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.LSQUniformActivationTrainableQuantizer;
import io.jqi.quant.trainable.LSQUniformWeightQATQuantizer;
import io.jqi.quant.trainable.LSQWeightQATQuantizer;
import io.jqi.quant.trainable.GradientRule;
import io.jqi.quant.trainable.LsqGradientScale;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.STESymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.STEUniformActivationTrainableQuantizer;
import io.jqi.quant.trainable.STEUniformWeightQATQuantizer;
import io.jqi.quant.trainable.STEWeightQATQuantizer;
import io.jqi.quant.trainable.SteInputGradient;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every trainable quantizer class with each of its gradient options, on weights per tensor and per channel on
 * several axes and on NCHW activations. {@code scale} multiplies every shape's leading extent, so the CPU tests run
 * small tensors and the GPU tests tensors large enough for many blocks per channel.
 */
final class TrainableCases {
    private static final float MIN_THRESHOLD = TrainableQuantizerWeightsConfig.DEFAULT_MIN_THRESHOLD;
    // Thresholds: ordinary, power-of-two, not a power of two (POT rounds it up), tiny, below the min threshold.
    private static final float[] THRESHOLDS = {1f, 0.5f, 1.7f, 3.3f, 0.03125f, 0.3f, 1e-6f, 8f};
    // Ranges around zero, entirely above zero and entirely below (the range adjustment's three branches).
    private static final float[] MINS = {-0.3f, -1f, 0.2f, -2.5f, -0.01f, -5f, -0.7f, -1.1f};
    private static final float[] MAXS = {1.2f, 1f, 3f, -0.5f, 4f, 0.3f, 0.9f, 2.2f};

    private TrainableCases() {
    }

    static Stream<TrainableCase> all(int scale) {
        List<TrainableCase> cases = new ArrayList<>();
        // The last shape has several blocks per channel with the channel axis inside (outer > 1) at every scale, so
        // the per-channel reduction across blocks and the strided indexing meet.
        int[][] weightShapes = {{8 * scale, 96}, {6 * scale, 8, 3, 3}, {4 * scale, 5, 8}, {2 * scale, 3, 48, 48}};
        int[] weightAxes = {0, 1, -1, 1};
        int[] activations = {2 * scale, 8, 12, 12};
        for (QuantizationMethod method : new QuantizationMethod[] {SYMMETRIC, POWER_OF_TWO}) {
            boolean pot = method == POWER_OF_TWO;
            for (SteInputGradient ste : SteInputGradient.values()) {
                for (int s = 0; s < weightShapes.length; s++) {
                    int[] shape = weightShapes[s];
                    int axis = weightAxes[s];
                    float[] t = channels(THRESHOLDS, shape, axis);
                    cases.add(symmetric("STE weights " + method + " " + ste, () -> new STEWeightQATQuantizer(
                            TrainableQuantizerWeightsConfig.perChannel(method, 4, t.clone(), axis), ste), 4, true,
                            pot, GradientRule.ste(ste), false, shape, axis, t));
                }
                for (boolean signed : new boolean[] {true, false}) {
                    float t = 1.7f;
                    cases.add(symmetric("STE activations " + method + " " + ste + (signed ? " signed" : " unsigned"),
                            () -> new STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig.of(
                                    method, 3, QuantizationParams.threshold(t, signed)), false, ste),
                            3, signed, pot, GradientRule.ste(ste), true, activations, null, new float[] {t}));
                }
            }
            for (LsqGradientScale mode : LsqGradientScale.values()) {
                for (int s = 0; s < weightShapes.length; s++) {
                    int[] shape = weightShapes[s];
                    int axis = weightAxes[s];
                    float[] t = channels(THRESHOLDS, shape, axis);
                    cases.add(symmetric("LSQ weights " + method + " " + mode, () -> new LSQWeightQATQuantizer(
                            TrainableQuantizerWeightsConfig.perChannel(method, 4, t.clone(), axis), mode), 4, true,
                            pot, GradientRule.lsq(mode), true, shape, axis, t));
                }
                float[] perTensor = {0.75f};
                cases.add(symmetric("LSQ weights per tensor " + method + " " + mode, () -> new LSQWeightQATQuantizer(
                        new TrainableQuantizerWeightsConfig(method, 8, QuantizationParams.threshold(perTensor.clone()),
                                true, 0, false, MIN_THRESHOLD), mode), 8, true, pot,
                        GradientRule.lsq(mode), true, weightShapes[0], null, perTensor));
                for (boolean signed : new boolean[] {true, false}) {
                    float t = 2.5f;
                    cases.add(symmetric("LSQ activations " + method + " " + mode + (signed ? " signed" : " unsigned"),
                            () -> new LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig.of(
                                    method, 4, QuantizationParams.threshold(t, signed)), mode),
                            4, signed, pot, GradientRule.lsq(mode), true, activations, null, new float[] {t}));
                }
            }
        }
        for (SteInputGradient ste : SteInputGradient.values()) {
            for (int s = 0; s < weightShapes.length; s++) {
                int[] shape = weightShapes[s];
                int axis = weightAxes[s];
                float[] lo = channels(MINS, shape, axis);
                float[] hi = channels(MAXS, shape, axis);
                cases.add(uniform("STE uniform weights " + ste, () -> new STEUniformWeightQATQuantizer(
                        uniformWeights(5, lo, hi, axis, true), ste), 5, GradientRule.ste(ste), false, shape, axis,
                        lo, hi));
            }
            float[] lo = {-0.4f};
            float[] hi = {2.1f};
            cases.add(uniform("STE uniform activations " + ste, () -> new STEUniformActivationTrainableQuantizer(
                    TrainableQuantizerActivationConfig.of(UNIFORM, 3, QuantizationParams.range(lo.clone(),
                            hi.clone())), false, ste), 3, GradientRule.ste(ste), true, activations, null, lo, hi));
        }
        for (LsqGradientScale mode : LsqGradientScale.values()) {
            for (int s = 0; s < weightShapes.length; s++) {
                int[] shape = weightShapes[s];
                int axis = weightAxes[s];
                float[] lo = channels(MINS, shape, axis);
                float[] hi = channels(MAXS, shape, axis);
                cases.add(uniform("LSQ uniform weights " + mode, () -> new LSQUniformWeightQATQuantizer(
                        uniformWeights(4, lo, hi, axis, true), mode), 4, GradientRule.lsq(mode), true, shape, axis,
                        lo, hi));
            }
            float[] lo = {-1.3f};
            float[] hi = {0.6f};
            cases.add(uniform("LSQ uniform weights per tensor " + mode, () -> new LSQUniformWeightQATQuantizer(
                    uniformWeights(8, lo, hi, 0, false), mode), 8, GradientRule.lsq(mode), true, weightShapes[1],
                    null, lo, hi));
            float[] aLo = {-0.4f};
            float[] aHi = {2.1f};
            cases.add(uniform("LSQ uniform activations " + mode, () -> new LSQUniformActivationTrainableQuantizer(
                    TrainableQuantizerActivationConfig.of(UNIFORM, 4, QuantizationParams.range(aLo.clone(),
                            aHi.clone())), mode), 4, GradientRule.lsq(mode), true, activations, null, aLo, aHi));
        }
        return cases.stream();
    }

    private static TrainableCase symmetric(String name, Supplier<TrainableQuantizer> factory, int bits,
            boolean signed, boolean pot, GradientRule rule, boolean trains,
            int[] shape, Integer axis, float[] thresholds) {
        return new TrainableCase(name, factory, false, bits, signed, pot, MIN_THRESHOLD, rule, trains, shape, axis,
                thresholds, null, null);
    }

    private static TrainableCase uniform(String name, Supplier<TrainableQuantizer> factory, int bits,
            GradientRule rule, boolean trains, int[] shape, Integer axis,
            float[] mins, float[] maxs) {
        return new TrainableCase(name, factory, true, bits, true, false, MIN_THRESHOLD, rule, trains, shape, axis,
                null, mins, maxs);
    }

    private static TrainableQuantizerWeightsConfig uniformWeights(int bits, float[] lo, float[] hi, int axis,
            boolean perChannel) {
        return new TrainableQuantizerWeightsConfig(UNIFORM, bits, QuantizationParams.range(lo.clone(), hi.clone()),
                true, axis, perChannel, MIN_THRESHOLD);
    }

    /** One value per channel on {@code axis}, cycling through {@code values}. */
    private static float[] channels(float[] values, int[] shape, int axis) {
        int n = shape[axis < 0 ? shape.length + axis : axis];
        float[] out = new float[n];
        for (int c = 0; c < n; c++) {
            out[c] = values[c % values.length];
        }
        return out;
    }
}
