package io.jqi.nn;

import io.jqi.tensor.Backend;
import io.jqi.tensor.Backends;
import io.jqi.tensor.Device;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A building block of a network, after PyTorch's {@code torch.nn.Module}: it owns named parameters (trainable leaf
 * tensors), named buffers (state that is saved but not trained, such as batch-norm running statistics) and named
 * child modules, all kept in registration order. Names are joined with dots across the tree ({@code "0.weight"},
 * {@code "stem.conv.weight"}), which is how {@link #namedParameters()}, {@link #stateDict()} and
 * {@link #loadStateDict} address them.
 *
 * <p>Subclasses register what they own in their constructor and read it back by name in {@link #forward}, never
 * from a cached field: {@link #replaceParameter} and {@link #replaceChild} then take effect everywhere, which is
 * what quantization-aware training relies on when it swaps a weight or wraps a layer.
 *
 * <p>Threads: a module and its tensors belong to one thread at a time (training mode, batch-norm statistics and
 * quantizer state change on every forward); to run one model on several threads, give each its {@link #copy()}
 * (docs/architecture.md, "Threads").
 */
public abstract class Module implements Cloneable {
    // Not final only for copy(), which gives a clone its own maps.
    private Map<String, Tensor> parameters = new LinkedHashMap<>();
    private Map<String, Tensor> buffers = new LinkedHashMap<>();
    private Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private Map<String, Tensor> parameterOverrides = Map.of();

    /** Applies the module; most layers take exactly one input. */
    public abstract Tensor forward(Tensor... inputs);

    // ---------------------------------------------------------------- registration (constructors)

    /** Registers a trainable leaf tensor and marks it {@code requiresGrad}. Returns it. */
    protected final Tensor registerParameter(String name, Tensor value) {
        requireFreeName(name);
        parameters.put(name, requireLeaf(name, value).requiresGrad(true));
        return value;
    }

    /** Registers a leaf tensor that is saved in the state dict but not trained. Returns it. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        requireFreeName(name);
        buffers.put(name, requireLeaf(name, value));
        return value;
    }

    /** Registers a child module; its parameters appear under {@code name + "."}. Returns it. */
    protected final <M extends Module> M registerChild(String name, M child) {
        requireFreeName(name);
        children.put(name, requireNoCycle(name, child));
        return child;
    }

    /** The parameter registered under {@code name} in this module (not a dotted path). */
    protected final Tensor parameter(String name) {
        Tensor override = parameterOverrides.get(name);
        return override != null ? override : lookUp(parameters, "parameter", name);
    }

    /** The buffer registered under {@code name} in this module (not a dotted path). */
    protected final Tensor buffer(String name) {
        return lookUp(buffers, "buffer", name);
    }

    /**
     * Runs {@link #forward} with some of this module's own parameters stood in for, during this call only, by
     * computed tensors of the same shapes (PyTorch's {@code functional_call}). The registered parameters are left as
     * they are, so a quantization wrapper can run the layer on a fake-quantized weight while the float weight stays
     * the trainable leaf that receives the gradient.
     */
    public final Tensor forwardWith(Map<String, Tensor> overrides, Tensor... inputs) {
        for (Map.Entry<String, Tensor> e : overrides.entrySet()) {
            Tensor registered = lookUp(parameters, "parameter", e.getKey());
            if (!registered.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + e.getKey()
                        + "' has shape " + registered.shape() + " but its stand-in has shape " + e.getValue().shape());
            }
        }
        Map<String, Tensor> previous = parameterOverrides;
        parameterOverrides = Map.copyOf(overrides);
        try {
            return forward(inputs);
        } finally {
            parameterOverrides = previous;
        }
    }

    // ---------------------------------------------------------------- surgery (QAT, export)

    /**
     * Replaces the parameter {@code name} of this module, keeping its place in the order. Public because model
     * surgery (quantization-aware training swapping a weight) runs from outside the module. The replacement must be
     * a leaf of the same shape, so that the layer's hyper-parameters stay true; it is marked {@code requiresGrad}.
     */
    public final void replaceParameter(String name, Tensor replacement) {
        Tensor old = parameter(name);
        requireLeaf(name, replacement);
        if (!old.shape().equals(replacement.shape())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name + "' has shape "
                    + old.shape() + "; a replacement of shape " + replacement.shape() + " would not fit the layer");
        }
        parameters.put(name, replacement.requiresGrad(true));
    }

    /**
     * Replaces the child {@code name}, keeping its place in the order, e.g. to wrap a layer for quantization-aware
     * training. Containers look children up by name on every forward pass, so the replacement is used at once.
     */
    public final void replaceChild(String name, Module replacement) {
        lookUp(children, "child", name);
        children.put(name, requireNoCycle(name, replacement));
    }

    // ---------------------------------------------------------------- traversal

    /** The direct child registered under {@code name}. */
    public final Module child(String name) {
        return lookUp(children, "child", name);
    }

    /** The direct children, in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module (under the name {@code ""}) and every descendant, depth first, with dotted names. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> out.putIfAbsent(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    /**
     * Every parameter of the tree with its dotted name: a module's own first, then its children's. A tensor shared
     * by several modules appears once, under its first name, so that an optimizer steps it once.
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        visit("", (prefix, m) -> m.parameters.forEach((name, t) -> {
            if (seen.add(t)) {
                out.put(prefix + name, t);
            }
        }));
        return out;
    }

    /** The tensors of {@link #namedParameters()}, ready for an optimizer. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of the tree with its dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.buffers.forEach((name, t) -> out.put(prefix + name, t)));
        return out;
    }

    private interface Visitor {
        void visit(String prefix, Module module);
    }

    private void visit(String prefix, Visitor visitor) {
        visitor.visit(prefix, this);
        children.forEach((name, child) -> child.visit(prefix + name + ".", visitor));
    }

    // ---------------------------------------------------------------- copying

    /**
     * A deep copy of this module tree: the same hyper-parameters, and new leaves holding copies of the parameters and
     * buffers (on their devices), children copied likewise; a tensor or module shared inside the tree stays shared in
     * the copy. Training or rewriting the copy leaves this module as it is. A field-by-field clone is a correct copy
     * because modules keep no tensor outside their registered parameters, buffers and children (see the class
     * comment): a subclass that does must override {@link #copyOwnState} to copy it.
     */
    public final Module copy() {
        return copy(new IdentityHashMap<>(), new IdentityHashMap<>());
    }

    /**
     * Called on the fresh copy {@code copy} of this module, after its parameters, buffers and children are copied:
     * copies whatever else a subclass holds that training changes. jqi's own layers hold nothing else.
     */
    protected void copyOwnState(Module copy) {
    }

    private Module copy(Map<Tensor, Tensor> tensors, Map<Module, Module> modules) {
        Module done = modules.get(this);
        if (done != null) {
            return done;
        }
        Module m;
        try {
            m = (Module) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("Module implements Cloneable", e);
        }
        modules.put(this, m);
        m.parameters = new LinkedHashMap<>();
        parameters.forEach((name, t) -> m.parameters.put(name, tensors.computeIfAbsent(t,
                original -> original.copy().requiresGrad(true))));
        m.buffers = new LinkedHashMap<>();
        buffers.forEach((name, t) -> m.buffers.put(name, tensors.computeIfAbsent(t, Tensor::copy)));
        m.children = new LinkedHashMap<>();
        children.forEach((name, child) -> m.children.put(name, child.copy(tensors, modules)));
        m.parameterOverrides = Map.of();
        copyOwnState(m);
        return m;
    }

    // ---------------------------------------------------------------- device

    /**
     * Moves every parameter and buffer of the tree (with their gradients) to {@code device}, in place: optimizers,
     * quantizers and other holders of the tensors keep working with them. Returns this module.
     */
    public final Module to(Device device) {
        return to(Backends.of(device));
    }

    /** {@link #to(Device)} onto any backend, a registered one or not (an emulated device, say). */
    public final Module to(Backend backend) {
        Set<Tensor> moved = Collections.newSetFromMap(new IdentityHashMap<>());
        visit("", (prefix, m) -> {
            m.parameters.values().forEach(t -> moveOnce(t, backend, moved));
            m.buffers.values().forEach(t -> moveOnce(t, backend, moved));
        });
        return this;
    }

    private static void moveOnce(Tensor t, Backend backend, Set<Tensor> moved) {
        if (moved.add(t)) {
            t.moveTo(backend);
        }
    }

    // ---------------------------------------------------------------- mode

    /** Puts this module and all its descendants in training mode (dropout active, batch statistics). */
    public final Module train() {
        return train(true);
    }

    /** Puts this module and all its descendants in evaluation mode (dropout off, running statistics). */
    public final Module eval() {
        return train(false);
    }

    public final Module train(boolean on) {
        visit("", (prefix, m) -> m.training = on);
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter of the tree. */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    // ---------------------------------------------------------------- state dict

    /**
     * A snapshot of every parameter and buffer by dotted name, in PyTorch's order (a module's parameters, its
     * buffers, then its children's). The tensors are copies: later training does not change them.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        liveState().forEach((name, t) -> out.put(name, Tensor.of(t.toFloatArray(), t.shape())));
        return out;
    }

    /**
     * Copies {@code state}'s values into this tree's parameters and buffers, in place, so that an optimizer holding
     * the parameters keeps working. Strict: the names must match exactly and every shape must agree; otherwise
     * nothing is loaded and the error lists every missing key, unexpected key and shape mismatch.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> live = liveState();
        Set<String> missing = new TreeSet<>(live.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(live.keySet());
        List<String> mismatched = new ArrayList<>();
        live.forEach((name, t) -> {
            Tensor given = state.get(name);
            if (given != null && !given.shape().equals(t.shape())) {
                mismatched.add(name + " (model " + t.shape() + ", state dict " + given.shape() + ")");
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder message = new StringBuilder("The state dict does not fit this "
                    + getClass().getSimpleName() + "; nothing was loaded.");
            if (!missing.isEmpty()) {
                message.append(" Missing keys: ").append(missing).append('.');
            }
            if (!unexpected.isEmpty()) {
                message.append(" Unexpected keys: ").append(unexpected).append('.');
            }
            if (!mismatched.isEmpty()) {
                message.append(" Shape mismatches: ").append(mismatched).append('.');
            }
            throw new IllegalArgumentException(message.toString());
        }
        live.forEach((name, t) -> t.assign(state.get(name)));
    }

    private Map<String, Tensor> liveState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            m.parameters.forEach((name, t) -> out.put(prefix + name, t));
            m.buffers.forEach((name, t) -> out.put(prefix + name, t));
        });
        return out;
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /** The only input of a one-input layer, or an error naming the layer and the count it got. */
    protected final Tensor singleInput(Tensor[] inputs) {
        if (inputs.length != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " takes exactly one input, got "
                    + inputs.length);
        }
        return inputs[0];
    }

    // ---------------------------------------------------------------- checks

    private void requireFreeName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is not allowed: "
                    + "names must be non-empty and contain no '.', which separates the levels of dotted names");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is already "
                    + "registered; use replaceParameter or replaceChild to swap what it holds");
        }
    }

    private Tensor requireLeaf(String name, Tensor value) {
        if (value == null || !value.isLeaf()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' must be a leaf tensor"
                    + (value == null ? ", got null" : "; pass detach() of a computed one"));
        }
        return value;
    }

    private Module requireNoCycle(String name, Module child) {
        if (child == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": child '" + name + "' is null");
        }
        if (child.namedModules().containsValue(this)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": child '" + name + "' contains this "
                    + "module, which would make the module tree a cycle");
        }
        return child;
    }

    private <T> T lookUp(Map<String, T> map, String kind, String name) {
        T value = map.get(name);
        if (value == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no " + kind + " '" + name
                    + "'; its " + kind + (kind.equals("child") ? "ren" : "s") + " are " + map.keySet());
        }
        return value;
    }
}
