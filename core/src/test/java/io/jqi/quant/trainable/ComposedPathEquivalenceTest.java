package io.jqi.quant.trainable;

import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.quant.QuantizationMethod;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in trainable quantizer, one fake-quantization node on the backend's fused primitive, against the
 * element-wise tensor ops jqi composed before (kept here as the reference): the forward, the input gradient and the
 * parameter gradients are the same bits on the CPU, signed zeros, ties and clipped values included.
 */
class ComposedPathEquivalenceTest {
    private static final float MIN_THRESHOLD = TrainableQuantizerWeightsConfig.DEFAULT_MIN_THRESHOLD;

    /** One quantizer and the composed expression of the same quantizer over its variables. */
    private record Case(Supplier<TrainableQuantizer> quantizer, int[] shape,
            Function<Map<String, Tensor>, Function<Tensor, Tensor>> reference) {
    }

    static Stream<Named<Case>> cases() {
        List<Named<Case>> out = new ArrayList<>();
        int[] weights = {6, 5, 3};
        int[] activations = {3, 4, 5, 5};
        float[] thresholds = {1f, 0.7f, 1e-6f, 3.3f, 0.25f, 0.031f};
        for (QuantizationMethod m : new QuantizationMethod[] {SYMMETRIC, POWER_OF_TWO}) {
            for (SteInputGradient ste : SteInputGradient.values()) {
                boolean clipped = ste == SteInputGradient.CLIPPED;
                out.add(Named.of("STE weights " + m + " " + ste, new Case(() -> new STEWeightQATQuantizer(
                        TrainableQuantizerWeightsConfig.perChannel(m, 3, thresholds.clone(), 0), ste), weights,
                        v -> x -> symmetric(x, v.get("w_ptq_threshold_tensor"), m, 3, true, 0, clipped, null))));
                for (boolean signed : new boolean[] {true, false}) {
                    out.add(Named.of("STE activations " + m + " " + ste + " signed " + signed, new Case(
                            () -> new STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig.of(m, 4,
                                    QuantizationParams.threshold(2.3f, signed)), false, ste), activations,
                            v -> x -> symmetric(x, v.get("w"), m, 4, signed, null, clipped, null))));
                }
            }
            for (LsqGradientScale mode : LsqGradientScale.values()) {
                out.add(Named.of("LSQ weights " + m + " " + mode, new Case(() -> new LSQWeightQATQuantizer(
                        TrainableQuantizerWeightsConfig.perChannel(m, 4, thresholds.clone(), 0), mode), weights,
                        v -> x -> symmetric(x, v.get("w_ptq_threshold_tensor"), m, 4, true, 0, true,
                                lsq(4, true, mode == LsqGradientScale.MCT ? 6 : 90)))));
                out.add(Named.of("LSQ activations " + m + " " + mode, new Case(
                        () -> new LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig.of(m, 3,
                                QuantizationParams.threshold(1.7f, false)), mode), activations,
                        v -> x -> symmetric(x, v.get("w"), m, 3, false, null, true,
                                lsq(3, false, mode == LsqGradientScale.MCT ? 4 : 100)))));
            }
        }
        float[] mins = {-0.3f, 0.2f, -2.5f, -5f, -0.01f, -1f};
        float[] maxs = {1.2f, 3f, -0.5f, 0.3f, 4f, 1f};
        for (SteInputGradient ste : SteInputGradient.values()) {
            boolean clipped = ste == SteInputGradient.CLIPPED;
            out.add(Named.of("STE uniform weights " + ste, new Case(() -> new STEUniformWeightQATQuantizer(
                    uniformWeights(5, mins, maxs), ste), weights,
                    v -> x -> uniform(x, v.get("w_min"), v.get("w_max"), 5, 1f, clipped, 0))));
            out.add(Named.of("STE uniform activations " + ste, new Case(() -> new STEUniformActivationTrainableQuantizer(
                    TrainableQuantizerActivationConfig.of(UNIFORM, 3, QuantizationParams.range(new float[] {-0.4f},
                            new float[] {2.1f})), false, ste), activations,
                    v -> x -> uniform(x, v.get("w_min"), v.get("w_max"), 3, 1f, clipped, null))));
        }
        for (LsqGradientScale mode : LsqGradientScale.values()) {
            out.add(Named.of("LSQ uniform weights " + mode, new Case(() -> new LSQUniformWeightQATQuantizer(
                    uniformWeights(4, mins, maxs), mode), weights,
                    v -> x -> uniform(x, v.get("w_min"), v.get("w_max"), 4,
                            lsqUniform(4, mode == LsqGradientScale.MCT ? 6 : 90), true, 0))));
            out.add(Named.of("LSQ uniform activations " + mode, new Case(() -> new LSQUniformActivationTrainableQuantizer(
                    TrainableQuantizerActivationConfig.of(UNIFORM, 4, QuantizationParams.range(new float[] {-1.3f},
                            new float[] {0.6f})), mode), activations,
                    v -> x -> uniform(x, v.get("w_min"), v.get("w_max"), 4,
                            lsqUniform(4, mode == LsqGradientScale.MCT ? 4 : 100), true, null))));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndEveryGradientAreTheComposedOpsBits(Case c) {
        for (int seed = 0; seed < 4; seed++) {
            MapHost host = new MapHost();
            TrainableQuantizer quantizer = c.quantizer().get();
            quantizer.initializeQuantization(Shape.of(c.shape()), "w", host);
            Map<String, Tensor> fused = host.variables;
            Map<String, Tensor> composed = new LinkedHashMap<>();
            fused.forEach((name, v) -> composed.put(name, Tensor.of(v.toFloatArray(), v.shape())
                    .requiresGrad(v.requiresGrad())));
            float[] x = inputs(c.shape(), seed);
            float[] dy = outputGradients(x.length, seed);

            Tensor xFused = Tensor.of(x, c.shape()).requiresGrad(true);
            Tensor yFused = quantizer.forward(xFused, true);
            yFused.backward(Tensor.of(dy, c.shape()));
            Tensor xComposed = Tensor.of(x, c.shape()).requiresGrad(true);
            Tensor yComposed = c.reference().apply(composed).apply(xComposed);
            yComposed.backward(Tensor.of(dy, c.shape()));

            assertSameBits("forward", yComposed.toFloatArray(), yFused.toFloatArray());
            assertSameBits("dx", xComposed.grad().toFloatArray(), xFused.grad().toFloatArray());
            for (String name : fused.keySet()) {
                Tensor expected = composed.get(name).grad();
                Tensor actual = fused.get(name).grad();
                assertEquals(expected == null, actual == null, name + ": a gradient on one path only");
                if (expected != null) {
                    assertSameBits(name, expected.toFloatArray(), actual.toFloatArray());
                }
            }
        }
    }

    // ---------------------------------------------------------------- the composed reference

    /** The symmetric and power-of-two quantizers as element-wise ops (rint(x / step) + 0, clamp, * step). */
    private static Tensor symmetric(Tensor x, Tensor threshold, QuantizationMethod method, int bits, boolean signed,
            Integer axis, boolean hardClip, Float gradScale) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        Tensor t = threshold;
        if (method == POWER_OF_TWO) {
            t = Tensor.straightThrough(threshold.detach().clamp(MIN_THRESHOLD, Float.POSITIVE_INFINITY)
                    .ceilPowerOfTwo(), threshold);
        }
        Tensor step = alongAxis(t.div(levels), x.shape(), axis);
        if (gradScale != null) {
            step = step.gradScale(gradScale);
        }
        Tensor q = x.div(step).steRound().add(0f);
        q = hardClip ? q.clamp(qmin, qmax) : q.steClip(qmin, qmax);
        return q.mul(step);
    }

    /** The uniform quantizers: the deployed grid's value with the reference surrogate's gradient. */
    private static Tensor uniform(Tensor x, Tensor min, Tensor max, int bits, float gradScale, boolean hardClip,
            Integer axis) {
        float k = (float) ((1L << bits) - 1);
        Tensor value;
        try (var ignored = Tensor.noGrad()) {
            Tensor[] grid = Tensor.uniformGrid(min.detach(), max.detach(), bits);
            Tensor step = alongAxis(grid[0], x.shape(), axis);
            Tensor zp = alongAxis(grid[1], x.shape(), axis);
            value = x.div(step).round().add(zp).clamp(0f, k).sub(zp).mul(step);
        }
        Tensor above;
        Tensor below;
        Tensor mid;
        try (var ignored = Tensor.noGrad()) {
            above = min.detach().positive();
            below = above.neg().add(1f).mul(max.detach().neg().positive());
            mid = above.neg().add(1f).sub(below);
        }
        Tensor width = max.sub(min);
        Tensor scale = width.div(k);
        Tensor aMid = scale.mul(min.div(scale).round());
        Tensor bMid = width.add(aMid);
        Tensor lo = aMid.mul(mid).add(min.mul(below));
        Tensor hi = bMid.mul(mid).add(max.mul(above));
        // The offset as a node of its own, as a per-channel range's reshape makes it: the fused node adds its two
        // element-wise sums before the range adjustment's term (docs/numerics.md#trainable-quantizers).
        Tensor a = axis == null ? Tensor.straightThrough(lo, lo) : alongAxis(lo, x.shape(), axis);
        Tensor step = alongAxis(hi.sub(lo).div(k), x.shape(), axis).gradScale(gradScale);
        Tensor r = x.sub(a).div(step).steRound();
        Tensor c = hardClip ? r.clamp(0f, k) : r.steClip(0f, k);
        return Tensor.straightThrough(value, c.mul(step).add(a));
    }

    private static Tensor alongAxis(Tensor parameter, Shape shape, Integer axis) {
        if (axis == null) {
            return parameter;
        }
        int[] dims = new int[shape.rank()];
        Arrays.fill(dims, 1);
        dims[axis] = parameter.numel();
        return parameter.reshape(dims);
    }

    private static float lsq(int bits, boolean signed, long count) {
        return (float) (1.0 / Math.sqrt((float) ((1L << (signed ? bits - 1 : bits)) - 1) * (double) count));
    }

    private static float lsqUniform(int bits, long count) {
        return (float) (1.0 / Math.sqrt((float) ((1L << bits) - 1) * (double) count));
    }

    // ---------------------------------------------------------------- inputs

    private static TrainableQuantizerWeightsConfig uniformWeights(int bits, float[] lo, float[] hi) {
        return new TrainableQuantizerWeightsConfig(UNIFORM, bits, QuantizationParams.range(lo.clone(), hi.clone()),
                true, 0, true, MIN_THRESHOLD);
    }

    /** Ordinary values, exact ties of common steps, signed zeros, tiny and huge values. */
    private static float[] inputs(int[] shape, int seed) {
        Random random = new Random(seed);
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] special = {0f, -0f, 0.5f, -0.5f, 0.125f, -0.0625f, 1e-30f, -1e-30f, 1e30f, -1e30f, 7.5f, -3.75f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : (float) random.nextGaussian() * 3f;
        }
        return x;
    }

    /** Output gradients of both signs, with signed zeros. */
    private static float[] outputGradients(int n, int seed) {
        Random random = new Random(100 + seed);
        float[] dy = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(8);
            dy[i] = kind == 0 ? 0f : kind == 1 ? -0f : (float) random.nextGaussian();
        }
        return dy;
    }

    private static void assertSameBits(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
