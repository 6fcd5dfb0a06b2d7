package io.jqi.onnx.export;

import io.jqi.nn.Add;
import io.jqi.nn.AddConstant;
import io.jqi.nn.AvgPool2D;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.BinaryLayer;
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
import io.jqi.nn.GraphModel;
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
import io.jqi.nn.Pool2D;
import io.jqi.nn.Pow;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sequential;
import io.jqi.nn.SiLU;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Slice;
import io.jqi.nn.Softmax;
import io.jqi.nn.Sqrt;
import io.jqi.nn.Sub;
import io.jqi.nn.Tanh;
import io.jqi.nn.Transpose;
import io.jqi.onnx.proto.OnnxAttribute;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The ONNX form of every exportable layer type, one {@link LayerLowering} per class: this table is the one list of
 * the layers {@link OnnxExporter} writes (docs/onnx.md, "The graph"). A layer is looked up by its exact class, so a
 * subclass the table does not name is refused rather than written as its parent. The containers (Sequential,
 * GraphModel) and the quantizer hosts (QuantizationWrapper, ActivationQuantizationHolder) are structure, which the
 * exporter itself walks.
 */
final class LayerLowerings {
    private static final Map<Class<? extends Module>, LayerLowering<Module>> TABLE = new LinkedHashMap<>();

    static {
        put(Conv2D.class, LayerLowerings::conv);
        put(Dense.class, LayerLowerings::dense);
        put(BatchNorm.class, (b, c) -> c.node("BatchNormalization", List.of(c.input(),
                c.parameter("weight", b.weight()), c.parameter("bias", b.bias()),
                c.parameter("running_mean", b.runningMean()), c.parameter("running_var", b.runningVar())),
                OnnxAttribute.ofFloat("epsilon", b.eps())));
        put(LayerNorm.class, (l, c) -> c.node("LayerNormalization", List.of(c.input(),
                c.parameter("weight", l.weight()), c.parameter("bias", l.bias())),
                OnnxAttribute.ofInt("axis", -l.normalizedShape().length), OnnxAttribute.ofFloat("epsilon", l.eps())));
        put(ReLU.class, (r, c) -> c.node("Relu", List.of(c.input())));
        put(ReLU6.class, (r, c) -> clip(c, 0f, 6f));
        put(LeakyReLU.class, (l, c) -> c.node("LeakyRelu", List.of(c.input()),
                OnnxAttribute.ofFloat("alpha", l.negativeSlope())));
        put(Sigmoid.class, (s, c) -> c.node("Sigmoid", List.of(c.input())));
        put(Tanh.class, (t, c) -> c.node("Tanh", List.of(c.input())));
        put(Hardswish.class, (h, c) -> c.node("HardSwish", List.of(c.input())));
        put(Pad.class, (p, c) -> c.node("Pad", List.of(c.input(),
                c.longs("pads", Arrays.stream(p.pads()).asLongStream().toArray()),
                c.floats("value", new long[0], new float[] {p.value()})), OnnxAttribute.ofString("mode", "constant")));
        put(Slice.class, (s, c) -> {
            int[] starts = s.starts();
            int[] lengths = s.lengths();
            long[] ends = new long[starts.length];
            for (int i = 0; i < ends.length; i++) {
                ends[i] = (long) starts[i] + lengths[i];
            }
            return c.node("Slice", List.of(c.input(), c.longs("starts", Arrays.stream(starts).asLongStream().toArray()),
                    c.longs("ends", ends), c.longs("axes", Arrays.stream(s.axes()).asLongStream().toArray())));
        });
        put(Erf.class, (e, c) -> c.node("Erf", List.of(c.input())));
        put(Sqrt.class, (s, c) -> c.node("Sqrt", List.of(c.input())));
        put(Pow.class, (p, c) -> c.node("Pow", List.of(c.input(), c.floats("exponent", new long[0],
                new float[] {p.exponent()}))));
        put(Mean.class, (m, c) -> c.node("ReduceMean", List.of(c.input(),
                c.longs("axes", Arrays.stream(m.axes()).asLongStream().toArray())),
                OnnxAttribute.ofInt("keepdims", m.keepDims() ? 1 : 0)));
        put(HardSigmoid.class, (h, c) -> c.node("HardSigmoid", List.of(c.input()),
                OnnxAttribute.ofFloat("alpha", h.alpha()), OnnxAttribute.ofFloat("beta", h.beta())));
        put(SiLU.class, (s, c) -> c.node("Mul", List.of(c.input(),
                c.intermediate("sigmoid", "Sigmoid", List.of(c.input())))));
        put(Softmax.class, (s, c) -> c.node("Softmax", List.of(c.input()), OnnxAttribute.ofInt("axis", s.axis())));
        put(Flatten.class, LayerLowerings::flatten);
        put(MaxPool2D.class, (p, c) -> c.node("MaxPool", List.of(c.input()), poolAttributes(p)));
        // jqi leaves padded cells out of the mean; ONNX's default, stated so that no reader has to know it.
        put(AvgPool2D.class, (p, c) -> c.node("AveragePool", List.of(c.input()),
                append(poolAttributes(p), OnnxAttribute.ofInt("count_include_pad", 0))));
        put(GlobalAvgPool2D.class, (p, c) -> c.node("GlobalAveragePool", List.of(c.input())));
        put(Add.class, LayerLowerings::add);
        put(Concat.class, (k, c) -> c.node("Concat", c.inputNames(), OnnxAttribute.ofInt("axis", k.axis())));
        put(Identity.class, (i, c) -> c.node("Identity", List.of(c.input())));
        // Dropout is the identity at inference, and an export is of a model in evaluation mode.
        put(Dropout.class, (d, c) -> c.node("Identity", List.of(c.input())));
        // The layers OnnxImporter creates, back to the ops they came from.
        put(Sub.class, binary("Sub"));
        put(Mul.class, binary("Mul"));
        put(Div.class, binary("Div"));
        put(MatMul.class, binary("MatMul"));
        put(AddConstant.class, binary("Add"));
        put(Clip.class, (k, c) -> clip(c, k.min(), k.max()));
        put(Reshape.class, (r, c) -> c.node("Reshape",
                List.of(c.input(), c.longs("shape", Arrays.stream(r.shape()).asLongStream().toArray())),
                OnnxAttribute.ofInt("allowzero", r.allowZero() ? 1 : 0)));
        // An empty permutation reverses the axes, which is also ONNX's default without the attribute.
        put(Transpose.class, (t, c) -> t.perm().length == 0 ? c.node("Transpose", List.of(c.input()))
                : c.node("Transpose", List.of(c.input()), ints("perm", t.perm())));
        put(MatrixFlatten.class, (f, c) -> c.node("Flatten", List.of(c.input()),
                OnnxAttribute.ofInt("axis", f.axis())));
        put(CoercedSoftmax.class, LayerLowerings::coercedSoftmax);
        // An imported QDQ model's activation quantization: the standard ops in both formats.
        put(QuantizeDequantize.class, (q, c) -> QdqNodes.quantizeDequantize(c.graph(), c.input(), q, c.hint(),
                "node '" + c.hint() + "'"));
    }

