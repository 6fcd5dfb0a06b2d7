package io.jqi.onnx;

import io.jqi.nn.Add;
import io.jqi.nn.AddConstant;
import io.jqi.nn.AvgPool2D;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.Clip;
import io.jqi.nn.CoercedSoftmax;
import io.jqi.nn.Concat;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Div;
import io.jqi.nn.Dropout;
import io.jqi.nn.Erf;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.HardSigmoid;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.LayerNorm;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatMul;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Mean;
import io.jqi.nn.Module;
import io.jqi.nn.Mul;
import io.jqi.nn.Pad;
import io.jqi.nn.Pow;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Softmax;
import io.jqi.nn.Sqrt;
import io.jqi.nn.Sub;
import io.jqi.nn.Tanh;
import io.jqi.nn.Transpose;
import io.jqi.onnx.NodeContext.Operand;
import io.jqi.onnx.proto.AttributeType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Lowers each supported ONNX operator to jqi layers, checking every attribute against what the layers compute. The
 * table is the one list of the operators the importer reads: {@link OnnxImporter} refuses any other by name.
 */
final class NodeLowering {
    private static final Map<String, Function<NodeContext, Lowered>> OPERATORS = new LinkedHashMap<>();

    static {
        OPERATORS.put("Conv", NodeLowering::conv);
        OPERATORS.put("Gemm", NodeLowering::gemm);
        OPERATORS.put("MatMul", NodeLowering::matmul);
        OPERATORS.put("Add", NodeLowering::elementwise);
        OPERATORS.put("Sub", NodeLowering::elementwise);
        OPERATORS.put("Mul", NodeLowering::elementwise);
        OPERATORS.put("Div", NodeLowering::elementwise);
        OPERATORS.put("Relu", c -> Lowered.of(new ReLU(), c.required(0, "X").name()));
        OPERATORS.put("Clip", NodeLowering::clip);
        OPERATORS.put("LeakyRelu", c -> Lowered.of(new LeakyReLU(c.floatAttr("alpha", 0.01f)),
                c.required(0, "X").name()));
        OPERATORS.put("Sigmoid", c -> Lowered.of(new Sigmoid(), c.required(0, "X").name()));
        OPERATORS.put("Tanh", c -> Lowered.of(new Tanh(), c.required(0, "X").name()));
        OPERATORS.put("HardSwish", c -> Lowered.of(new Hardswish(), c.required(0, "X").name()));
        OPERATORS.put("HardSigmoid", c -> Lowered.of(new HardSigmoid(c.floatAttr("alpha", 0.2f),
                c.floatAttr("beta", 0.5f)), c.required(0, "X").name()));
        OPERATORS.put("MaxPool", NodeLowering::pool);
        OPERATORS.put("AveragePool", NodeLowering::pool);
        OPERATORS.put("GlobalAveragePool", c -> Lowered.of(new GlobalAvgPool2D(), c.required(0, "X").name()));
        OPERATORS.put("ReduceMean", NodeLowering::reduceMean);
        OPERATORS.put("Erf", c -> Lowered.of(new Erf(), c.required(0, "input").name()));
        OPERATORS.put("Sqrt", c -> Lowered.of(new Sqrt(), c.required(0, "X").name()));
        OPERATORS.put("Pow", NodeLowering::pow);
        OPERATORS.put("Pad", NodeLowering::pad);
        OPERATORS.put("Slice", ShapeLowering::slice);
        // Shape arithmetic, computed at import.
        OPERATORS.put("Shape", ShapeLowering::shape);
        OPERATORS.put("Gather", ShapeLowering::gather);
        OPERATORS.put("Unsqueeze", ShapeLowering::unsqueeze);
        OPERATORS.put("Squeeze", ShapeLowering::squeeze);
        OPERATORS.put("Cast", ShapeLowering::cast);
        OPERATORS.put("Flatten", NodeLowering::flatten);
        OPERATORS.put("Reshape", NodeLowering::reshape);
        OPERATORS.put("Transpose", NodeLowering::transpose);
        OPERATORS.put("Concat", NodeLowering::concat);
        OPERATORS.put("BatchNormalization", NodeLowering::batchNorm);
        OPERATORS.put("LayerNormalization", NodeLowering::layerNorm);
        OPERATORS.put("Softmax", NodeLowering::softmax);
        OPERATORS.put("Dropout", NodeLowering::dropout);
        OPERATORS.put("Identity", c -> Lowered.of(new Identity(), c.required(0, "input").name()));
        OPERATORS.put("Constant", NodeLowering::constant);
        // Of constants only: the importer makes chains on computed values into layers (QdqLowering).
        OPERATORS.put("QuantizeLinear", c -> Lowered.constant(QdqLowering.quantizeConstant(c)));
        OPERATORS.put("DequantizeLinear", c -> Lowered.constant(QdqLowering.dequantizeConstant(c)));
    }

