package io.jqi.nn.optim;

import io.jqi.tensor.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Updates a fixed list of parameters from their gradients. {@link #step()} runs under {@link Tensor#noGrad()} and
 * writes into the parameters in place, so modules, state dicts and other holders of the tensors see the new values;
 * a parameter whose gradient is null (not reached by the last backward pass, or frozen) is left alone and its
 * optimizer state does not advance, as in PyTorch.
 */
public abstract class Optimizer {
    private final List<Tensor> parameters;
    private double lr;

    protected Optimizer(List<Tensor> parameters, double lr) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " got no parameters to optimize");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i + " is not a leaf "
                        + "that requires grad; pass module.parameters()");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i + " appears twice "
                        + "and would be stepped twice");
            }
        }
        this.parameters = List.copyOf(parameters);
        setLr(lr);
    }

    /** Applies one update to every parameter that has a gradient. */
    @SuppressWarnings("try") // the scope only switches grad mode off
    public final void step() {
        try (var ignored = Tensor.noGrad()) {
            for (int i = 0; i < parameters.size(); i++) {
                Tensor p = parameters.get(i);
                if (p.grad() != null) {
                    update(i, p, p.grad());
                }
            }
        }
    }

    /** Updates parameter {@code index} in place from {@code grad}; called with grad mode off. */
    protected abstract void update(int index, Tensor parameter, Tensor grad);

    /** Clears every parameter's gradient (call before each backward pass: gradients accumulate). */
    public final void zeroGrad() {
        for (Tensor p : parameters) {
            p.zeroGrad();
        }
    }

    public final List<Tensor> parameters() {
        return parameters;
    }

    /** The learning rate of the next step. */
    public final double lr() {
        return lr;
    }

    /** Sets the learning rate of the next steps (what a {@link LrScheduler} does once per epoch). */
    public final void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be finite and >= 0, "
                    + "got " + lr);
        }
        this.lr = lr;
    }

    /** A hyper-parameter check with a message naming the optimizer. */
    protected final void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + message);
        }
    }
}
