package io.jqi.quant.trainable;

import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.grid.UniformRange;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UniformTrainableQuantizersTest {

    private static TrainableQuantizerWeightsConfig weights(int bits, float[] min, float[] max, int axis) {
        return new TrainableQuantizerWeightsConfig(UNIFORM, bits, QuantizationParams.range(min, max), true, axis, true,
                TrainableQuantizerWeightsConfig.DEFAULT_MIN_THRESHOLD);
    }

    private static TrainableQuantizerActivationConfig activation(int bits, float min, float max) {
        return TrainableQuantizerActivationConfig.of(UNIFORM, bits,
                QuantizationParams.range(new float[] {min}, new float[] {max}));
    }

    private static <Q extends TrainableQuantizer> Q initialized(Q q, Shape shape) {
        q.initializeQuantization(shape, "q", new MapHost());
        return q;
    }

    @Test
    void forwardUsesTheOnnxOrderSoTiesAreDecidedOnXOverStep() {
        // n=3, [-1, 6]: step 1, zero point 1. x = 0.5 is a tie of x/step (to 0), not of (x - min)/step (1.5 to 2).
        var q = initialized(new STEUniformActivationTrainableQuantizer(activation(3, -1f, 6f)), null);
        assertArrayEquals(new float[] {0f, 2f, -1f, 6f}, q.forward(Tensor.vector(0.5f, 2.5f, -7f, 9f), true)
                .toFloatArray());
    }

    @Test
    void convertedQuantizersReproduceTheTrainableForwardBitForBit() {
        Random random = new Random(8);
        Tensor x = Tensor.randn(random, 3, 4, 5).mul(4f);
        List<TrainableQuantizer> quantizers = List.of(
                initialized(new STEUniformWeightQATQuantizer(weights(4, new float[] {-1f, 0.5f, -19.905403f},
                        new float[] {3f, 2f, 37.145397f}, 0)), x.shape()),
                initialized(new LSQUniformWeightQATQuantizer(weights(2, new float[] {-1f, -2f, -3f, -4f, -5f},
                        new float[] {-0.5f, 1f, 2f, 3f, 4f}, -1)), x.shape()),
                initialized(new STEUniformActivationTrainableQuantizer(activation(8, -0.3f, 1f)), null),
                initialized(new LSQUniformActivationTrainableQuantizer(activation(3, 0.2f, 7f)), null));
        for (TrainableQuantizer q : quantizers) {
            float[] trainable = q.forward(x, true).toFloatArray();
            float[] inferable = q.convertToInferable().quantize(x).toFloatArray();
            for (int i = 0; i < trainable.length; i++) {
                assertEquals(Float.floatToRawIntBits(inferable[i]), Float.floatToRawIntBits(trainable[i]),
                        q.getClass().getSimpleName() + " element " + i);
            }
        }
    }

    @Test
    void lsqUniformGradientsFollowTheSpecFormulas() {
        int bits = 3;
        float k = 7f;
        float lo = -1.3f;
        float hi = 2.9f;
        var q = initialized(new LSQUniformActivationTrainableQuantizer(activation(bits, lo, hi)), null);
        Tensor x = Tensor.of(new float[] {-3f, -0.7f, 0.05f, 0.9f, 1.6f, 2.2f, 4f, 3.1f}, 2, 4).requiresGrad(true);
        q.forward(x, true).sum().backward();

        // docs/quantizer-contract.md#uniform-trainable-gradients with the adjustment in its mid case:
        // r0 = round(min / sc), a = r0 * sc, delta = (max - min) / K.
        double sc = (hi - lo) / k;
        double r0 = Math.rint(lo / sc);
        double a = r0 * sc;
        double delta = sc;
        double g = 1.0 / Math.sqrt(k * 4); // C_in = x.shape[1] = 4
        double dMin = 0;
        double dMax = 0;
        float[] expectedX = new float[8];
        float[] xs = x.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double v = (xs[i] - a) / delta;
            double r = Math.rint(v);
            boolean inside = r >= 0 && r <= k;
            double c = Math.min(Math.max(r, 0), k);
            expectedX[i] = inside ? 1f : 0f;
            double dqdDelta = inside ? r - v : c;
            double dqda = inside ? 0 : 1;
            dMin += dqdDelta * g * (-1 / k) + dqda * (-r0 / k);
            dMax += dqdDelta * g * (1 / k) + dqda * (r0 / k);
        }
        assertArrayEquals(expectedX, x.grad().toFloatArray(), 1e-6f);
        assertEquals(dMin, q.quantizerVariable("q_min").grad().item(), 1e-5);
        assertEquals(dMax, q.quantizerVariable("q_max").grad().item(), 1e-5);
    }

    @Test
    void steUniformWeightsKeepTheirRangeFixedAndPassTheGradient() {
        var q = initialized(new STEUniformWeightQATQuantizer(weights(4, new float[] {-1f}, new float[] {1f}, 0)),
                Shape.of(1, 3));
        assertFalse(q.quantizerVariable("q_min").requiresGrad());
        assertFalse(q.quantizerVariable("q_max").requiresGrad());
        Tensor x = Tensor.of(new float[] {-5f, 0.3f, 5f}, 1, 3).requiresGrad(true);
        q.forward(x, true).sum().backward();
        assertArrayEquals(new float[] {1f, 1f, 1f}, x.grad().toFloatArray());
    }

    @Test
    void steUniformActivationsTrainTheirRangeUnlessFrozen() {
        var trained = initialized(new STEUniformActivationTrainableQuantizer(activation(8, -1f, 1f)), null);
        assertTrue(trained.quantizerVariable("q_min").requiresGrad());
        assertTrue(trained.quantizerVariable("q_max").requiresGrad());
        var frozen = initialized(new STEUniformActivationTrainableQuantizer(activation(8, -1f, 1f), true,
                SteInputGradient.IDENTITY), null);
        assertFalse(frozen.quantizerVariable("q_min").requiresGrad());
        assertFalse(frozen.quantizerVariable("q_max").requiresGrad());
    }

    @Test
    void conversionReadjustsTheLearnedRange() {
        var q = initialized(new LSQUniformWeightQATQuantizer(weights(2, new float[] {3f}, new float[] {10f}, 0)),
                Shape.of(1, 4));
        var converted = (WeightsUniformInferableQuantizer) q.convertToInferable();
        assertArrayEquals(UniformRange.adjust(3f, 10f, 2), new float[] {converted.minRange()[0],
            converted.maxRange()[0]});
    }

    @Test
    void aRangeThatCrossedDuringTrainingQuantizesAsTheDeviceDoesAndRefusesToConvert() {
        var q = initialized(new LSQUniformActivationTrainableQuantizer(activation(8, -1f, 1f)), null);
        try (var ignored = Tensor.noGrad()) {
            q.quantizerVariable("q_min").assign(Tensor.vector(2f));
        }
        // min > 0: the range adjustment makes it [0, max] on every backend (no host check inside a training step).
        float[] expected = new float[1];
        AffineGrid.uniform(new float[] {0f}, new float[] {1f}, 8, RoundingMode.HALF_EVEN)
                .apply(new float[] {0.5f}, expected, ChannelLayout.perTensor(1));
        assertArrayEquals(expected, q.forward(Tensor.vector(0.5f), true).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, q::convertToInferable);
        assertTrue(e.getMessage().contains("min_range must be smaller than max_range"), e.getMessage());
    }

    @Test
    void registryFindsTheUniformQuantizers() {
        QuantizerRegistry r = QuantizerRegistry.global();
        assertEquals(STEUniformWeightQATQuantizer.class, r.trainableQuantizerClass(QuantizationTarget.WEIGHTS,
                TrainingMethod.STE, UNIFORM));
        assertEquals(LSQUniformWeightQATQuantizer.class, r.trainableQuantizerClass(QuantizationTarget.WEIGHTS,
                TrainingMethod.LSQ, UNIFORM));
        assertEquals(STEUniformActivationTrainableQuantizer.class,
                r.trainableQuantizerClass(QuantizationTarget.ACTIVATION, TrainingMethod.STE, UNIFORM));
        assertEquals(LSQUniformActivationTrainableQuantizer.class,
                r.trainableQuantizerClass(QuantizationTarget.ACTIVATION, TrainingMethod.LSQ, UNIFORM));
    }
}