    private LayerLowerings() {
    }

    private static <M extends Module> void put(Class<M> type, LayerLowering<? super M> lowering) {
        TABLE.put(type, (layer, c) -> lowering.lower(type.cast(layer), c));
    }

    /** The exportable layer types, in the table's order. */
    static Set<Class<? extends Module>> layers() {
        return TABLE.keySet();
    }

    /**
     * Writes {@code layer} through its type's lowering and returns its output's name; a type without one is an
     * {@link OnnxExportException} naming it and the supported layers.
     */
    static String lower(Module layer, LoweringContext c) {
        LayerLowering<Module> lowering = TABLE.get(layer.getClass());
        if (lowering == null) {
            throw new OnnxExportException("node '" + c.hint() + "': " + layer.getClass().getSimpleName()
                    + " has no ONNX export; supported layers are " + TABLE.keySet().stream().map(Class::getSimpleName)
                    .collect(Collectors.joining(", ")) + ", in " + Sequential.class.getSimpleName() + " and "
                    + GraphModel.class.getSimpleName() + " containers");
        }
        String output = lowering.lower(layer, c);
        c.requireQuantizedWeightsRead(layer);
        return output;
    }

    private static String conv(Conv2D conv, LoweringContext c) {
        int[] p = conv.padding();
        return withBias(c, conv.hasBias(), "Conv", List.of(c.input(), c.parameter("weight", conv.weight())),
                () -> channelBias(conv, c), ints("kernel_shape", conv.kernel()), ints("strides", conv.stride()),
                OnnxAttribute.ofInts("pads", p[0], p[1], p[0], p[1]), ints("dilations", conv.dilation()),
                OnnxAttribute.ofInt("group", conv.groups()));
    }

    /** The bias as {@code [C, 1, 1]}, which broadcasts over an NCHW output; a quantized bias is reshaped to it. */
    private static String channelBias(Conv2D conv, LoweringContext c) {
        String quantized = c.quantized("bias");
        return quantized == null ? c.floats("bias", new long[] {conv.bias().numel(), 1, 1}, conv.bias().toFloatArray())
                : c.intermediate("bias_chw", "Reshape", List.of(quantized, c.longs("bias_shape", -1, 1, 1)));
    }

