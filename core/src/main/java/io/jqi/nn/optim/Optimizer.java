package io.jqi.nn.optim;

import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The per-parameter state (moments, step counts, momentum buffers) under {@code "<index>.<name>"}, as copies:
     * what a checkpoint needs, with the parameters, to resume training exactly. The learning rate is not included;
     * schedules set it.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            int index = i;
            state(i).forEach((name, t) -> out.put(index + "." + name, Tensor.of(t.toFloatArray(), t.shape())));
        }
        return out;
    }

    /**
     * Restores {@link #stateDict()} output taken from an optimizer of the same kind over parameters of the same
     * shapes; anything else is an error and nothing is restored.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        List<Map<String, Tensor>> perParameter = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            perParameter.add(new LinkedHashMap<>());
        }
        state.forEach((key, t) -> {
            int dot = key.indexOf('.');
            int index = -1;
            try {
                index = dot > 0 ? Integer.parseInt(key.substring(0, dot)) : -1;
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || index >= parameters.size()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": state key '" + key + "' names no "
                        + "parameter (there are " + parameters.size() + "); nothing was loaded");
            }
            perParameter.get(index).put(key.substring(dot + 1), t);
        });
        for (int i = 0; i < parameters.size(); i++) {
            checkState(i, perParameter.get(i));
        }
        for (int i = 0; i < parameters.size(); i++) {
            restore(i, perParameter.get(i));
        }
    }

    /** Parameter {@code index}'s state by name (empty before its first step). */
    protected abstract Map<String, Tensor> state(int index);

    /** Restores what {@link #state} returned; called only after {@link #checkState} accepted every parameter's. */
    protected abstract void restore(int index, Map<String, Tensor> state);

    /** Rejects state that {@link #restore} could not take, naming the key. */
    protected void checkState(int index, Map<String, Tensor> state) {
        Tensor p = parameters.get(index);
        state.forEach((name, t) -> {
            boolean scalar = name.equals("step");
            if (!stateNames().contains(name) || (!scalar && !t.shape().equals(p.shape()))) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": state '" + index + "." + name
                        + "' of shape " + t.shape() + " does not fit parameter " + index + " of shape " + p.shape()
                        + " (expected names " + stateNames() + "); nothing was loaded");
            }
        });
    }

    /** Parameter {@code index}: restored state goes to its device. */
    protected final Tensor parameter(int index) {
        return parameters.get(index);
    }

    /** The state names this optimizer keeps per parameter. */
    protected abstract Set<String> stateNames();

    /** A hyper-parameter check with a message naming the optimizer. */
    protected final void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + message);
        }
    }
}
