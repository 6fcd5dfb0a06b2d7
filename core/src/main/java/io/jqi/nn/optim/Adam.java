package io.jqi.nn.optim;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam, or AdamW when {@code decoupled}; PyTorch's {@code torch.optim.Adam} and {@code torch.optim.AdamW} (without
 * amsgrad). For each parameter {@code p} with gradient {@code g}, step t (counted per parameter from 1):
 *
 * <pre>
 * if decoupled: p = p * (1 - lr * weightDecay)          (AdamW)
 * else:         g = g + weightDecay * p                 (Adam's L2 penalty)
 * m = beta1 * m + (1 - beta1) * g                       (m, v start at 0)
 * v = beta2 * v + (1 - beta2) * g * g
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * The bias corrections and the step size are computed in double, as PyTorch computes them in Python floats.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final Tensor[] m;
    private final Tensor[] v;
    private final int[] steps;

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Tensor> parameters, double lr) {
        this(parameters, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adam(List<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled) {
        super(parameters, lr);
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(eps >= 0 && eps < Double.POSITIVE_INFINITY, "eps must be finite and >= 0, got " + eps);
        require(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY, "weightDecay must be finite and >= 0, got "
                + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = new Tensor[parameters.size()];
        this.v = new Tensor[parameters.size()];
        this.steps = new int[parameters.size()];
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad) {
        int t = ++steps[index];
        Tensor g = grad;
        if (weightDecay != 0) {
            if (decoupled) {
                parameter.assign(parameter.mul((float) (1 - lr() * weightDecay)));
            } else {
                g = g.add(parameter.mul((float) weightDecay));
            }
        }
        // m and v start at zero; since beta * 0 + x == x exactly, the first step needs no zero tensors.
        Tensor mScaled = g.mul((float) (1 - beta1));
        Tensor vScaled = g.mul(g).mul((float) (1 - beta2));
        m[index] = t == 1 ? mScaled : m[index].mul((float) beta1).add(mScaled);
        v[index] = t == 1 ? vScaled : v[index].mul((float) beta2).add(vScaled);
        double stepSize = lr() / (1 - Math.pow(beta1, t));
        double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        Tensor denominator = v[index].sqrt().div((float) correction2Sqrt).add((float) eps);
        parameter.addInPlace((float) -stepSize, m[index].div(denominator));
    }

    @Override
    protected Map<String, Tensor> state(int index) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (steps[index] > 0) {
            out.put("step", Tensor.scalar(steps[index]));
            out.put("m", m[index]);
            out.put("v", v[index]);
        }
        return out;
    }

    @Override
    protected void restore(int index, Map<String, Tensor> state) {
        if (state.isEmpty()) {
            steps[index] = 0;
            m[index] = null;
            v[index] = null;
            return;
        }
        steps[index] = (int) state.get("step").item();
        m[index] = state.get("m").detach().to(parameter(index).backend());
        v[index] = state.get("v").detach().to(parameter(index).backend());
    }

    @Override
    protected void checkState(int index, Map<String, Tensor> state) {
        super.checkState(index, state);
        if (!state.isEmpty() && !state.keySet().equals(stateNames())) {
            throw new IllegalArgumentException("Adam: parameter " + index + " needs all of " + stateNames()
                    + " or none, got " + state.keySet() + "; nothing was loaded");
        }
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "m", "v");
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** True for AdamW's decoupled weight decay. */
    public boolean decoupled() {
        return decoupled;
    }
}
