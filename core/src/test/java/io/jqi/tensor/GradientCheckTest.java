package io.jqi.tensor;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every differentiable operation's backward against central finite differences. */
class GradientCheckTest {
    private record Case(String name, Function<Tensor[], Tensor> f, Function<Random, Tensor[]> inputs) {
    }

    private static final float[] NO_KINKS = {};

    private static Tensor r(Random random, int... shape) {
        return Tensor.randn(random, shape);
    }

    private static Tensor positive(Random random, int... shape) {
        return Tensor.uniform(random, 0.5f, 2f, shape);
    }

    private static Tensor away(Random random, float[] kinks, int... shape) {
        return GradCheck.awayFrom(random, -4f, 4f, 0.1f, kinks, shape);
    }

    private static List<Case> cases() {
        return List.of(
            new Case("add with broadcasting", x -> x[0].add(x[1]), rnd -> new Tensor[] {r(rnd, 2, 3, 4), r(rnd, 3, 1)}),
            new Case("sub with broadcasting", x -> x[0].sub(x[1]), rnd -> new Tensor[] {r(rnd, 4), r(rnd, 2, 4)}),
            new Case("mul with broadcasting", x -> x[0].mul(x[1]), rnd -> new Tensor[] {r(rnd, 2, 3), r(rnd, 2, 1)}),
            new Case("div with broadcasting", x -> x[0].div(x[1]),
                rnd -> new Tensor[] {r(rnd, 3, 4), positive(rnd, 4)}),
            new Case("scalar add and mul", x -> x[0].add(2f).mul(-1.5f).sub(0.5f), rnd -> new Tensor[] {r(rnd, 5)}),
            new Case("maximum", x -> x[0].maximum(x[1]), rnd -> new Tensor[] {r(rnd, 10), r(rnd, 10)}),
            new Case("minimum", x -> x[0].minimum(x[1]), rnd -> new Tensor[] {r(rnd, 10), r(rnd, 10)}),
            new Case("neg", x -> x[0].neg(), rnd -> new Tensor[] {r(rnd, 6)}),
            new Case("exp", x -> x[0].exp(), rnd -> new Tensor[] {r(rnd, 6)}),
            new Case("log", x -> x[0].log(), rnd -> new Tensor[] {positive(rnd, 6)}),
            new Case("sqrt", x -> x[0].sqrt(), rnd -> new Tensor[] {positive(rnd, 6)}),
            new Case("abs", x -> x[0].abs(), rnd -> new Tensor[] {away(rnd, new float[] {0}, 8)}),
            new Case("pow", x -> x[0].pow(3f), rnd -> new Tensor[] {r(rnd, 6)}),
            new Case("clamp", x -> x[0].clamp(-1f, 1.5f), rnd -> new Tensor[] {away(rnd, new float[] {-1, 1.5f}, 12)}),
            new Case("relu", x -> x[0].relu(),
                rnd -> new Tensor[] {away(rnd, new float[] {0}, 12)}),
            new Case("relu6", x -> x[0].mul(2f).relu6(), rnd -> new Tensor[] {away(rnd, new float[] {0, 3}, 12)}),
            new Case("leaky relu", x -> x[0].leakyRelu(0.1f), rnd -> new Tensor[] {away(rnd, new float[] {0}, 12)}),
            new Case("sigmoid", x -> x[0].sigmoid(), rnd -> new Tensor[] {r(rnd, 8)}),
            new Case("tanh", x -> x[0].tanh(), rnd -> new Tensor[] {r(rnd, 8)}),
            new Case("hardswish", x -> x[0].hardswish(), rnd -> new Tensor[] {away(rnd, new float[] {-3, 3}, 12)}),
            new Case("silu", x -> x[0].silu(), rnd -> new Tensor[] {r(rnd, 8)}),
            new Case("sum over axes", x -> x[0].sum(new int[] {0, 2}, false), rnd -> new Tensor[] {r(rnd, 2, 3, 4)}),
            new Case("sum keeping dims", x -> x[0].sum(new int[] {-1}, true), rnd -> new Tensor[] {r(rnd, 3, 4)}),
            new Case("mean", x -> x[0].mean(new int[] {1}, false), rnd -> new Tensor[] {r(rnd, 3, 5)}),
            new Case("mean of all", x -> x[0].mean(), rnd -> new Tensor[] {r(rnd, 3, 5)}),
            new Case("expand", x -> x[0].expand(Shape.of(2, 3, 4)), rnd -> new Tensor[] {r(rnd, 3, 1)}),
            new Case("matmul 2-D", x -> x[0].matmul(x[1]), rnd -> new Tensor[] {r(rnd, 3, 4), r(rnd, 4, 5)}),
            new Case("matmul batched rows times a matrix", x -> x[0].matmul(x[1]),
                rnd -> new Tensor[] {r(rnd, 2, 3, 4), r(rnd, 4, 2)}),
            new Case("matmul batched", x -> x[0].matmul(x[1]), rnd -> new Tensor[] {r(rnd, 2, 3, 4), r(rnd, 2, 4, 5)}),
            new Case("matmul of transposes", x -> x[0].transpose(0, 1).matmul(x[1].transpose(0, 1)),
                rnd -> new Tensor[] {r(rnd, 4, 3), r(rnd, 5, 4)}),
            new Case("reshape", x -> x[0].reshape(4, -1).mul(x[0].reshape(4, 3)), rnd -> new Tensor[] {r(rnd, 2, 6)}),
            new Case("flatten", x -> x[0].flatten(1), rnd -> new Tensor[] {r(rnd, 2, 3, 2)}),
            new Case("permute", x -> x[0].permute(2, 0, 1), rnd -> new Tensor[] {r(rnd, 2, 3, 4)}),
            new Case("transpose", x -> x[0].transpose(-1, 0), rnd -> new Tensor[] {r(rnd, 3, 2)}),
            new Case("narrow", x -> x[0].narrow(1, 1, 2), rnd -> new Tensor[] {r(rnd, 2, 4, 3)}),
            new Case("concat", x -> Tensor.concat(1, x[0], x[1], x[0]),
                rnd -> new Tensor[] {r(rnd, 2, 2, 3), r(rnd, 2, 1, 3)}),
            new Case("log-softmax on the last axis", x -> x[0].logSoftmax(-1), rnd -> new Tensor[] {r(rnd, 3, 5)}),
            new Case("softmax on an inner axis", x -> x[0].softmax(1), rnd -> new Tensor[] {r(rnd, 2, 4, 3)}),
            new Case("cross-entropy", x -> Losses.crossEntropy(x[0], new int[] {1, 0, 3}),
                rnd -> new Tensor[] {r(rnd, 3, 4)}),
            new Case("mse", x -> Losses.mse(x[0], x[1]), rnd -> new Tensor[] {r(rnd, 2, 3), r(rnd, 2, 3)}),
            new Case("a composed expression reusing an input", x -> x[0].mul(x[0]).add(x[0].tanh()).div(x[1].exp()),
                rnd -> new Tensor[] {r(rnd, 4), r(rnd, 4)}));
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> GradCheck.check(c.name(), c.f(), c.inputs().apply(new Random(c.name().hashCode())))));
    }
}
