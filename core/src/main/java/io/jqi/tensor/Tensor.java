package io.jqi.tensor;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A dense float32 tensor with reverse-mode autograd: a {@link Shape} over contiguous row-major {@link Storage} on one
 * {@link Device}. Operations return new tensors and dispatch to the storage's {@link Backend}; when an input
 * {@link #requiresGrad()}, the result remembers how to send gradients back, and {@link #backward()} fills the
 * {@link #grad()} of every leaf that asked for one. Only optimizers write into a tensor, through
 * {@link #addInPlace} and {@link #assign} on leaves.
 *
 * <p>Threads: a tensor, and the graph that {@link #backward()} walks, belongs to one thread at a time, as a PyTorch
 * tensor does; tensors that share nothing may be used on parallel threads, and backends are safe to share
 * (docs/architecture.md, "Threads").
 */
public final class Tensor {
    /** Gradients of an operation's inputs given the gradient of its output; null where an input needs none. */
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * One recorded operation: its output's shape, its backward function, and per input what the backward pass goes
     * on to: the input's own Node when an operation computed it, the input itself when it is a leaf (whose grad is
     * set), or null when it needs no gradient. The graph holds Nodes, never the tensors an operation produced, so
     * an intermediate's values are freed as soon as the caller drops it, unless a backward function captured it
     * because its gradient reads it. The backward pass drops each function once it has run, and what it captured
     * with it, as PyTorch frees saved tensors (docs/performance.md#peak-memory).
     */
    private static final class Node {
        final Shape shape;
        final Object[] inputs;
        private Backward backward;

        Node(Shape shape, Object[] inputs, Backward backward) {
            this.shape = shape;
            this.inputs = inputs;
            this.backward = backward;
        }

        /** The input gradients, once: the function and its captured values go after this call. */
        Tensor[] backward(Tensor gradOutput) {
            Backward b = backward;
            if (b == null) {
                throw new IllegalStateException("This graph was already back-propagated once, and the values its "
                        + "gradients read were freed then; run the forward pass again for another backward pass");
            }
            backward = null;
            return b.apply(gradOutput);
        }
    }

    private static final Object[] NO_INPUTS = {};

    private final Shape shape;
    // Not final only for moveTo: moving a leaf (a parameter, a buffer) keeps every holder of the tensor pointing at it.
    private Storage storage;
    private final Node node;
    private boolean requiresGrad;
    private Tensor grad;
    /** How many times the values were written in place: a saved recipe that reads this tensor checks it. */
    private int version;
    /** How to compute the values again, for a backward function that saves them ({@link SavedTensor}); or null. */
    private SavedTensor.Recipe recipe;

    private Tensor(Shape shape, Storage storage, Node node) {
        if (shape.numel() != storage.size()) {
            throw new IllegalArgumentException("Shape " + shape + " needs " + shape.numel()
                    + " values but the storage holds " + storage.size());
        }
        this.shape = shape;
        this.storage = storage;
        this.node = node;
    }

    // ---------------------------------------------------------------- construction

    /** A CPU tensor holding a copy of {@code values}, laid out row-major in {@code shape}. */
    public static Tensor of(float[] values, int... shape) {
        return new Tensor(Shape.of(shape), new CpuStorage(values.clone()), null);
    }

    /** A CPU tensor holding a copy of {@code values}, laid out row-major in {@code shape}. */
    public static Tensor of(float[] values, Shape shape) {
        return new Tensor(shape, new CpuStorage(values.clone()), null);
    }

    /** A rank-1 CPU tensor of the given values. */
    public static Tensor vector(float... values) {
        return of(values, values.length);
    }

    public static Tensor scalar(float value) {
        return new Tensor(Shape.scalar(), new CpuStorage(new float[] {value}), null);
    }

    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Shape s = Shape.of(shape);
        float[] v = new float[s.numel()];
        Arrays.fill(v, value);
        return new Tensor(s, new CpuStorage(v), null);
    }

    /** Standard normal values drawn from {@code random} (seed it for reproducible runs). */
    public static Tensor randn(Random random, int... shape) {
        Shape s = Shape.of(shape);
        float[] v = new float[s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return new Tensor(s, new CpuStorage(v), null);
    }

    /** Uniform values in {@code [low, high)} drawn from {@code random}. */
    public static Tensor uniform(Random random, float low, float high, int... shape) {
        Shape s = Shape.of(shape);
        float[] v = new float[s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = low + (high - low) * random.nextFloat();
        }
        return new Tensor(s, new CpuStorage(v), null);
    }

    /**
     * A CPU tensor that takes ownership of {@code values} without copying; the caller must not modify the array
     * afterwards. Kernels use this to hand back freshly computed results.
     */
    public static Tensor wrap(float[] values, Shape shape) {
        return new Tensor(shape, new CpuStorage(values), null);
    }

    /** The result of an operation: records {@code backward} when grad mode is on and an input requires grad. */
    static Tensor result(Shape shape, Storage storage, Backward backward, Tensor... inputs) {
        boolean track = false;
        if (GradMode.isEnabled()) {
            for (Tensor t : inputs) {
                track |= t.requiresGrad;
            }
        }
        Node node = null;
        if (track) {
            Object[] edges = new Object[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Tensor t = inputs[i];
                edges[i] = !t.requiresGrad ? null : t.node != null ? t.node : t;
            }
            node = new Node(shape, edges, backward);
        }
        Tensor out = new Tensor(shape, storage, node);
        out.requiresGrad = track;
        return out;
    }

    /** A scope in which operations record no graph: {@code try (var g = Tensor.noGrad()) { ... }}. */
    public static GradMode.Scope noGrad() {
        return GradMode.disabled();
    }

    // ---------------------------------------------------------------- accessors

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public int numel() {
        return shape.numel();
    }

    public Device device() {
        return storage.device();
    }

    Storage storage() {
        return storage;
    }

    /** The backend that runs this tensor's operations: its storage's. */
    public Backend backend() {
        return storage.backend();
    }

    /** A row-major copy of the values on the host. */
    public float[] toFloatArray() {
        return storage.toHostArray();
    }

    /** The value at a multi-index ({@code index.length == rank}); negative indexes are not accepted. */
    public float get(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("Index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates but the tensor has rank " + shape.rank());
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("Index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            flat = flat * d + index[i];
        }
        return valueAt(flat);
    }

    /** The only value of a one-element tensor. */
    public float item() {
        if (shape.numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, but shape is " + shape);
        }
        return valueAt(0);
    }

    private float valueAt(int flat) {
        if (storage instanceof CpuStorage cpu) {
            return cpu.get(flat);
        }
        return storage.toHostArray()[flat];
    }

    // ---------------------------------------------------------------- devices

    /**
     * This tensor's values on {@code device} (its registered backend, {@link Backends#of}): this tensor itself when
     * it is there already, else a copy through the host. Differentiable: the gradient is moved back to this tensor's
     * backend. {@code Tensor} factories make CPU tensors, so inputs and batches are moved with {@code to(device)}.
     */
    public Tensor to(Device device) {
        return device == device() ? this : to(Backends.of(device));
    }

    /**
     * This tensor's values on {@code backend}: this tensor itself when its storage is already the backend's, else a
     * copy through the host, whose gradient goes back to this tensor's backend. Any backend, not only the registered
     * ones (an emulated device, a second GPU's).
     */
    public Tensor to(Backend backend) {
        Backend from = backend();
        if (backend == from) {
            return this;
        }
        Storage moved = backend.fromHost(storage.toHostArray());
        return result(shape, moved, g -> new Tensor[] {g.to(from)}, this);
    }

    /**
     * Moves a leaf (a parameter or buffer) to {@code device} in place, with its gradient: every module, quantizer and
     * optimizer that holds this tensor sees it on the new device, as PyTorch's {@code module.to(device)} does.
     */
    public void moveTo(Device device) {
        requireMutable();
        if (device != device()) {
            moveTo(Backends.of(device));
        }
    }

    /** {@link #moveTo(Device)} onto any backend. */
    public void moveTo(Backend backend) {
        requireMutable();
        if (backend == backend()) {
            return;
        }
        storage = backend.fromHost(storage.toHostArray());
        if (grad != null) {
            grad = grad.detach().to(backend);
        }
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf (a parameter or an input) as wanting a gradient. Returns this tensor. */
    public Tensor requiresGrad(boolean value) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad can only be set on a leaf tensor; this one is the result of "
                    + "an operation (use detach() for a new leaf)");
        }
        this.requiresGrad = value;
        return this;
    }

    /** True for tensors that no recorded operation produced. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** The same values as a new leaf, cut from the graph. */
    public Tensor detach() {
        return new Tensor(shape, storage, null);
    }

    /** A new leaf holding a copy of the values, on the same device and backend; no gradient, no graph. */
    public Tensor copy() {
        Backend b = backend();
        Storage s = b.zeros(shape.numel());
        b.copyInPlace(s, storage);
        return new Tensor(shape, s, null);
    }

    /** Back-propagates from a one-element tensor (a loss). */
    public void backward() {
        if (shape.numel() != 1) {
            throw new IllegalStateException("backward() needs a one-element tensor such as a loss, but shape is " + shape
                    + "; pass the output gradient with backward(gradient)");
        }
        backward(onesLike());
    }

    /** Back-propagates {@code gradient} (of this tensor's shape) to every leaf that requires grad. */
    public void backward(Tensor gradient) {
        if (!requiresGrad) {
            throw new IllegalStateException("This tensor does not require grad: no input of the computation that made "
                    + "it has requiresGrad(true)");
        }
        requireSameShape("backward gradient", gradient);
        Object root = node != null ? node : this;
        Map<Object, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradient);
        try (GradMode.Scope ignored = GradMode.disabled()) {
            for (Object key : topologicalOrder(root)) {
                Tensor g = grads.remove(key);
                if (g == null) {
                    continue;
                }
                if (key instanceof Tensor leaf) {
                    leaf.grad = leaf.grad == null ? g.detach() : leaf.grad.add(g);
                    continue;
                }
                Node n = (Node) key;
                Tensor[] inputGrads = n.backward(g);
                for (int i = 0; i < inputGrads.length; i++) {
                    Object in = n.inputs[i];
                    Tensor ig = inputGrads[i];
                    // A leaf may have stopped requiring grad since the forward pass.
                    if (ig == null || in == null || in instanceof Tensor leaf && !leaf.requiresGrad) {
                        continue;
                    }
                    requireShape("gradient", in instanceof Node inNode ? inNode.shape : ((Tensor) in).shape, ig);
                    grads.merge(in, ig, Tensor::add);
                }
            }
        }
    }

    /** {@code root} (a Node, or a leaf) and the Nodes and leaves it depends on, consumers before producers. */
    private static List<Object> topologicalOrder(Object root) {
        List<Object> postOrder = new ArrayList<>();
        Set<Object> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Object[] inputs = frame[0] instanceof Node n ? n.inputs : NO_INPUTS;
            int next = (Integer) frame[1];
            if (next < inputs.length) {
                frame[1] = next + 1;
                Object in = inputs[next];
                if (in != null && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                postOrder.add(frame[0]);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }

    // ---------------------------------------------------------------- in-place updates (optimizers)

    /** In place, on a leaf outside any recorded graph: {@code this += alpha * x}. */
    public void addInPlace(float alpha, Tensor x) {
        requireMutable();
        requireSameShape("addInPlace", x);
        version++;
        backend().axpyInPlace(storage, alpha, x.storage);
    }

    /** In place, on a leaf: overwrite the values with {@code source}'s (copied from its device if it is another). */
    public void assign(Tensor source) {
        requireMutable();
        requireSameShape("assign", source);
        version++;
        backend().copyInPlace(storage, source.to(backend()).storage);
    }

    int version() {
        return version;
    }

    SavedTensor.Recipe recipe() {
        return recipe;
    }

    /** This fresh result, computable again by {@code recipe} (null: not at all); returns this. */
    Tensor recomputedBy(SavedTensor.Recipe recipe) {
        this.recipe = recipe;
        return this;
    }

    private void requireMutable() {
        if (node != null) {
            throw new IllegalStateException("Only leaf tensors (parameters, buffers) can be updated in place");
        }
    }

    void requireSameShape(String what, Tensor other) {
        requireShape(what, shape, other);
    }

    private static void requireShape(String what, Shape expected, Tensor actual) {
        if (!expected.equals(actual.shape)) {
            throw new IllegalArgumentException(what + ": expected shape " + expected + " but got " + actual.shape);
        }
    }

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor other) {
        return Elementwise.zip(BinaryOp.ADD, this, other);
    }

    public Tensor add(float value) {
        return map(UnaryOp.AFFINE, 1f, value);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.zip(BinaryOp.SUB, this, other);
    }

    public Tensor sub(float value) {
        return map(UnaryOp.AFFINE, 1f, -value);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.zip(BinaryOp.MUL, this, other);
    }

    public Tensor mul(float value) {
        return map(UnaryOp.AFFINE, value, 0f);
    }

    public Tensor div(Tensor other) {
        return Elementwise.zip(BinaryOp.DIV, this, other);
    }

    public Tensor div(float value) {
        // The bits of div(scalar(value)), without putting the scalar on the tensor's device.
        return map(UnaryOp.DIVIDE, value, 0f);
    }

    /** Element-wise maximum (gradient to the larger input; ties to this one). */
    public Tensor maximum(Tensor other) {
        return Elementwise.zip(BinaryOp.MAX, this, other);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.zip(BinaryOp.MIN, this, other);
    }

    public Tensor neg() {
        return map(UnaryOp.NEG, 0f, 0f);
    }

    public Tensor exp() {
        return map(UnaryOp.EXP, 0f, 0f);
    }

    public Tensor log() {
        return map(UnaryOp.LOG, 0f, 0f);
    }

    public Tensor sqrt() {
        return map(UnaryOp.SQRT, 0f, 0f);
    }

    public Tensor abs() {
        return map(UnaryOp.ABS, 0f, 0f);
    }

    public Tensor pow(float exponent) {
        return map(UnaryOp.POW, exponent, 0f);
    }

    /** The error function, element-wise (GELU is {@code x * (1 + erf(x / sqrt 2)) / 2}). */
    public Tensor erf() {
        return map(UnaryOp.ERF, 0f, 0f);
    }

    /** Half-to-even rounding; its gradient is zero (use the straight-through helpers to train through it). */
    public Tensor round() {
        return map(UnaryOp.ROUND, 0f, 0f);
    }

    public Tensor floor() {
        return map(UnaryOp.FLOOR, 0f, 0f);
    }

    /**
     * The smallest power of two at least each value (power-of-two thresholds), NaN for values {@code <= 0}; its
     * gradient is zero.
     */
    public Tensor ceilPowerOfTwo() {
        return map(UnaryOp.CEIL_POW2, 0f, 0f);
    }

    // ---------------------------------------------------------------- fake quantization

    /**
     * {@code x} (seen as {@code layout}) fake-quantized on the host grid {@code grid}, computed on x's device: the
     * inferable quantizers' forward. The result carries no gradient.
     */
    public static Tensor fakeQuantize(Tensor x, ChannelLayout layout, Grid grid) {
        return FakeQuantization.onGrid(x, layout, grid);
    }

    /**
     * {@code x} (seen as {@code layout}) on the affine grid of per-channel {@code steps} and {@code zeroPoints} (null:
     * zero), tensors of {@code layout.channels()} values on x's device ({@link Backend#fakeQuantAffine}). The result
     * carries no gradient; {@link #fakeQuantizeGradient} gives it one.
     */
    public static Tensor fakeQuantize(Tensor x, ChannelLayout layout, Tensor steps, Tensor zeroPoints, float qmin,
            float qmax, RoundingMode rounding) {
        return FakeQuantization.affine(x, layout, steps, zeroPoints, qmin, qmax, rounding);
    }

    /**
     * {@code value}, a fake-quantized {@code x}, with the straight-through gradient of
     * {@code s * clamp(rint((x - a) / s), qmin, qmax) + a} (per channel: {@code s} from {@code steps}, {@code a}
     * from {@code offsets}; null offsets: the zero-offset grid) flowing to x, steps and offsets
     * ({@link Backend#fakeQuantAffineBackward}): the trainable quantizers' backward, one pass on every device.
     */
    public static Tensor fakeQuantizeGradient(Tensor value, Tensor x, ChannelLayout layout, Tensor steps,
            Tensor offsets, float qmin, float qmax, boolean clipped) {
        return FakeQuantization.withGradient(value, x, layout, steps, offsets, qmin, qmax, clipped);
    }

    /**
     * The uniform grids of per-channel ranges, computed on their device by {@link Backend#uniformGrid}: returns
     * {@code {step, zeroPoint}}, rank-1 tensors of {@code min.numel()} values that carry no gradient (the uniform
     * trainable quantizers differentiate a separate expression of the range).
     */
    public static Tensor[] uniformGrid(Tensor min, Tensor max, int bits) {
        if (min.shape.rank() != 1 || !min.shape.equals(max.shape)) {
            throw new IllegalArgumentException("uniformGrid needs min and max of one rank-1 shape, got " + min.shape
                    + " and " + max.shape);
        }
        Elementwise.requireSameDevice(min, max);
        int channels = min.numel();
        Tensor both = new Tensor(Shape.of(2 * channels),
                min.backend().uniformGrid(min.storage, max.storage, channels, bits), null);
        return new Tensor[] {both.narrow(0, 0, channels), both.narrow(0, channels, channels)};
    }

    /** {@code min(max(x, low), high)}; gradient 1 where {@code low <= x <= high}. */
    public Tensor clamp(float low, float high) {
        return map(UnaryOp.CLAMP, low, high);
    }

    /** 1 where a value is greater than 0, else 0 (a mask; no gradient). */
    public Tensor positive() {
        return map(UnaryOp.POSITIVE, 0f, 0f);
    }

    public Tensor relu() {
        return map(UnaryOp.RELU, 0f, 0f);
    }

    public Tensor relu6() {
        return clamp(0f, 6f);
    }

    public Tensor leakyRelu(float slope) {
        return map(UnaryOp.LEAKY_RELU, slope, 0f);
    }

    public Tensor sigmoid() {
        return map(UnaryOp.SIGMOID, 0f, 0f);
    }

    public Tensor tanh() {
        return map(UnaryOp.TANH, 0f, 0f);
    }

    public Tensor hardswish() {
        return map(UnaryOp.HARDSWISH, 0f, 0f);
    }

    public Tensor silu() {
        return map(UnaryOp.SILU, 0f, 0f);
    }

    private Tensor map(UnaryOp op, float a, float b) {
        return Elementwise.map(op, this, a, b);
    }

    // ---------------------------------------------------------------- straight-through (QAT)

    /**
     * Forward rint (half to even); the gradient passes through unchanged: the reference's {@code ste_round}
     * (docs/quantizer-contract.md#straight-through-utilities).
     */
    public Tensor steRound() {
        return StraightThrough.round(this);
    }

    /** Forward clamp; the gradient passes through unchanged even outside the range ({@code ste_clip}). */
    public Tensor steClip(float low, float high) {
        return StraightThrough.clip(this, low, high);
    }

    /** Forward identity; the gradient is multiplied by {@code scale} ({@code grad_scale}). */
    public Tensor gradScale(float scale) {
        return StraightThrough.gradScale(this, scale);
    }

    /**
     * The values of {@code value} with the gradient of {@code surrogate}: the general straight-through estimator.
     * {@code steRound()} is {@code straightThrough(x.round(), x)}; a quantizer whose exact forward and whose
     * training gradient come from different expressions uses it directly.
     */
    public static Tensor straightThrough(Tensor value, Tensor surrogate) {
        return StraightThrough.substitute(value, surrogate);
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements, as a rank-0 tensor. */
    public Tensor sum() {
        return Reductions.sum(this, allAxes(), false);
    }

    public Tensor sum(int[] axes, boolean keepDims) {
        return Reductions.sum(this, axes, keepDims);
    }

    public Tensor mean() {
        return Reductions.mean(this, allAxes(), false);
    }

    public Tensor mean(int[] axes, boolean keepDims) {
        return Reductions.mean(this, axes, keepDims);
    }

    /** This tensor broadcast to {@code target} (NumPy rules); its gradient sums back. */
    public Tensor expand(Shape target) {
        return Reductions.expand(this, target);
    }

    private int[] allAxes() {
        int[] axes = new int[shape.rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * Matrix product over the last two axes: {@code [m, k] @ [k, n]}, {@code [..., m, k] @ [k, n]}, or batched
     * {@code [..., m, k] @ [..., k, n]} with equal batch dimensions.
     */
    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
    }

    // ---------------------------------------------------------------- shape

    /** The same values seen with another shape of the same element count; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        return Reshaping.reshape(this, newShape);
    }

    /** Flattens the axes from {@code startAxis} on into one ({@code flatten(1)}: {@code [N, ...] -> [N, -1]}). */
    public Tensor flatten(int startAxis) {
        return Reshaping.flatten(this, startAxis);
    }

    public Tensor permute(int... permutation) {
        return Reshaping.permute(this, permutation);
    }

    public Tensor transpose(int axisA, int axisB) {
        return Reshaping.transpose(this, axisA, axisB);
    }

    /** The slice {@code [start, start + length)} along {@code axis}. */
    public Tensor narrow(int axis, int start, int length) {
        return Reshaping.narrow(this, axis, start, length);
    }

    /** Joins tensors along {@code axis}; every other dimension must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        return Reshaping.concat(axis, parts);
    }

    // ---------------------------------------------------------------- softmax

    /** {@code log(softmax(x))} along {@code axis}, computed stably. */
    public Tensor logSoftmax(int axis) {
        return Activations.logSoftmax(this, axis);
    }

    public Tensor softmax(int axis) {
        return logSoftmax(axis).exp();
    }

    /** Ones on this tensor's device, made there (0 * 0 + 1) rather than copied from the host. */
    Tensor onesLike() {
        Backend b = backend();
        return new Tensor(shape, b.map(UnaryOp.AFFINE, b.zeros(shape.numel()), 0f, 1f), null);
    }

    static Tensor ofStorage(Shape shape, Storage storage) {
        return new Tensor(shape, storage, null);
    }

    @Override
    public String toString() {
        int n = Math.min(shape.numel(), 8);
        float[] head = new float[n];
        for (int i = 0; i < n; i++) {
            head[i] = valueAt(i);
        }
        String values = Arrays.toString(head);
        if (shape.numel() > n) {
            values = values.substring(0, values.length() - 1) + ", ...]";
        }
        return "Tensor" + shape + " " + device() + (requiresGrad ? " requiresGrad " : " ") + values;
    }
}
