package io.jqi.quant.trainable;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricTrainableQuantizersTest {

    private static TrainableQuantizerActivationConfig activation(QuantizationMethod m, int bits, float t,
            boolean signed) {
        return TrainableQuantizerActivationConfig.of(m, bits, QuantizationParams.threshold(t, signed));
    }

    private static TrainableQuantizerWeightsConfig weights(QuantizationMethod m, int bits, float[] t, int axis) {
        return TrainableQuantizerWeightsConfig.perChannel(m, bits, t, axis);
    }

    private static <Q extends TrainableQuantizer> Q initialized(Q q, Shape shape, String name) {
        q.initializeQuantization(shape, name, new MapHost());
        return q;
    }

    /** Per-element dq/dT: one backward pass per element with a one-hot output gradient. */
    private static float[] thresholdGradientPerElement(TrainableQuantizer q, Tensor x, Tensor threshold) {
        float[] out = new float[x.numel()];
        for (int i = 0; i < out.length; i++) {
            threshold.zeroGrad();
            float[] oneHot = new float[out.length];
            oneHot[i] = 1f;
            q.forward(x, true).backward(Tensor.of(oneHot, x.shape()));
            out[i] = threshold.grad().item();
        }
        return out;
    }

    @Test
    void steActivationMatchesSpecExampleT14() {
        var q = initialized(new STESymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 2, 2f, true)),
                null, "activation_holder_quantizer_out");
        Tensor x = Tensor.vector(0.3f, -2.7f, 5.0f, -0.6f).requiresGrad(true);
        Tensor y = q.forward(x, true);
        assertArrayEquals(new float[] {0f, -2f, 1f, -1f}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, x.grad().toFloatArray());
        Tensor t = q.quantizerVariable("activation_holder_quantizer_out");
        assertEquals(-2.0f, t.grad().item(), 1e-6f);
        assertArrayEquals(new float[] {-0.15f, 0.35f, -2.0f, -0.2f}, thresholdGradientPerElement(q, x.detach(), t),
                1e-6f);
    }

    @Test
    void clippedSteMasksTheInputGradientOutsideTheRangeLikeKeras() {
        var q = initialized(new STESymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 2, 2f, true), false,
                SteInputGradient.CLIPPED), null, "out");
        Tensor x = Tensor.vector(0.3f, -2.7f, 5.0f, -0.6f).requiresGrad(true);
        q.forward(x, true).sum().backward();
        assertArrayEquals(new float[] {1f, 0f, 0f, 1f}, x.grad().toFloatArray());
    }

    @Test
    void lsqWeightGradientsFollowTheSpecFormulasPerChannel() {
        Random random = new Random(5);
        int bits = 4;
        float[] t = {0.8f, 1.7f, 0.35f};
        var q = initialized(new LSQWeightQATQuantizer(weights(SYMMETRIC, bits, t, 0)), Shape.of(3, 10), "weight");
        Tensor x = Tensor.randn(random, 3, 10).mul(1.2f).requiresGrad(true);
        Tensor w = Tensor.randn(random, 3, 10);
        q.forward(x, true).mul(w).sum().backward();

        float[] xv = x.toFloatArray();
        float[] wv = w.toFloatArray();
        double levels = 1 << (bits - 1);
        double qmin = -levels;
        double qmax = levels - 1;
        double g = 1.0 / Math.sqrt(qmax * 3);
        float[] expectedX = new float[30];
        double[] expectedT = new double[3];
        for (int i = 0; i < 30; i++) {
            int c = i / 10;
            float step = t[c] / (float) levels;
            float v = xv[i] / step;
            double r = Math.rint(v);
            boolean inside = r >= qmin && r <= qmax;
            double clipped = Math.min(Math.max(r, qmin), qmax);
            expectedX[i] = inside ? wv[i] : 0f;
            expectedT[c] += wv[i] * (inside ? r - v : clipped) * g / levels;
        }
        // dq/dx = m exactly (docs/quantizer-contract.md#lsq-quantizers); in float32 the chain rule computes
        // w * step / step, within an ulp of it.
        assertArrayEquals(expectedX, x.grad().toFloatArray(), 1e-6f);
        float[] actualT = q.quantizerVariable("weight_ptq_threshold_tensor").grad().toFloatArray();
        for (int c = 0; c < 3; c++) {
            assertEquals(expectedT[c], actualT[c], 1e-5 * Math.max(1, Math.abs(expectedT[c])), "channel " + c);
        }
    }

    @Test
    void inTheClippedRegionTheLsqThresholdGradientIsGTimesTheFiniteDifference() {
        // Away from rounding ties and inside the clipped region the forward is smooth in T (q = c * T / 2^(n-s)), so
        // the true derivative exists; LSQ's gradient is it, scaled by g.
        int bits = 4;
        float t0 = 1.3f;
        Tensor x = Tensor.of(new float[] {5f, -7f, 9.5f, -3.2f, 4.4f, 6f}, 2, 3);
        var q = initialized(new LSQSymmetricActivationTrainableQuantizer(activation(SYMMETRIC, bits, t0, true)),
                null, "out");
        q.forward(x, true).sum().backward();
        float analytic = q.quantizerVariable("out").grad().item();

        double eps = 1e-3;
        double plus = sumOfForward(bits, t0 + eps, x);
        double minus = sumOfForward(bits, t0 - eps, x);
        double numeric = (plus - minus) / (2 * eps);
        double g = 1.0 / Math.sqrt((Math.pow(2, bits - 1) - 1) * 3); // C_in = x.shape[1] = 3
        assertEquals(g * numeric, analytic, 1e-4 * Math.abs(g * numeric));
    }

    private static double sumOfForward(int bits, double threshold, Tensor x) {
        var q = initialized(new LSQSymmetricActivationTrainableQuantizer(activation(SYMMETRIC, bits, (float) threshold,
                true)), null, "out");
        double s = 0;
        for (float v : q.forward(x, false).toFloatArray()) {
            s += v;
        }
        return s;
    }

    @Test
    void lsqActivationGradientScaleUsesTheInputChannels() {
        int bits = 8;
        var q = initialized(new LSQSymmetricActivationTrainableQuantizer(activation(SYMMETRIC, bits, 4f, false)),
                null, "out");
        Tensor x = Tensor.of(new float[] {0.37f, 5f, 1.01f, 2.2f, 3.9f, 9f}, 1, 3, 2); // C_in = 3
        q.forward(x, true).sum().backward();
        double step = 4.0 / 256;
        double g = 1.0 / Math.sqrt(255.0 * 3);
        double expected = 0;
        for (float v : x.toFloatArray()) {
            double r = Math.rint(v / step);
            expected += (r <= 255 ? r - v / step : 255) * g / 256;
        }
        assertEquals(expected, q.quantizerVariable("out").grad().item(), 1e-5);
    }

    @Test
    void paperGradientScaleCountsTheElementsInstead() {
        var mct = initialized(new LSQWeightQATQuantizer(weights(SYMMETRIC, 4, new float[] {1f}, 0)), Shape.of(1, 50),
                "w");
        var paper = initialized(new LSQWeightQATQuantizer(weights(SYMMETRIC, 4, new float[] {1f}, 0),
                LsqGradientScale.PAPER), Shape.of(1, 50), "w");
        Tensor x = Tensor.randn(new Random(2), 1, 50);
        mct.forward(x, true).sum().backward();
        paper.forward(x, true).sum().backward();
        float ratio = mct.quantizerVariable("w_ptq_threshold_tensor").grad().item()
                / paper.quantizerVariable("w_ptq_threshold_tensor").grad().item();
        assertEquals(Math.sqrt(50.0), ratio, 1e-3);
    }

    @Test
    void steWeightsTrainTheWeightsButNotTheThreshold() {
        var q = initialized(new STEWeightQATQuantizer(weights(SYMMETRIC, 8, new float[] {1f, 2f}, 0)), Shape.of(2, 3),
                "weight");
        assertFalse(q.quantizerVariable("weight_ptq_threshold_tensor").requiresGrad());
        Tensor x = Tensor.of(new float[] {0.1f, 5f, -7f, 0.2f, 0.3f, -9f}, 2, 3).requiresGrad(true);
        q.forward(x, true).sum().backward();
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f, 1f}, x.grad().toFloatArray());
    }

    @Test
    void convertedQuantizersReproduceTheTrainableForwardBitForBit() {
        Random random = new Random(11);
        Tensor x = Tensor.randn(random, 4, 6, 5).mul(3f);
        float[] special = x.toFloatArray();
        special[0] = -0f;
        special[1] = 0.25f * 0.5f / 128f; // an exact tie of the 8-bit grid of T = 0.25
        special[2] = Float.POSITIVE_INFINITY;
        special[3] = -1e30f;
        x = Tensor.of(special, x.shape());
        float[] t4 = {0.25f, 1.5f, 3f, 0.7f};
        List<TrainableQuantizer> quantizers = List.of(
                initialized(new STEWeightQATQuantizer(weights(SYMMETRIC, 8, t4, 0)), x.shape(), "a"),
                initialized(new STEWeightQATQuantizer(weights(POWER_OF_TWO, 4, new float[] {0.3f, 1f, 2f, 4f, 0.5f},
                        -1)), x.shape(), "b"),
                initialized(new LSQWeightQATQuantizer(weights(SYMMETRIC, 3, new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 1)),
                        x.shape(), "c"),
                initialized(new STESymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 8, 2.5f, true)), null,
                        "d"),
                initialized(new LSQSymmetricActivationTrainableQuantizer(activation(POWER_OF_TWO, 5, 4f, false)), null,
                        "e"));
        for (TrainableQuantizer q : quantizers) {
            float[] trainable = q.forward(x, true).toFloatArray();
            float[] inferable = q.convertToInferable().quantize(x).toFloatArray();
            for (int i = 0; i < trainable.length; i++) {
                assertEquals(Float.floatToRawIntBits(inferable[i]), Float.floatToRawIntBits(trainable[i]),
                        q.getClass().getSimpleName() + " element " + i + ": " + trainable[i] + " vs " + inferable[i]);
            }
        }
    }

    @Test
    void powerOfTwoWeightThresholdsAreRoundedUpAtInitialisation() {
        var q = initialized(new STEWeightQATQuantizer(new TrainableQuantizerWeightsConfig(POWER_OF_TWO, 8,
                QuantizationParams.threshold(0.3f, 1e-9f), true, 0, true, 0x1p-16f)), Shape.of(2, 2), "w");
        assertArrayEquals(new float[] {0.5f, 0x1p-16f}, q.quantizerVariable("w_ptq_threshold_tensor").toFloatArray());
        InferableQuantizer inferable = q.convertToInferable();
        assertEquals(WeightsPOTInferableQuantizer.class, inferable.getClass());
    }

    @Test
    void powerOfTwoActivationsKeepThePtqThresholdAndSnapUpAtConversion() {
        var q = initialized(new LSQSymmetricActivationTrainableQuantizer(activation(POWER_OF_TWO, 8, 0.3f, true)), null,
                "out");
        assertEquals(0.3f, q.quantizerVariable("out").item());
        var converted = (ActivationPOTInferableQuantizer) q.convertToInferable();
        assertEquals(0.5f, converted.threshold());
        assertTrue(converted.signed());
    }

    @Test
    void convertedSymmetricWeightsKeepChannelAxisAndThresholds() {
        var q = initialized(new LSQWeightQATQuantizer(weights(SYMMETRIC, 4, new float[] {0.7f, 1.1f}, -1)),
                Shape.of(3, 2), "w");
        var converted = (WeightsSymmetricInferableQuantizer) q.convertToInferable();
        assertArrayEquals(new float[] {0.7f, 1.1f}, converted.threshold());
        assertEquals(-1, converted.channelAxis().getAsInt());
        assertEquals(4, converted.numBits());
    }

    @Test
    void steActivationThresholdIsTheHoldersOneTrainableVariableUnlessFrozen() {
        MapHost host = new MapHost();
        var q = new STESymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 8, 1f, false));
        q.initializeQuantization(null, "activation_holder_quantizer_out", host);
        assertEquals(1, host.variables.size());
        assertTrue(q.quantizerVariable("activation_holder_quantizer_out").requiresGrad());

        var frozen = initialized(new STESymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 8, 1f, false),
                true, SteInputGradient.IDENTITY), null, "out");
        assertFalse(frozen.quantizerVariable("out").requiresGrad());
    }

    @Test
    void lsqLearnsAThresholdThatLowersTheQuantizationError() {
        Random random = new Random(3);
        var q = initialized(new LSQSymmetricActivationTrainableQuantizer(activation(SYMMETRIC, 4, 0.2f, true)), null,
                "out");
        Tensor t = q.quantizerVariable("out");
        Tensor x = Tensor.randn(random, 64, 16);
        float first = 0f;
        float last = 0f;
        for (int step = 0; step < 200; step++) {
            t.zeroGrad();
            Tensor diff = q.forward(x, true).sub(x);
            Tensor loss = diff.mul(diff).mean();
            loss.backward();
            try (var ignored = Tensor.noGrad()) {
                t.addInPlace(-0.5f, t.grad());
            }
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(t.item() > 1.0f, "threshold grew from 0.2 to " + t.item());
        assertTrue(last < first / 10, "loss went from " + first + " to " + last);
    }

    @Test
    void aWeightsQuantizerRejectsAnActivationConfig() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new STEWeightQATQuantizer(null));
        assertTrue(e.getMessage().contains("needs a quantization config"));
        // The class is typed for weights configs; a raw subclass shows the runtime check.
        e = assertThrows(IllegalArgumentException.class, () -> new WeightsTypedForActivation(activation(SYMMETRIC, 8,
                1f, true)));
        assertEquals("Expected weight quantization configuration; received activation quantization instead.",
                e.getMessage());
    }

    @Test
    void aQuantizerRejectsAMethodItDoesNotImplement() {
        TrainableQuantizerWeightsConfig uniform = new TrainableQuantizerWeightsConfig(UNIFORM, 8,
                QuantizationParams.range(new float[] {-1f}, new float[] {1f}), true, 0, false, 0x1p-16f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new STEWeightQATQuantizer(uniform));
        assertEquals("Quantization method mismatch. Expected methods: [POWER_OF_TWO, SYMMETRIC], received: UNIFORM.",
                e.getMessage());
    }

    @Test
    void aQuantizerClassWithoutMarkQuantizerIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Unannotated(activation(SYMMETRIC, 8, 1f, true)));
        assertTrue(e.getMessage().startsWith("Quantizer class inheriting from 'TrainableQuantizer' is improperly "
                + "defined"), e.getMessage());
    }

    @Test
    void forwardBeforeInitialisationSaysWhatToCall() {
        var q = new LSQWeightQATQuantizer(weights(SYMMETRIC, 8, new float[] {1f}, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.forward(Tensor.vector(1f), true));
        assertTrue(e.getMessage().contains("call initializeQuantization"), e.getMessage());
    }

    @Test
    void perChannelThresholdsMustMatchTheTensorsChannels() {
        var q = new STEWeightQATQuantizer(weights(SYMMETRIC, 8, new float[] {1f, 2f}, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> q.initializeQuantization(Shape.of(3, 4), "w", new MapHost()));
        assertTrue(e.getMessage().contains("2 per-channel thresholds but the tensor of shape [3, 4] has 3 channels"),
                e.getMessage());
    }

    @Test
    void registryFindsTheBuiltInTrainableQuantizers() {
        QuantizerRegistry r = QuantizerRegistry.global();
        assertEquals(STEWeightQATQuantizer.class, r.trainableQuantizerClass(QuantizationTarget.WEIGHTS,
                TrainingMethod.STE, SYMMETRIC));
        assertEquals(LSQWeightQATQuantizer.class, r.trainableQuantizerClass(QuantizationTarget.WEIGHTS,
                TrainingMethod.LSQ, POWER_OF_TWO));
        assertEquals(STESymmetricActivationTrainableQuantizer.class,
                r.trainableQuantizerClass(QuantizationTarget.ACTIVATION, TrainingMethod.STE, POWER_OF_TWO));
        assertEquals(LSQSymmetricActivationTrainableQuantizer.class,
                r.trainableQuantizerClass(QuantizationTarget.ACTIVATION, TrainingMethod.LSQ, SYMMETRIC));
        assertThrows(IllegalArgumentException.class, () -> r.trainableQuantizerClass(QuantizationTarget.WEIGHTS,
                TrainingMethod.LSQ, QuantizationMethod.LUT_SYMMETRIC));
    }

    /** A quantizer that does nothing, so the two below differ only in what the base constructor checks. */
    abstract static class PassThrough extends TrainableQuantizer {
        PassThrough(TrainableQuantizerConfig config) {
            super(config, false);
        }

        @Override
        public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            return x;
        }

        @Override
        public InferableQuantizer convertToInferable() {
            return null;
        }
    }

    /** A weights-annotated quantizer handed an activation config through the untyped base constructor. */
    @MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = SYMMETRIC, identifier = "TEST")
    static final class WeightsTypedForActivation extends PassThrough {
        WeightsTypedForActivation(TrainableQuantizerConfig config) {
            super(config);
        }
    }

    static final class Unannotated extends PassThrough {
        Unannotated(TrainableQuantizerConfig config) {
            super(config);
        }
    }
}
