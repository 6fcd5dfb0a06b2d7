package io.jqi.nn.optim;

import io.jqi.tensor.Tensor;
import java.util.function.Function;

/**
 * The optimizer tests' problem: {@code loss(p) = sum(w * p^2 / 2 + c * p)} from {@code p0 = [1, -2, 0.5]}, whose
 * gradient {@code w * p + c} is not proportional to {@code p}, so that weight decay and Adam's normalisation leave
 * distinct traces. The expected trajectories in the tests were computed in double precision from the formulas in
 * the optimizers' javadoc (PyTorch's), independently of jqi.
 */
final class Quadratic {
    static final float[] P0 = {1f, -2f, 0.5f};
    private static final Tensor W = Tensor.vector(0.5f, 1.5f, -1f);
    private static final Tensor C = Tensor.vector(0.3f, -0.2f, 0.1f);

    private Quadratic() {
    }

    static Tensor parameter() {
        return Tensor.vector(P0).requiresGrad(true);
    }

    static Tensor loss(Tensor p) {
        return p.mul(p).mul(W).mul(0.5f).add(p.mul(C)).sum();
    }

    /** Runs {@code steps} optimizer steps and returns the parameter after each. */
    static float[][] trajectory(Function<Tensor, Optimizer> optimizer, int steps) {
        Tensor p = parameter();
        Optimizer opt = optimizer.apply(p);
        float[][] out = new float[steps][];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            loss(p).backward();
            opt.step();
            out[s] = p.toFloatArray();
        }
        return out;
    }

    static void assertTrajectory(float[][] expected, float[][] actual) {
        for (int s = 0; s < expected.length; s++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected[s], actual[s], 2e-6f, "after step " + (s + 1));
        }
    }
}
