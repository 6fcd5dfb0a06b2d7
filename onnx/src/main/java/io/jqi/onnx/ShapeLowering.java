package io.jqi.onnx;

import io.jqi.nn.Slice;
import io.jqi.onnx.NodeContext.Operand;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shape arithmetic that exporters leave in graphs ({@code x.size(1) // 2} in PyTorch becomes Shape, Gather, Div
 * ...), computed exactly at import: {@code Shape} of a value whose static shape is known, and Gather, Unsqueeze,
 * Squeeze, Slice, Concat, Cast and integer Add, Sub, Mul and Div of integer constants, in 64-bit integer arithmetic
 * as ONNX Runtime computes them (Div truncates toward zero). Slice of a computed value becomes a {@link Slice} layer.
 * Results are bounded like every folded constant ({@link FoldGuard#MAX_ELEMENTS}).
 *
 * <p>The batch size of a model exported with a dynamic batch axis is not known at import. It may flow through this
 * arithmetic as the symbol {@link #BATCH} (Shape of a value whose only unknown dimension is its first, gathered,
 * sliced, joined and unsqueezed, times or divided by 1), and a Reshape may use it as the first entry of its target
 * (copying the batch, ONNX's 0); anything else computed from it is refused by name ({@link #requireNoBatch}).
 */
final class ShapeLowering {
    /** The batch size, unknown at import, as an entry of an int64 constant. */
    static final long BATCH = Long.MIN_VALUE;
    /** The operators that read constants holding {@link #BATCH} themselves; the others are refused such inputs. */
    private static final java.util.Set<String> BATCH_AWARE = java.util.Set.of("Shape", "Gather", "Slice", "Concat",
            "Unsqueeze", "Squeeze", "Cast", "Add", "Sub", "Mul", "Div", "Reshape");

    private ShapeLowering() {
    }

    /**
     * Refuses a node that is not {@link #BATCH_AWARE} when one of its constant inputs depends on the batch size: it
     * would read the symbol as a number.
     */
    static void requireNoBatch(NodeContext c) {
        if (BATCH_AWARE.contains(c.node.opType())) {
            return;
        }
        for (int i = 0; i < c.inputCount(); i++) {
            Operand op = c.input(i);
            if (op.present() && op.isConstant() && dependsOnBatch(op.constant())) {
                throw batchError(c, "its input '" + op.name() + "'");
            }
        }
    }

    static boolean dependsOnBatch(OnnxTensor t) {
        if (t.dataType() != DataType.INT64) {
            return false;
        }
        for (long v : t.toLongs()) {
            if (v == BATCH) {
                return true;
            }
        }
        return false;
    }

    static OnnxImportException batchError(NodeContext c, String what) {
        return c.fail(what + " depends on the batch size, which is not known at import (the model has a dynamic "
                + "batch axis); jqi follows the batch through Shape, Gather, Slice, Concat, Unsqueeze and into a "
                + "Reshape's first entry only: export with a fixed batch size, or simplify the graph (onnx-simplifier)");
    }

    /** An integer tensor in 64-bit arithmetic: dims and row-major values, {@link #BATCH} where the batch size is. */
    record Ints(long[] dims, long[] values) {
        static Ints of(NodeContext c, OnnxTensor t, String what) {
            if (!t.dataType().isInteger() && t.dataType() != DataType.BOOL) {
                throw c.fail("its " + what + " is " + t.dataType() + "; jqi computes shape arithmetic on integers");
            }
            return new Ints(t.dims(), t.toLongs());
        }

        /** As {@link #of}, for a parameter (indices, axes, starts, ...) that must not depend on the batch. */
        static Ints known(NodeContext c, OnnxTensor t, String what) {
            Ints ints = of(c, t, what);
            for (long v : ints.values()) {
                if (v == BATCH) {
                    throw batchError(c, "its " + what);
                }
            }
            return ints;
        }

        int rank() {
            return dims.length;
        }

        OnnxTensor toTensor(String name) {
            return OnnxTensor.ofInt64(name, dims, values);
        }
    }

    /** Whether every operand is present and an integer constant: then integer arithmetic, not float, applies. */
    static boolean integerConstants(NodeContext c) {
        if (c.inputCount() == 0) {
            return false;
        }
        for (int i = 0; i < c.inputCount(); i++) {
            Operand op = c.input(i);
            if (!op.present() || !op.isConstant() || !op.constant().dataType().isInteger()) {
                return false;
            }
        }
        return true;
    }

    private static String output(NodeContext c) {
        return c.node.outputs().get(0);
    }

    // ---- Shape ---------------------------------------------------------------------------------------------------

    /** The input's static shape, sliced by start and end (opset 15), as int64. */
    static Lowered shape(NodeContext c) {
        Operand x = c.required(0, "data");
        long[] dims = c.inputShape(0);
        if (dims == null || Arrays.stream(dims).skip(1).anyMatch(d -> d < 0)) {
            throw c.fail("the shape of '" + x.name() + "' is not known at import (" + (dims == null ? "no static shape"
                    : "dims " + Arrays.toString(dims)) + "); give the model static input shapes (the first axis, "
                    + "the batch, may be dynamic)");
        }
        int rank = dims.length;
        int start = clampAxis(c.intAttr("start", 0), rank);
        int end = c.hasAttribute("end") ? clampAxis(c.intAttr("end", rank), rank) : rank;
        long[] out = Arrays.copyOfRange(dims, start, Math.max(start, end));
        if (start == 0 && out.length > 0 && out[0] < 0) {
            out[0] = BATCH;
        }
        return Lowered.constant(new Ints(new long[] {out.length}, out).toTensor(output(c)));
    }

    private static int clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }

    // ---- Gather, Unsqueeze, Squeeze --------------------------------------------------------------------------------

    static Lowered gather(NodeContext c) {
        Operand data = c.required(0, "data");
        Operand indices = c.required(1, "indices");
        if (!data.isConstant() || !indices.isConstant()) {
            throw c.fail("it gathers from a computed value; jqi computes Gather only on constants (shape "
                    + "arithmetic)");
        }
        Ints d = Ints.of(c, data.constant(), "data");
        Ints idx = Ints.known(c, indices.constant(), "indices");
        int axis = normalizeAxis(c, c.intAttr("axis", 0), d.rank());
        long size = d.dims()[axis];
        long outer = product(d.dims(), 0, axis);
        long inner = product(d.dims(), axis + 1, d.rank());
        long[] dims = new long[d.rank() - 1 + idx.rank()];
        System.arraycopy(d.dims(), 0, dims, 0, axis);
        System.arraycopy(idx.dims(), 0, dims, axis, idx.rank());
        System.arraycopy(d.dims(), axis + 1, dims, axis + idx.rank(), d.rank() - axis - 1);
        long[] out = new long[checkedSize(c, dims)];
        int n = 0;
        for (long o = 0; o < outer; o++) {
            for (long k : idx.values()) {
                long at = k < 0 ? k + size : k;
                if (at < 0 || at >= size) {
                    throw c.fail("index " + k + " is out of range for axis " + axis + " of size " + size);
                }
                for (long i = 0; i < inner; i++) {
                    out[n++] = d.values()[(int) ((o * size + at) * inner + i)];
                }
            }
        }
        return Lowered.constant(new Ints(dims, out).toTensor(output(c)));
    }

    /** Axes from the attribute before opset 13, from the second input since. */
    static Lowered unsqueeze(NodeContext c) {
        Ints x = constantData(c, "Unsqueeze");
        long[] axes = axes(c, true);
        int rank = x.rank() + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int axis = normalizeAxis(c, a, rank);
            if (added[axis]) {
                throw c.fail("axis " + a + " is given twice");
            }
            added[axis] = true;
        }
        long[] dims = new long[rank];
        for (int d = 0, from = 0; d < rank; d++) {
            dims[d] = added[d] ? 1 : x.dims()[from++];
        }
        return Lowered.constant(new Ints(dims, x.values()).toTensor(output(c)));
    }

    static Lowered squeeze(NodeContext c) {
        Ints x = constantData(c, "Squeeze");
        long[] axes = axes(c, false);
        boolean[] removed = new boolean[x.rank()];
        if (axes == null || axes.length == 0) {
            for (int d = 0; d < x.rank(); d++) {
                removed[d] = x.dims()[d] == 1;
            }
        } else {
            for (long a : axes) {
                int axis = normalizeAxis(c, a, x.rank());
                if (x.dims()[axis] != 1) {
                    throw c.fail("axis " + a + " has size " + x.dims()[axis] + ", not 1");
                }
                removed[axis] = true;
            }
        }
        long[] dims = new long[x.rank()];
        int n = 0;
        for (int d = 0; d < x.rank(); d++) {
            if (!removed[d]) {
                dims[n++] = x.dims()[d];
            }
        }
        return Lowered.constant(new Ints(Arrays.copyOf(dims, n), x.values()).toTensor(output(c)));
    }

    private static Ints constantData(NodeContext c, String op) {
        Operand data = c.required(0, "data");
        if (!data.isConstant()) {
            throw c.fail(op + " of a computed value is not supported; jqi computes it on constants (shape "
                    + "arithmetic); reshape computed values with Reshape");
        }
        return Ints.of(c, data.constant(), "data");
    }

    /** Squeeze's and Unsqueeze's axes: an attribute up to opset 12, the second input from 13. */
    private static long[] axes(NodeContext c, boolean required) {
        long[] axes;
        if (c.opVersion() >= 13) {
            Operand op = c.input(1);
            if (!op.present()) {
                axes = null;
            } else if (!op.isConstant()) {
                throw c.fail("its axes input '" + op.name() + "' is computed at run time; jqi needs constant axes");
            } else {
                axes = Ints.known(c, op.constant(), "axes").values();
            }
        } else {
            axes = c.intsAttr("axes");
        }
        if (required && axes == null) {
            throw c.fail("it has no axes");
        }
        return axes;
    }

    // ---- Slice -----------------------------------------------------------------------------------------------------

    /** One axis of a slice: where it starts, its step and how many entries it takes, after ONNX's clamping. */
    record Range(int axis, long start, long step, long count) {
    }

    /**
     * Slice (opset 10 on: starts, ends, axes and steps as inputs): computed on a constant, or a {@link Slice} layer on
     * a computed value whose static shape is known (steps of 1).
     */
    static Lowered slice(NodeContext c) {
        Operand data = c.required(0, "data");
        long[] starts = constantInts(c, 1, "starts", true);
        long[] ends = constantInts(c, 2, "ends", true);
        long[] axes = constantInts(c, 3, "axes", false);
        long[] steps = constantInts(c, 4, "steps", false);
        if (starts.length != ends.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw c.fail("starts, ends, axes and steps must have one entry per sliced axis");
        }
        long[] dims = c.inputShape(0);
        if (dims == null) {
            throw c.fail("the shape of '" + data.name() + "' is not known at import; give the model static input "
                    + "shapes");
        }
        List<Range> ranges = new ArrayList<>();
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < starts.length; i++) {
            int axis = normalizeAxis(c, axes == null ? i : axes[i], dims.length);
            if (dims[axis] < 0) {
                throw c.fail("it slices axis " + axis + " of '" + data.name() + "', whose size is not known at "
                        + "import; give the model static input shapes");
            }
            if (seen[axis]) {
                throw c.fail("axis " + axis + " is sliced twice");
            }
            seen[axis] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw c.fail("a step of 0 is not allowed");
            }
            ranges.add(range(axis, dims[axis], starts[i], ends[i], step));
        }
        if (data.isConstant()) {
            return Lowered.constant(sliceConstant(c, data.constant(), ranges));
        }
        int[] sliceAxes = new int[ranges.size()];
        int[] sliceStarts = new int[ranges.size()];
        int[] sliceLengths = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            if (r.step() != 1) {
                throw c.fail("steps other than 1 on a computed value are not supported (step " + r.step()
                        + " on axis " + r.axis() + ")");
            }
            sliceAxes[i] = r.axis();
            sliceStarts[i] = c.toInt(r.start(), "start");
            sliceLengths[i] = c.toInt(r.count(), "length");
        }
        return Lowered.of(new Slice(sliceAxes, sliceStarts, sliceLengths), data.name());
    }

    /** ONNX's clamping of a start and an end on an axis of {@code size} entries, for a positive or negative step. */
    private static Range range(int axis, long size, long start, long end, long step) {
        long s = start < 0 ? start + size : start;
        long e = end < 0 ? end + size : end;
        if (step > 0) {
            s = Math.max(0, Math.min(size, s));
            e = Math.max(0, Math.min(size, e));
            return new Range(axis, s, step, e > s ? (e - s + step - 1) / step : 0);
        }
        s = Math.max(-1, Math.min(size - 1, s));
        e = Math.max(-1, Math.min(size - 1, e));
        return new Range(axis, s, step, s > e ? (s - e + (-step) - 1) / (-step) : 0);
    }

    /** The sliced constant, in its own type (floats stay floats, integers become int64). */
    private static OnnxTensor sliceConstant(NodeContext c, OnnxTensor t, List<Range> ranges) {
        long[] dims = t.dims().clone();
        for (Range r : ranges) {
            dims[r.axis()] = r.count();
        }
        int n = checkedSize(c, dims);
        int[] source = new int[n];
        long[] strides = new long[t.dims().length];
        for (int d = strides.length - 1, s = 1; d >= 0; d--) {
            strides[d] = s;
            s *= (int) t.dims()[d];
        }
        long[] start = new long[dims.length];
        long[] step = new long[dims.length];
        Arrays.fill(step, 1);
        for (Range r : ranges) {
            start[r.axis()] = r.start();
            step[r.axis()] = r.step();
        }
        long[] index = new long[dims.length];
        for (int i = 0; i < n; i++) {
            long at = 0;
            for (int d = 0; d < dims.length; d++) {
                at += (start[d] + index[d] * step[d]) * strides[d];
            }
            source[i] = (int) at;
            for (int d = dims.length - 1; d >= 0 && ++index[d] == dims[d]; d--) {
                index[d] = 0;
            }
        }
        if (t.dataType().isInteger()) {
            long[] v = t.toLongs();
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = v[source[i]];
            }
            return OnnxTensor.ofInt64(output(c), dims, out);
        }
        float[] v = t.toFloats();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = v[source[i]];
        }
        return OnnxTensor.ofFloats(output(c), dims, out);
    }

    // ---- Concat, Cast, arithmetic ----------------------------------------------------------------------------------

    /** Concat of integer constants. */
    static Lowered concat(NodeContext c, int axisAttr) {
        List<Ints> parts = new ArrayList<>();
        for (int i = 0; i < c.inputCount(); i++) {
            parts.add(Ints.of(c, c.input(i).constant(), "input " + i));
        }
        int rank = parts.get(0).rank();
        int axis = normalizeAxis(c, axisAttr, rank);
        long[] dims = parts.get(0).dims().clone();
        dims[axis] = 0;
        for (Ints p : parts) {
            if (p.rank() != rank) {
                throw c.fail("its inputs have different ranks");
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && p.dims()[d] != dims[d]) {
                    throw c.fail("its inputs differ in dimension " + d);
                }
            }
            dims[axis] += p.dims()[axis];
        }
        long outer = product(dims, 0, axis);
        long inner = product(dims, axis + 1, rank);
        long[] out = new long[checkedSize(c, dims)];
        int n = 0;
        for (long o = 0; o < outer; o++) {
            for (Ints p : parts) {
                long run = p.dims()[axis] * inner;
                System.arraycopy(p.values(), (int) (o * run), out, n, (int) run);
                n += (int) run;
            }
        }
        return Lowered.constant(new Ints(dims, out).toTensor(output(c)));
    }

    /** Cast of a constant to a float or integer type (integers keep 64 bits here; floats become float32). */
    static Lowered cast(NodeContext c) {
        Operand x = c.required(0, "input");
        if (!x.isConstant()) {
            throw c.fail("it casts a computed value; jqi's values are float32, and it computes Cast only on "
                    + "constants");
        }
        DataType to = DataType.of(c.toInt(c.intAttr("to", 0), "to"));
        OnnxTensor t = x.constant();
        if (to == DataType.FLOAT || to == DataType.DOUBLE || to == DataType.FLOAT16) {
            if (dependsOnBatch(t)) {
                throw batchError(c, "its input");
            }
            return Lowered.constant(OnnxTensor.ofFloats(output(c), t.dims(), t.toFloats()));
        }
        if (to.isInteger()) {
            long[] v = t.dataType().isInteger() || t.dataType() == DataType.BOOL ? t.toLongs() : truncate(t.toFloats());
            return Lowered.constant(new Ints(t.dims(), v).toTensor(output(c)));
        }
        throw c.fail("casting to " + to + " is not supported");
    }

    private static long[] truncate(float[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) v[i];
        }
        return out;
    }

    /** Add, Sub, Mul or Div of two integer constants, broadcast (one may be a single value). */
    static Lowered arithmetic(NodeContext c) {
        Ints a = Ints.of(c, c.input(0).constant(), "first input");
        Ints b = Ints.of(c, c.input(1).constant(), "second input");
        long[] dims = broadcast(c, a.dims(), b.dims());
        int n = checkedSize(c, dims);
        long[] out = new long[n];
        String op = c.node.opType();
        for (int i = 0; i < n; i++) {
            long x = a.values()[broadcastIndex(i, dims, a.dims())];
            long y = b.values()[broadcastIndex(i, dims, b.dims())];
            if (x == BATCH || y == BATCH) {
                out[i] = withBatch(c, op, x, y);
                continue;
            }
            out[i] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                default -> {
                    if (y == 0) {
                        throw c.fail("it divides the integer " + x + " by zero");
                    }
                    yield x / y;
                }
            };
        }
        return Lowered.constant(new Ints(dims, out).toTensor(output(c)));
    }

    /** The batch times or divided by 1, or plus or minus 0, is the batch; anything else is refused. */
    private static long withBatch(NodeContext c, String op, long x, long y) {
        boolean neutral = switch (op) {
            case "Mul" -> x == 1 || y == 1;
            case "Div" -> y == 1;
            case "Add" -> x == 0 || y == 0;
            default -> y == 0;
        };
        if (!neutral || (x == BATCH && y == BATCH)) {
            throw batchError(c, "its result (" + op + " of " + (x == BATCH ? "the batch" : x) + " and "
                    + (y == BATCH ? "the batch" : y) + ")");
        }
        return BATCH;
    }

    private static long[] broadcast(NodeContext c, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw c.fail("its inputs of dims " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** The index in an operand of {@code dims} broadcast to {@code out} of output element {@code i}. */
    private static int broadcastIndex(int i, long[] out, long[] dims) {
        long at = 0;
        long stride = 1;
        long rest = i;
        for (int d = out.length - 1; d >= 0; d--) {
            long coordinate = rest % out[d];
            rest /= out[d];
            int od = d - (out.length - dims.length);
            if (od >= 0) {
                if (dims[od] != 1) {
                    at += coordinate * stride;
                }
                stride *= dims[od];
            }
        }
        return (int) at;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** The integers of constant input {@code i}; null when it is optional and absent. */
    private static long[] constantInts(NodeContext c, int i, String what, boolean required) {
        Operand op = c.input(i);
        if (!op.present()) {
            if (required) {
                throw c.fail("it has no " + what + " input");
            }
            return null;
        }
        if (!op.isConstant()) {
            throw c.fail("its " + what + " input '" + op.name() + "' is computed at run time; jqi needs constant "
                    + what);
        }
        return Ints.known(c, op.constant(), what).values();
    }

    private static int normalizeAxis(NodeContext c, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw c.fail("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    private static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int d = from; d < to; d++) {
            p *= dims[d];
        }
        return p;
    }

    private static int checkedSize(NodeContext c, long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw c.fail("it would make a negative dimension " + Arrays.toString(dims));
            }
            n = d == 0 ? 0 : (n > FoldGuard.MAX_ELEMENTS / d ? FoldGuard.MAX_ELEMENTS + 1 : n * d);
        }
        if (n > FoldGuard.MAX_ELEMENTS) {
            throw c.fail("computing it from its constant inputs would make " + Arrays.toString(dims) + " elements, "
                    + "over the limit of " + FoldGuard.MAX_ELEMENTS);
        }
        return (int) n;
    }
}