    private NodeLowering() {
    }

    /** The operators the importer reads, in the order its messages list them. */
    static Set<String> operators() {
        return Collections.unmodifiableSet(OPERATORS.keySet());
    }

    static boolean supports(String opType) {
        return OPERATORS.containsKey(opType);
    }

    /** The layers (or constant) of {@code c}'s node, whose operator {@link #supports} must have accepted. */
    static Lowered lower(NodeContext c) {
        return OPERATORS.get(c.node.opType()).apply(c);
    }

    // ---- element-wise --------------------------------------------------------------------------------------------

    private static Lowered elementwise(NodeContext c) {
        Operand a = c.required(0, "A");
        Operand b = c.required(1, "B");
        if (ShapeLowering.integerConstants(c)) {
            return ShapeLowering.arithmetic(c);
        }
        String op = c.node.opType();
        // A constant operand becomes the layer's own when the other one is computed; two constants fold.
        boolean constA = a.isConstant() && !b.isConstant();
        boolean constB = b.isConstant() && !a.isConstant();
        if (!constA && !constB) {
            Module layer = switch (op) {
                case "Add" -> new Add();
                case "Sub" -> new Sub();
                case "Mul" -> new Mul();
                default -> new Div();
            };
            return Lowered.of(layer, a.name(), b.name());
        }
        Operand dynamic = constA ? b : a;
        Tensor k = Tensors.toTensor(constA ? a.constant() : b.constant(), c);
        Module layer = switch (op) {
            case "Add" -> new AddConstant(k);
            case "Sub" -> new Sub(k, constA);
            case "Mul" -> new Mul(k, constA);
            default -> new Div(k, constA);
        };
        return Lowered.of(layer, dynamic.name());
    }

    private static float scalar(NodeContext c, int i, String role) {
        OnnxTensor t = c.constant(i, role);
        if (t.numel() != 1) {
            throw c.fail("its " + role + " must be a single value, got dims " + Arrays.toString(t.dims()));
        }
        return Tensors.toTensor(t, c).toFloatArray()[0];
    }