    /**
     * Gemm on 2-D inputs (jqi's weight is {@code [out, in]}: transB); MatMul on a transposed weight otherwise. The
     * bias is a separate Add, as for Conv: ONNX Runtime's default optimizations quantize a float bias that meets a
     * dequantized input and weight in one Gemm or Conv to int32 (scale = input scale x weight scale), which moves it
     * off jqi's float bias and changed predictions in testing; a separate Add keeps the bias as jqi has it.
     */
    private static String dense(Dense d, LoweringContext c) {
        String w = c.parameter("weight", d.weight());
        Supplier<String> bias = () -> c.parameter("bias", d.bias());
        if (c.inputRank() == 2) {
            return withBias(c, d.hasBias(), "Gemm", List.of(c.input(), w), bias, OnnxAttribute.ofInt("transB", 1));
        }
        String transposed = c.intermediate("weight_t", "Transpose", List.of(w), OnnxAttribute.ofInts("perm", 1, 0));
        return withBias(c, d.hasBias(), "MatMul", List.of(c.input(), transposed), bias);
    }

    /**
     * {@code opType} on {@code inputs}, followed by an Add of the bias (written after the product) when the layer
     * has one (see {@link #dense}).
     */
    private static String withBias(LoweringContext c, boolean hasBias, String opType, List<String> inputs,
            Supplier<String> bias, OnnxAttribute... attributes) {
        if (!hasBias) {
            return c.node(opType, inputs, attributes);
        }
        String product = c.intermediate(opType.toLowerCase(Locale.ROOT), opType, inputs, attributes);
        return c.node("Add", List.of(product, bias.get()));
    }

    /**
     * ONNX's Flatten makes 2-D tensors, which is jqi's flatten from axis 1; other axes reshape to {@code [0.., -1]}.
     */
    private static String flatten(Flatten f, LoweringContext c) {
        int rank = c.inputRank();
        int start = f.startAxis() < 0 ? f.startAxis() + rank : f.startAxis();
        if (start == 1) {
            return c.node("Flatten", List.of(c.input()), OnnxAttribute.ofInt("axis", 1));
        }
        long[] shape = new long[start + 1];
        shape[start] = -1;
        return c.node("Reshape", List.of(c.input(), c.longs("shape", shape)));
    }

    /** Pairwise, left to right, as jqi sums: ONNX's Sum leaves the order to the runtime. */
    private static String add(Add a, LoweringContext c) {
        List<String> inputs = c.inputNames();
        String sum = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            List<String> pair = List.of(sum, inputs.get(i));
            sum = i == inputs.size() - 1 ? c.node("Add", pair) : c.intermediate("partial", "Add", pair);
        }
        return sum;
    }

    /** Sub, Mul, Div, MatMul and AddConstant: two inputs, or one input and the layer's constant in its place. */
    private static LayerLowering<BinaryLayer> binary(String opType) {
        return (b, c) -> {
            if (!b.hasConstant()) {
                return c.node(opType, c.inputNames());
            }
            String constant = c.tensor("constant", b.constant());
            return c.node(opType, b.constantFirst() ? List.of(constant, c.input()) : List.of(c.input(), constant));
        };
    }

    private static String clip(LoweringContext c, float min, float max) {
        return c.node("Clip", List.of(c.input(), c.scalar("min", min), c.scalar("max", max)));
    }

    /** Softmax before opset 13: over the rows of the input flattened to 2-D at the axis, shape restored. */
    private static String coercedSoftmax(CoercedSoftmax s, LoweringContext c) {
        String rows = c.intermediate("rows", "Flatten", List.of(c.input()), OnnxAttribute.ofInt("axis", s.axis()));
        String softmax = c.intermediate("softmax", "Softmax", List.of(rows), OnnxAttribute.ofInt("axis", 1));
        return c.node("Reshape", List.of(softmax, c.intermediate("shape", "Shape", List.of(c.input()))));
    }

    private static OnnxAttribute[] poolAttributes(Pool2D p) {
        int[] pad = p.padding();
        OnnxAttribute[] attributes = {ints("kernel_shape", p.kernel()), ints("strides", p.stride()),
            OnnxAttribute.ofInts("pads", pad[0], pad[1], pad[0], pad[1])};
        return p.ceilMode() ? append(attributes, OnnxAttribute.ofInt("ceil_mode", 1)) : attributes;
    }

    private static OnnxAttribute[] append(OnnxAttribute[] attributes, OnnxAttribute last) {
        OnnxAttribute[] out = Arrays.copyOf(attributes, attributes.length + 1);
        out[attributes.length] = last;
        return out;
    }

    private static OnnxAttribute ints(String name, int[] values) {
        return OnnxAttribute.ofInts(name, Arrays.stream(values).asLongStream().toArray());
    }
}
