package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences. The checked scalar is {@code sum(f(x) * w)} with
 * fixed random weights, summed in double on the host so that only the perturbed operation's own float rounding
 * enters the numeric derivative.
 */
final class GradCheck {
    private GradCheck() {
    }

    static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) {
            t.requiresGrad(true);
        }
        Tensor out = f.apply(inputs);
        Random random = new Random(name.hashCode());
        float[] w = new float[out.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian());
        }
        Tensor weights = Tensor.of(w, out.shape());
        out.mul(weights).sum().backward();
        for (int t = 0; t < inputs.length; t++) {
            Tensor analytic = inputs[t].grad();
            assertNotNull(analytic, name + ": input " + t + " got no gradient");
            float[] a = analytic.toFloatArray();
            float[] x = inputs[t].toFloatArray();
            int step = Math.max(1, x.length / 40);
            for (int i = 0; i < x.length; i += step) {
                float eps = 1e-2f * Math.max(1f, Math.abs(x[i]));
                double plus = loss(f, inputs, t, i, x[i] + eps, w);
                double minus = loss(f, inputs, t, i, x[i] - eps, w);
                double numeric = (plus - minus) / (2.0 * eps);
                double tolerance = 3e-3 + 3e-2 * Math.abs(numeric);
                if (Math.abs(numeric - a[i]) > tolerance) {
                    fail(name + ": d/dx" + t + "[" + i + "] autograd " + a[i] + " vs finite difference " + numeric);
                }
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, int which, int index, float value,
            float[] w) {
        Tensor[] perturbed = inputs.clone();
        float[] v = inputs[which].toFloatArray();
        v[index] = value;
        perturbed[which] = Tensor.of(v, inputs[which].shape());
        float[] out;
        try (GradMode.Scope ignored = Tensor.noGrad()) {
            out = f.apply(perturbed).toFloatArray();
        }
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (double) out[i] * w[i];
        }
        return s;
    }

    /** Values in {@code [low, high]} kept at least {@code gap} away from every kink in {@code kinks}. */
    static Tensor awayFrom(Random random, float low, float high, float gap, float[] kinks, int... shape) {
        Shape s = Shape.of(shape);
        float[] v = new float[s.numel()];
        for (int i = 0; i < v.length; i++) {
            float candidate;
            boolean near;
            do {
                candidate = low + (high - low) * random.nextFloat();
                near = false;
                for (float k : kinks) {
                    near |= Math.abs(candidate - k) < gap;
                }
            } while (near);
            v[i] = candidate;
        }
        return Tensor.of(v, s);
    }
}
