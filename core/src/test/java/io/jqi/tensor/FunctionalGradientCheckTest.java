package io.jqi.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@link Functional} operation's backward, for each argument combination that matters, against finite
 * differences.
 */
class FunctionalGradientCheckTest {
    private record Case(String name, Function<Tensor[], Tensor> f, Function<Random, Tensor[]> inputs) {
    }

    private static final int[] ONE = {1, 1};
    private static final int[] TWO = {2, 2};
    private static final int[] ZERO = {0, 0};

    private static Tensor r(Random random, int... shape) {
        return Tensor.randn(random, shape);
    }

    private static Tensor positive(Random random, int... shape) {
        return Tensor.uniform(random, 0.5f, 2f, shape);
    }

    /**
     * A shuffle of distinct values 0.1 apart, centred on 0: while fewer than 200, every |x| < 10, so the checker's
     * step {@code 0.01 * max(1, |x|)} stays under the gap and no perturbation changes which value is a window's max.
     */
    private static Tensor distinct(Random random, int... shape) {
        int n = Shape.of(shape).numel();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add((i - n / 2) * 0.1f);
        }
        Collections.shuffle(values, random);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = values.get(i);
        }
        return Tensor.of(v, shape);
    }

    private static Tensor conv(Tensor[] x, int[] stride, int[] padding, int[] dilation, int groups) {
        return Functional.conv2d(x[0], x[1], x.length > 2 ? x[2] : null, stride, padding, dilation, groups);
    }

    private static Tensor[] convInputs(Random rnd, int[] input, int[] weight, boolean bias) {
        Tensor x = r(rnd, input);
        Tensor w = r(rnd, weight);
        return bias ? new Tensor[] {x, w, r(rnd, weight[0])} : new Tensor[] {x, w};
    }

    private static Tensor batchNorm(Tensor[] x, boolean training, boolean affine, boolean running) {
        int channels = x[0].shape().dim(1);
        Tensor mean = running ? Tensor.uniform(new Random(5), -0.5f, 0.5f, channels) : null;
        Tensor var = running ? Tensor.uniform(new Random(6), 0.5f, 1.5f, channels) : null;
        return Functional.batchNorm(x[0], mean, var, affine ? x[1] : null, affine ? x[2] : null, training, 0.1f,
                1e-5f);
    }

    private static Tensor[] bnInputs(Random rnd, boolean affine, int... shape) {
        Tensor x = r(rnd, shape).mul(1.5f).add(0.3f);
        return affine ? new Tensor[] {x, positive(rnd, shape[1]), r(rnd, shape[1])} : new Tensor[] {x};
    }

    private static List<Case> cases() {
        return List.of(
            new Case("linear", x -> Functional.linear(x[0], x[1], x[2]),
                rnd -> new Tensor[] {r(rnd, 3, 4), r(rnd, 5, 4), r(rnd, 5)}),
            new Case("linear on a batched input", x -> Functional.linear(x[0], x[1], x[2]),
                rnd -> new Tensor[] {r(rnd, 2, 3, 4), r(rnd, 5, 4), r(rnd, 5)}),
            new Case("linear on a vector, no bias", x -> Functional.linear(x[0], x[1], null),
                rnd -> new Tensor[] {r(rnd, 4), r(rnd, 3, 4)}),

            new Case("conv2d 3x3 with bias", x -> conv(x, ONE, ZERO, ONE, 1),
                rnd -> convInputs(rnd, new int[] {2, 3, 5, 5}, new int[] {4, 3, 3, 3}, true)),
            new Case("conv2d 3x3 without bias", x -> conv(x, ONE, ZERO, ONE, 1),
                rnd -> convInputs(rnd, new int[] {2, 3, 5, 5}, new int[] {4, 3, 3, 3}, false)),
            new Case("conv2d stride 2 padding 1", x -> conv(x, TWO, ONE, ONE, 1),
                rnd -> convInputs(rnd, new int[] {2, 3, 6, 6}, new int[] {4, 3, 3, 3}, true)),
            new Case("conv2d dilation 2 padding 2 without bias", x -> conv(x, ONE, TWO, TWO, 1),
                rnd -> convInputs(rnd, new int[] {1, 2, 7, 7}, new int[] {3, 2, 3, 3}, false)),
            new Case("conv2d groups 2", x -> conv(x, ONE, ONE, ONE, 2),
                rnd -> convInputs(rnd, new int[] {2, 4, 5, 5}, new int[] {6, 2, 3, 3}, true)),
            new Case("conv2d depthwise stride 2 padding 1", x -> conv(x, TWO, ONE, ONE, 3),
                rnd -> convInputs(rnd, new int[] {2, 3, 6, 6}, new int[] {3, 1, 3, 3}, false)),
            new Case("conv2d depthwise with channel multiplier 2", x -> conv(x, ONE, ONE, ONE, 3),
                rnd -> convInputs(rnd, new int[] {2, 3, 5, 5}, new int[] {6, 1, 3, 3}, true)),
            new Case("conv2d 1x1", x -> conv(x, ONE, ZERO, ONE, 1),
                rnd -> convInputs(rnd, new int[] {2, 4, 3, 3}, new int[] {5, 4, 1, 1}, true)),
            new Case("conv2d 2x3 kernel, stride {2, 1}, padding {0, 1}, dilation {1, 2}",
                x -> conv(x, new int[] {2, 1}, new int[] {0, 1}, new int[] {1, 2}, 1),
                rnd -> convInputs(rnd, new int[] {2, 3, 6, 7}, new int[] {2, 3, 2, 3}, true)),
            new Case("conv2d stride 2, padding 1, dilation 2, groups 2", x -> conv(x, TWO, ONE, TWO, 2),
                rnd -> convInputs(rnd, new int[] {2, 4, 7, 7}, new int[] {4, 2, 3, 3}, true)),

            new Case("maxPool2d 2x2 stride 2", x -> Functional.maxPool2d(x[0], TWO, TWO, ZERO),
                rnd -> new Tensor[] {distinct(rnd, 2, 2, 6, 6)}),
            new Case("maxPool2d 3x3 stride 2 padding 1", x -> Functional.maxPool2d(x[0], new int[] {3, 3}, TWO, ONE),
                rnd -> new Tensor[] {distinct(rnd, 2, 2, 5, 5)}),
            new Case("maxPool2d 3x2 stride {1, 2} padding {1, 0}",
                x -> Functional.maxPool2d(x[0], new int[] {3, 2}, new int[] {1, 2}, new int[] {1, 0}),
                rnd -> new Tensor[] {distinct(rnd, 1, 3, 5, 6)}),
            new Case("avgPool2d 2x2 stride 2", x -> Functional.avgPool2d(x[0], TWO, TWO, ZERO),
                rnd -> new Tensor[] {r(rnd, 2, 2, 6, 6)}),
            new Case("avgPool2d 3x3 stride 2 padding 1", x -> Functional.avgPool2d(x[0], new int[] {3, 3}, TWO, ONE),
                rnd -> new Tensor[] {r(rnd, 2, 2, 5, 5)}),
            new Case("avgPool2d 3x2 stride 1 padding {1, 1}",
                x -> Functional.avgPool2d(x[0], new int[] {3, 2}, ONE, ONE),
                rnd -> new Tensor[] {r(rnd, 1, 3, 4, 5)}),
            new Case("globalAvgPool2d", x -> Functional.globalAvgPool2d(x[0]),
                rnd -> new Tensor[] {r(rnd, 2, 3, 4, 5)}),

            new Case("batchNorm training, affine, NCHW", x -> batchNorm(x, true, true, true),
                rnd -> bnInputs(rnd, true, 4, 3, 2, 3)),
            new Case("batchNorm training, not affine, NCHW", x -> batchNorm(x, true, false, true),
                rnd -> bnInputs(rnd, false, 4, 3, 2, 3)),
            new Case("batchNorm training, affine, NC", x -> batchNorm(x, true, true, true),
                rnd -> bnInputs(rnd, true, 6, 4)),
            new Case("batchNorm eval, affine, NCHW", x -> batchNorm(x, false, true, true),
                rnd -> bnInputs(rnd, true, 2, 3, 2, 2)),
            new Case("batchNorm eval, not affine, NC", x -> batchNorm(x, false, false, true),
                rnd -> bnInputs(rnd, false, 3, 4)),
            new Case("batchNorm without running statistics", x -> batchNorm(x, false, true, false),
                rnd -> bnInputs(rnd, true, 5, 2, 2, 2)),

            new Case("dropout in training", x -> Functional.dropout(x[0], 0.3f, true, new Random(7)),
                rnd -> new Tensor[] {r(rnd, 4, 10)}),
            new Case("dropout in eval", x -> Functional.dropout(x[0], 0.3f, false, new Random(7)),
                rnd -> new Tensor[] {r(rnd, 4, 10)}),

            new Case("conv2d, batchNorm, avgPool2d, linear chained",
                x -> Functional.linear(
                    Functional.avgPool2d(
                        Functional.batchNorm(conv(new Tensor[] {x[0], x[1]}, ONE, ONE, ONE, 1), null, null, null,
                            null, true, 0.1f, 1e-5f),
                        TWO, TWO, ZERO).flatten(1),
                    x[2], null),
                rnd -> new Tensor[] {r(rnd, 3, 2, 4, 4), r(rnd, 3, 2, 3, 3), r(rnd, 2, 12)}));
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> GradCheck.check(c.name(), c.f(), c.inputs().apply(new Random(c.name().hashCode())))));
    }
}