    private static Lowered clip(NodeContext c) {
        String x = c.required(0, "input").name();
        float min;
        float max;
        if (c.olderForm()) {   // Clip-6: the bounds are attributes
            min = c.floatAttr("min", -Float.MAX_VALUE);
            max = c.floatAttr("max", Float.MAX_VALUE);
            min = min == -Float.MAX_VALUE ? Float.NEGATIVE_INFINITY : min;
            max = max == Float.MAX_VALUE ? Float.POSITIVE_INFINITY : max;
        } else {
            min = c.input(1).present() ? scalar(c, 1, "min") : Float.NEGATIVE_INFINITY;
            max = c.input(2).present() ? scalar(c, 2, "max") : Float.POSITIVE_INFINITY;
        }
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw c.fail("min " + min + " and max " + max + " are not a range (min <= max)");
        }
        // The activation layers the target platforms know, where they are exactly the same function.
        if (min == 0f && max == 6f) {
            return Lowered.of(new ReLU6(), x);
        }
        if (min == 0f && max == Float.POSITIVE_INFINITY) {
            return Lowered.of(new ReLU(), x);
        }
        return Lowered.of(new Clip(min, max), x);
    }

    private static Lowered dropout(NodeContext c) {
        String x = c.required(0, "data").name();
        c.rejectExtraOutputs(1, "the dropout mask");
        float ratio;
        if (c.opVersion() < 12) {
            ratio = c.floatAttr("ratio", 0.5f);
        } else {
            ratio = c.input(1).present() ? scalar(c, 1, "ratio") : 0.5f;
            if (c.input(2).present()) {
                OnnxTensor mode = c.constant(2, "training_mode");
                if (mode.numel() != 1) {
                    throw c.fail("its training_mode must be a single value");
                }
                if (mode.toFloats()[0] != 0f) {
                    throw c.fail("training_mode is true: the model drops values at inference; export it in "
                            + "evaluation mode (training_mode false or absent)");
                }
            }
        }
        if (!(ratio >= 0f && ratio < 1f)) {
            throw c.fail("ratio " + ratio + " is outside [0, 1)");
        }
        // Dropout is the identity at inference; the layer keeps the ratio for training an imported model.
        return Lowered.of(new Dropout(ratio, new Random(0)), x);
    }

    private static Lowered softmax(NodeContext c) {
        String x = c.required(0, "input").name();
        if (c.opVersion() >= 13) {
            return Lowered.of(new Softmax(c.toInt(c.intAttr("axis", -1), "axis")), x);
        }
        // Before opset 13 Softmax normalized over all axes from its axis on (default 1) at once.
        int axis = c.toInt(c.intAttr("axis", 1), "axis");
        return Lowered.of(axis == -1 ? new Softmax(-1) : new CoercedSoftmax(axis), x);
    }

    // ---- shape -----------------------------------------------------------------------------------------------------

    /**
     * Constant mode only; pads (and, since opset 18, the axes they apply to) and the constant must be constants.
     * Opset 11 on: the pads and the value are inputs.
     */
    private static Lowered pad(NodeContext c) {
        String x = c.required(0, "data").name();
        String mode = c.stringAttr("mode", "constant");
        if (!mode.equals("constant")) {
            throw c.fail("mode '" + mode + "' is not supported; jqi pads with a constant (mode 'constant')");
        }
        boolean older = c.olderForm();   // Pad-2: pads and value are attributes
        long[] pads = older ? c.intsAttr("pads") : constantLongs(c, 1, "pads");
        if (pads == null) {
            throw c.fail("it has no pads attribute");
        }
        float value = older ? c.floatAttr("value", 0f) : 0f;
        if (!older && c.input(2).present()) {
            if (!c.input(2).isConstant()) {
                throw c.fail("its constant_value input '" + c.input(2).name() + "' is computed at run time");
            }
            float[] v = Tensors.toTensor(c.input(2).constant(), c).toFloatArray();
            if (v.length != 1) {
                throw c.fail("its constant_value must be one value, got " + v.length);
            }
            value = v[0];
        }
        long[] in = c.inputShape(0);
        if (!older && c.input(3).present()) {
            long[] axes = constantLongs(c, 3, "axes");
            if (in == null) {
                throw c.fail("it pads chosen axes of an input whose rank is not known at import; give the model "
                        + "static input shapes");
            }
            if (pads.length != 2 * axes.length) {
                throw c.fail("pads " + Arrays.toString(pads) + " must hold a begin and an end pad for each of the "
                        + axes.length + " axes");
            }
            long[] all = new long[2 * in.length];
            for (int i = 0; i < axes.length; i++) {
                int a = c.toInt(axes[i] < 0 ? axes[i] + in.length : axes[i], "axis");
                if (a < 0 || a >= in.length) {
                    throw c.fail("axis " + axes[i] + " is out of range for an input of rank " + in.length);
                }
                all[a] = pads[i];
                all[a + in.length] = pads[i + axes.length];
            }
            pads = all;
        } else if (in != null && pads.length != 2 * in.length) {
            throw c.fail("pads " + Arrays.toString(pads) + " must hold 2 entries per axis of the rank-" + in.length
                    + " input");
        }
        int[] p = new int[pads.length];
        for (int i = 0; i < pads.length; i++) {
            p[i] = c.toInt(pads[i], "pad");
        }
        try {
            return Lowered.of(new Pad(p, value), x);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    /** The integers of constant input {@code index}, which must be present and 1-D. */
    private static long[] constantLongs(NodeContext c, int index, String what) {
        if (!c.input(index).present()) {
            throw c.fail("it has no " + what + " input");
        }
        if (!c.input(index).isConstant()) {
            throw c.fail("its " + what + " input '" + c.input(index).name() + "' is computed at run time; jqi needs "
                    + "constant " + what);
        }
        OnnxTensor t = c.input(index).constant();
        if (t.dims().length != 1 || !t.dataType().isInteger()) {
            throw c.fail("its " + what + " input must be a 1-D integer tensor, got " + t.dataType() + " of dims "
                    + Arrays.toString(t.dims()));
        }
        return t.toLongs();
    }

    /** A computed base to a constant scalar exponent (float or integer). */
    private static Lowered pow(NodeContext c) {
        Operand base = c.required(0, "X");
        Operand exponent = c.required(1, "Y");
        if (!exponent.isConstant()) {
            throw c.fail("its exponent '" + exponent.name() + "' is computed at run time; jqi raises to a constant "
                    + "exponent");
        }
        float[] e = Tensors.toTensor(exponent.constant(), c).toFloatArray();
        if (e.length != 1) {
            throw c.fail("its exponent must be one value, got " + e.length + " (dims "
                    + Arrays.toString(exponent.constant().dims()) + ")");
        }
        return Lowered.of(new Pow(e[0]), base.name());
    }

    /** Axes from the attribute up to opset 17, from the optional second input since 18. */
    private static Lowered reduceMean(NodeContext c) {
        String x = c.required(0, "data").name();
        long[] axes;
        if (c.opVersion() >= 18) {
            if (c.input(1).present() && !c.input(1).isConstant()) {
                throw c.fail("its axes input '" + c.input(1).name() + "' is computed at run time; jqi needs "
                        + "constant axes");
            }
            axes = c.input(1).present() ? c.input(1).constant().toLongs() : new long[0];
            if (axes.length == 0 && c.intAttr("noop_with_empty_axes", 0) != 0) {
                return Lowered.of(new Identity(), x);
            }
        } else {
            long[] attr = c.intsAttr("axes");
            axes = attr == null ? new long[0] : attr;
        }
        int[] over = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            over[i] = c.toInt(axes[i], "axis");
        }
        try {
            return Lowered.of(new Mean(over, c.intAttr("keepdims", 1) != 0), x);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    private static Lowered flatten(NodeContext c) {
        String x = c.required(0, "input").name();
        int axis = c.toInt(c.intAttr("axis", 1), "axis");
        return Lowered.of(axis == 1 ? new Flatten(1) : new MatrixFlatten(axis), x);
    }

    private static Lowered reshape(NodeContext c) {
        String x = c.required(0, "data").name();
        if (!c.input(1).present()) {
            throw c.fail("it has no shape input (the shape attribute of opsets before 5 is not read)");
        }
        if (!c.input(1).isConstant()) {
            throw c.fail("its shape input '" + c.input(1).name() + "' is computed at run time; jqi needs a constant "
                    + "shape (export with static shapes, or fold the shape computation, e.g. onnx-simplifier)");
        }
        OnnxTensor shape = c.input(1).constant();
        if (shape.dims().length != 1) {
            throw c.fail("its shape input must be 1-D, got dims " + Arrays.toString(shape.dims()));
        }
        long[] values = shape.dataType().isInteger() ? shape.toLongs() : toLongs(c, shape);
        boolean allowZero = c.intAttr("allowzero", 0) != 0;
        int[] target = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] == ShapeLowering.BATCH) {
                // The batch, copied from the input's first axis (ONNX's 0), which must be the batch too.
                long[] in = c.inputShape(0);
                if (i != 0 || allowZero || in == null || in.length == 0 || in[0] >= 0) {
                    throw ShapeLowering.batchError(c, "entry " + i + " of its shape");
                }
                target[i] = 0;
            } else {
                target[i] = c.toInt(values[i], "shape entry");
            }
        }
        try {
            return Lowered.of(new Reshape(target, allowZero), x);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    /** Integer values of a shape that constant folding produced as floats. */
    private static long[] toLongs(NodeContext c, OnnxTensor t) {
        float[] f = Tensors.toTensor(t, c).toFloatArray();
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            if (f[i] != Math.rint(f[i])) {
                throw c.fail("shape entry " + f[i] + " is not an integer");
            }
            out[i] = (long) f[i];
        }
        return out;
    }

    private static Lowered transpose(NodeContext c) {
        String x = c.required(0, "data").name();
        long[] perm = c.intsAttr("perm");
        int[] p = perm == null ? new int[0] : new int[perm.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = c.toInt(perm[i], "perm entry");
        }
        try {
            return Lowered.of(new Transpose(p), x);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    private static Lowered concat(NodeContext c) {
        if (!c.hasAttribute("axis")) {
            throw c.fail("it has no axis attribute, which Concat requires");
        }
        int axis = c.toInt(c.intAttr("axis", 0), "axis");
        List<String> names = new ArrayList<>();
        boolean anyConstant = false;
        boolean allConstant = true;
        for (int i = 0; i < c.inputCount(); i++) {
            Operand op = c.required(i, "input " + i);
            names.add(op.name());
            anyConstant |= op.isConstant();
            allConstant &= op.isConstant();
        }
        if (names.isEmpty()) {
            throw c.fail("it has no inputs");
        }
        if (anyConstant && !allConstant) {
            throw c.fail("it joins constants with computed values, which jqi's Concat layer cannot hold; "
                    + "make every input a computed value or every input a constant");
        }
        if (ShapeLowering.integerConstants(c)) {
            return ShapeLowering.concat(c, axis);
        }
        return Lowered.of(new Concat(axis), names.toArray(String[]::new));
    }

    // ---- layers with weights ---------------------------------------------------------------------------------------

    private static Lowered matmul(NodeContext c) {
        Operand a = c.required(0, "A");
        Operand b = c.required(1, "B");
        if (b.isConstant() && !a.isConstant() && b.constant().dims().length == 2) {
            // x @ W with a constant matrix is a bias-free dense layer: its weight is then a kernel to quantize.
            Tensor w = Tensors.toTensor(b.constant(), c);
            int k = w.shape().dim(0);
            int n = w.shape().dim(1);
            if (k == 0 || n == 0) {
                throw c.fail("its weight has an empty dimension");
            }
            Dense dense = new Dense(k, n, false, new Random(0));
            dense.replaceParameter("weight", w.transpose(0, 1).reshape(n, k).detach());
            return Lowered.of(dense, a.name());
        }
        if (b.isConstant() && !a.isConstant()) {
            return Lowered.of(new MatMul(Tensors.toTensor(b.constant(), c), false), a.name());
        }
        if (a.isConstant() && !b.isConstant()) {
            return Lowered.of(new MatMul(Tensors.toTensor(a.constant(), c), true), b.name());
        }
        return Lowered.of(new MatMul(), a.name(), b.name());
    }

    private static Lowered gemm(NodeContext c) {
        Operand a = c.required(0, "A");
        OnnxTensor bt = c.constant(1, "B");
        float alpha = c.floatAttr("alpha", 1f);
        float beta = c.floatAttr("beta", 1f);
        boolean transA = c.intAttr("transA", 0) != 0;
        boolean transB = c.intAttr("transB", 0) != 0;
        if (bt.dims().length != 2) {
            throw c.fail("its B must be a matrix, got dims " + Arrays.toString(bt.dims()));
        }
        Tensor b = Tensors.toTensor(bt, c);
        // Dense computes x W^T with W [N, K]: W = alpha * B' ^T, where B' = transB ? B^T : B is [K, N].
        Tensor w = (transB ? b : b.transpose(0, 1).reshape(b.shape().dim(1), b.shape().dim(0)));
        if (alpha != 1f) {
            w = w.mul(alpha);
        }
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        if (k == 0 || n == 0) {
            throw c.fail("its B has an empty dimension");
        }
        Tensor bias = null;
        Tensor matrixBias = null;
        if (c.input(2).present() && beta != 0f) {
            OnnxTensor ct = c.constant(2, "C");
            Tensor cv = Tensors.toTensor(ct, c).mul(beta);
            long[] cd = ct.dims();
            if (ct.numel() == 1) {
                bias = Tensor.full(cv.toFloatArray()[0], n);
            } else if (cd.length == 1 && cd[0] == n || cd.length == 2 && cd[0] == 1 && cd[1] == n) {
                bias = cv.reshape(n);
            } else {
                matrixBias = cv; // depends on the row: added after the product
            }
        }
        Dense dense = new Dense(k, n, bias != null, new Random(0));
        dense.replaceParameter("weight", w.detach());
        if (bias != null) {
            dense.replaceParameter("bias", bias.detach());
        }
        List<Module> chain = new ArrayList<>();
        if (transA) {
            chain.add(new Transpose(1, 0));
        }
        chain.add(dense);
        if (matrixBias != null) {
            chain.add(new AddConstant(matrixBias.detach()));
        }
        return Lowered.chain(chain, a.name());
    }

    private static Lowered conv(NodeContext c) {
        String x = c.required(0, "X").name();
        OnnxTensor wt = c.constant(1, "W");
        if (wt.dims().length != 4) {
            throw c.fail("it is a " + (wt.dims().length - 2) + "-D convolution; jqi imports 2-D convolutions only "
                    + "(weights [M, C/group, kH, kW]); express it as a 2-D one (a kernel height of 1 for 1-D)");
        }
        int m = c.toInt(wt.dims()[0], "output channels");
        int cPerGroup = c.toInt(wt.dims()[1], "input channels per group");
        int[] kernel = {c.toInt(wt.dims()[2], "kernel height"), c.toInt(wt.dims()[3], "kernel width")};
        long[] ks = c.intsAttr("kernel_shape");
        if (ks != null && (ks.length != 2 || ks[0] != kernel[0] || ks[1] != kernel[1])) {
            throw c.fail("kernel_shape " + Arrays.toString(ks) + " does not match the weight's " + Arrays.toString(kernel));
        }
        int group = c.toInt(c.intAttr("group", 1), "group");
        if (group < 1 || m % group != 0 || m == 0 || cPerGroup == 0 || kernel[0] == 0 || kernel[1] == 0) {
            throw c.fail("group " + group + " does not fit a weight of dims " + Arrays.toString(wt.dims()));
        }
        int[] stride = pair(c, "strides", 1);
        int[] dilation = pair(c, "dilations", 1);
        int[] padding = padding(c, kernel, stride, dilation);
        Tensor bias = null;
        if (c.input(2).present()) {
            OnnxTensor bt = c.constant(2, "B");
            if (bt.numel() != m) {
                throw c.fail("its bias has " + bt.numel() + " values for " + m + " output channels");
            }
            bias = Tensors.toTensor(bt, c).reshape(m);
        }
        Conv2D conv;
        try {
            conv = new Conv2D(cPerGroup * group, m, kernel, stride, padding, dilation, group, bias != null,
                    new Random(0));
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
        conv.replaceParameter("weight", Tensors.toTensor(wt, c));
        if (bias != null) {
            conv.replaceParameter("bias", bias.detach());
        }
        return Lowered.of(conv, x);
    }

    private static Lowered pool(NodeContext c) {
        String x = c.required(0, "X").name();
        boolean max = c.node.opType().equals("MaxPool");
        if (max) {
            c.rejectExtraOutputs(1, "the argmax indices");
        }
        long[] ks = c.intsAttr("kernel_shape");
        if (ks == null) {
            throw c.fail("it has no kernel_shape, which pooling requires");
        }
        if (ks.length != 2) {
            throw c.fail("it pools over " + ks.length + " axes; jqi imports 2-D pooling only (inputs [N, C, H, W])");
        }
        int[] kernel = {c.toInt(ks[0], "kernel height"), c.toInt(ks[1], "kernel width")};
        if (kernel[0] < 1 || kernel[1] < 1) {
            throw c.fail("kernel_shape " + Arrays.toString(ks) + " must be positive");
        }
        boolean ceilMode = c.intAttr("ceil_mode", 0) != 0;
        int[] dilation = pair(c, "dilations", 1);
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw c.fail("dilations " + Arrays.toString(dilation) + " are not supported for pooling; use 1");
        }
        int[] stride = pair(c, "strides", 1);
        int[] padding = padding(c, kernel, stride, dilation);
        if (padding[0] >= kernel[0] || padding[1] >= kernel[1]) {
            throw c.fail("pads " + Arrays.toString(padding) + " must be smaller than the kernel " + Arrays.toString(kernel));
        }
        if (!max && c.intAttr("count_include_pad", 0) != 0 && ceilMode) {
            throw c.fail("count_include_pad 1 with ceil_mode 1 is not supported (jqi's average pooling leaves the "
                    + "cells of a partial last window that lie outside the input out of the count)");
        }
        if (!max && c.intAttr("count_include_pad", 0) != 0 && (padding[0] != 0 || padding[1] != 0)) {
            throw c.fail("count_include_pad 1 with padding is not supported (jqi's average pooling leaves padded "
                    + "cells out of the count); export with count_include_pad 0 or without padding");
        }
        return Lowered.of(max ? new MaxPool2D(kernel, stride, padding, ceilMode)
                : new AvgPool2D(kernel, stride, padding, ceilMode), x);
    }

    /** A 2-D attribute such as strides, defaulting to {@code otherwise} on both axes. */
    private static int[] pair(NodeContext c, String name, int otherwise) {
        long[] v = c.intsAttr(name);
        if (v == null) {
            return new int[] {otherwise, otherwise};
        }
        if (v.length != 2) {
            throw c.fail(name + " " + Arrays.toString(v) + " must have 2 entries (a 2-D operator)");
        }
        int[] out = {c.toInt(v[0], name), c.toInt(v[1], name)};
        if (out[0] < 1 || out[1] < 1) {
            throw c.fail(name + " " + Arrays.toString(v) + " must be positive");
        }
        return out;
    }

    /** Symmetric padding {h, w} from pads or auto_pad; what jqi's layers cannot express is refused. */
    private static int[] padding(NodeContext c, int[] kernel, int[] stride, int[] dilation) {
        String autoPad = c.stringAttr("auto_pad", "NOTSET");
        long[] pads = c.intsAttr("pads");
        switch (autoPad) {
            case "NOTSET" -> {
                if (pads == null) {
                    return new int[] {0, 0};
                }
                if (pads.length != 4) {
                    throw c.fail("pads " + Arrays.toString(pads) + " must have 4 entries (a 2-D operator)");
                }
                if (pads[0] != pads[2] || pads[1] != pads[3]) {
                    throw c.fail("pads " + Arrays.toString(pads) + " are asymmetric (begin and end differ); jqi's "
                            + "layers pad both sides equally: export with symmetric padding or pad the input first");
                }
                int[] p = {c.toInt(pads[0], "pad"), c.toInt(pads[1], "pad")};
                if (p[0] < 0 || p[1] < 0) {
                    throw c.fail("pads " + Arrays.toString(pads) + " must not be negative");
                }
                return p;
            }
            case "VALID" -> {
                return new int[] {0, 0};
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                // The output is ceil(in / stride) long; the padding that gives it depends on the input size unless
                // the stride is 1, so larger strides need the input's static shape. jqi's layers pad both sides
                // equally, so an odd total padding is refused.
                long[] in = c.inputShape(0);
                int[] p = new int[2];
                for (int i = 0; i < 2; i++) {
                    long total;
                    if (stride[i] == 1) {
                        total = (long) (kernel[i] - 1) * dilation[i];
                    } else if (in != null && in.length == 4 && in[2 + i] >= 0) {
                        long size = in[2 + i];
                        long out = (size + stride[i] - 1) / stride[i];
                        total = Math.max((out - 1) * stride[i] + (long) (kernel[i] - 1) * dilation[i] + 1 - size, 0);
                    } else {
                        throw c.fail("auto_pad " + autoPad + " with strides " + Arrays.toString(stride) + " depends on "
                                + "the input size, which is not known statically; export with explicit pads or a "
                                + "static input shape");
                    }
                    if (total % 2 != 0) {
                        throw c.fail("auto_pad " + autoPad + " with kernel " + Arrays.toString(kernel) + " and strides "
                                + Arrays.toString(stride) + " needs asymmetric padding (" + total + " in all on one "
                                + "axis); jqi's layers pad both sides equally: export with explicit symmetric pads");
                    }
                    p[i] = c.toInt(total / 2, "pad");
                }
                return p;
            }
            default -> throw c.fail("auto_pad '" + autoPad + "' is not an ONNX value");
        }
    }

    private static Lowered batchNorm(NodeContext c) {
        String x = c.required(0, "X").name();
        if (c.intAttr("training_mode", 0) != 0) {
            throw c.fail("training_mode 1 normalizes with batch statistics; export the model in evaluation mode");
        }
        c.rejectExtraOutputs(1, "a training statistic");
        Tensor scale = Tensors.toTensor(c.constant(1, "scale"), c);
        Tensor bias = Tensors.toTensor(c.constant(2, "B"), c);
        Tensor mean = Tensors.toTensor(c.constant(3, "input_mean"), c);
        Tensor var = Tensors.toTensor(c.constant(4, "input_var"), c);
        int channels = scale.numel();
        for (Tensor t : List.of(scale, bias, mean, var)) {
            if (t.rank() != 1 || t.numel() != channels || channels == 0) {
                throw c.fail("scale, B, mean and var must be vectors of one length, got " + scale.shape() + ", "
                        + bias.shape() + ", " + mean.shape() + ", " + var.shape());
            }
        }
        float eps = c.floatAttr("epsilon", 1e-5f);
        float momentum = c.floatAttr("momentum", 0.9f);
        if (!(eps > 0f) || Float.isInfinite(eps)) {
            throw c.fail("epsilon " + eps + " must be finite and > 0");
        }
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw c.fail("momentum " + momentum + " must be in [0, 1]");
        }
        // ONNX's momentum weighs the running statistic, jqi's (like PyTorch's) the batch one.
        BatchNorm bn = new BatchNorm(channels, 1f - momentum, eps);
        bn.replaceParameter("weight", scale);
        bn.replaceParameter("bias", bias);
        try (var ignored = Tensor.noGrad()) {
            bn.runningMean().assign(mean);
            bn.runningVar().assign(var);
        }
        return Lowered.of(bn, x);
    }

    /** Normalizes the axes from {@code axis} on, which the scale's dims give (it has their shape). */
    private static Lowered layerNorm(NodeContext c) {
        String x = c.required(0, "X").name();
        c.rejectExtraOutputs(1, "a mean or inverse standard deviation");
        Tensor scale = Tensors.toTensor(c.constant(1, "Scale"), c);
        Tensor bias = c.input(2).present() ? Tensors.toTensor(c.constant(2, "B"), c) : Tensor.zeros(scale.shape()
                .toArray());
        if (!bias.shape().equals(scale.shape())) {
            throw c.fail("B has shape " + bias.shape() + ", Scale " + scale.shape() + "; jqi needs them alike");
        }
        long axis = c.intAttr("axis", -1);
        long[] in = c.inputShape(0);
        if (in != null && (axis < 0 ? -axis : in.length - axis) != scale.rank()) {
            throw c.fail("axis " + axis + " normalizes " + (axis < 0 ? -axis : in.length - axis) + " axes of an input "
                    + "of rank " + in.length + ", but Scale has rank " + scale.rank() + "; jqi needs Scale to have the "
                    + "normalized axes' shape");
        }
        if (in == null && axis >= 0) {
            throw c.fail("axis " + axis + " counts from the front of an input whose rank is not known at import; "
                    + "give the model static input shapes or a negative axis");
        }
        float eps = c.floatAttr("epsilon", 1e-5f);
        LayerNorm norm;
        try {
            norm = new LayerNorm(scale.shape().toArray(), eps);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
        norm.replaceParameter("weight", scale);
        norm.replaceParameter("bias", bias);
        return Lowered.of(norm, x);
    }

    private static Lowered constant(NodeContext c) {
        if (c.node.attributes().size() != 1) {
            throw c.fail("a Constant needs exactly one value attribute, got " + c.node.attributes().size());
        }
        OnnxAttribute a = c.node.attributes().get(0);
        String name = c.node.outputs().isEmpty() ? "" : c.node.outputs().get(0);
        return Lowered.constant(switch (a.name()) {
            case "value" -> {
                if (a.type() != AttributeType.TENSOR || a.t() == null) {
                    throw c.fail("its value attribute is not a tensor");
                }
                yield a.t();
            }
            case "value_float" -> OnnxTensor.ofFloats(name, new long[0], new float[] {c.floatAttr("value_float", 0)});
            case "value_floats" -> {
                float[] v = a.floats();
                yield OnnxTensor.ofFloats(name, new long[] {v.length}, v);
            }
            case "value_int" -> OnnxTensor.ofInt64(name, new long[0], new long[] {c.intAttr("value_int", 0)});
            case "value_ints" -> {
                long[] v = a.ints();
                yield OnnxTensor.ofInt64(name, new long[] {v.length}, v);
            }
            default -> throw c.fail("a Constant of attribute '" + a.name() + "' is not supported (only value, "
                    + "value_float(s) and value_int(s))");
        });
    }
}
