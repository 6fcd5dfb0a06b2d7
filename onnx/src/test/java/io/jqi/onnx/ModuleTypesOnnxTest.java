package io.jqi.onnx;

import static io.jqi.onnx.OnnxModels.floatValue;
import static io.jqi.onnx.OnnxModels.node;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
import io.jqi.nn.GraphModel;
import io.jqi.nn.HardSigmoid;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.LayerNorm;
import io.jqi.nn.LayerSamples;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatMul;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Mean;
import io.jqi.nn.Module;
import io.jqi.nn.Mul;
import io.jqi.nn.Pad;
import io.jqi.nn.Pow;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sequential;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Slice;
import io.jqi.nn.Softmax;
import io.jqi.nn.Sqrt;
import io.jqi.nn.Sub;
import io.jqi.nn.Tanh;
import io.jqi.nn.Transpose;
import io.jqi.onnx.export.ExportFormat;
import io.jqi.onnx.export.OnnxExportException;
import io.jqi.onnx.export.OnnxExporter;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Module} type in jqi's main code, found in the class files rather than listed by hand, has an ONNX form
 * that is tested: it exports inside a small model, and where an ONNX operator imports to it, that operator's model
 * imports to it. Every operator the importer reads has a sample model, which imports to layers the exporter writes.
 * A new layer type fails here until it has a sample (core's LayerSamples for a layer of {@code io.jqi.nn}, else
 * {@link #SAMPLES}) and, where an operator imports to it, one in {@link #OPERATORS}; docs/architecture.md, "Adding a
 * layer".
 */
class ModuleTypesOnnxTest {
    /** The concrete Module classes of jqi's main code (test classes excluded). */
    private static final List<Class<? extends Module>> MODULE_TYPES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // core's test jar (LayerSamples)
            .importPackages("io.jqi").stream()
            .filter(c -> c.isAssignableTo(Module.class) && !c.getModifiers().contains(JavaModifier.ABSTRACT))
            .sorted(Comparator.comparing(JavaClass::getName))
            .<Class<? extends Module>>map(c -> c.reflect().asSubclass(Module.class))
            .toList();

    /**
     * Types that have no ONNX form, so that their export is refused naming them; every other type must export. None
     * today: each type added here needs its reason.
     */
    private static final Set<Class<? extends Module>> NO_ONNX_FORM = Set.of();

    /** A small model containing a layer type, and its input shape without the batch dimension. */
    private record Sample(Supplier<Module> model, Shape input) {
    }

    /** One sample per Module type of main code. */
    private static final Map<Class<? extends Module>, Sample> SAMPLES = new LinkedHashMap<>();

    /** A model that imports to {@code type} through {@code opType}, one node of it plus any constant it needs. */
    private record OperatorSample(String opType, String variant, Class<? extends Module> type,
            Supplier<OnnxModel> model, Shape input) {
        @Override
        public String toString() {
            return opType + " (" + variant + ") -> " + type.getSimpleName();
        }
    }

    /** At least one sample per operator NodeLowering reads. */
    private static final List<OperatorSample> OPERATORS = new ArrayList<>();

    static {
        Shape vector = Shape.of(4);
        Shape image = Shape.of(2, 4, 4);
        // Every built-in layer type from core's LayerSamples; the wrap package's types here.
        for (Class<? extends Module> type : LayerSamples.all().keySet()) {
            SAMPLES.put(type, new Sample(() -> model(LayerSamples.all().get(type)),
                    withoutBatch(LayerSamples.all().get(type).inputs().get(0))));
        }
        sample(QuantizationWrapper.class, () -> new QuantizationWrapper(new Dense(4, 3, true, new Random(1)),
                Map.of("weight", WeightsSymmetricInferableQuantizer.perTensor(8, 1f))), vector);
        sample(ActivationQuantizationHolder.class,
                () -> new ActivationQuantizationHolder(ActivationPOTInferableQuantizer.of(8, 4f, true)), vector);

        operator("Conv", "2-D, padded", Conv2D.class, image, List.of(node("n", "Conv", List.of("x", "w", "b"),
                List.of("y"), OnnxAttribute.ofInts("pads", 1, 1, 1, 1))), floats("w", 3, 2, 3, 3), floats("b", 3));
        operator("Gemm", "transB and a bias", Dense.class, vector, List.of(node("n", "Gemm", List.of("x", "w", "b"),
                List.of("y"), OnnxAttribute.ofInt("transB", 1))), floats("w", 3, 4), floats("b", 3));
        operator("MatMul", "by a constant matrix", Dense.class, vector,
                List.of(node("n", "MatMul", List.of("x", "w"), List.of("y"))), floats("w", 4, 3));
        operator("MatMul", "by a constant 3-D tensor", MatMul.class, Shape.of(2, 4),
                List.of(node("n", "MatMul", List.of("x", "w"), List.of("y"))), floats("w", 1, 4, 3));
        operator("Add", "of two computed values", Add.class, vector,
                List.of(node("n", "Add", List.of("x", "x"), List.of("y"))));
        operator("Add", "of a constant", AddConstant.class, vector,
                List.of(node("n", "Add", List.of("x", "c"), List.of("y"))), floats("c", 4));
        operator("Sub", "of a constant", Sub.class, vector,
                List.of(node("n", "Sub", List.of("c", "x"), List.of("y"))), floats("c", 4));
        operator("Mul", "of two computed values", Mul.class, vector,
                List.of(node("n", "Mul", List.of("x", "x"), List.of("y"))));
        operator("Div", "by a constant", Div.class, vector,
                List.of(node("n", "Div", List.of("x", "c"), List.of("y"))), floats("c", 4));
        operator("Relu", "", ReLU.class, vector, List.of(node("n", "Relu", List.of("x"), List.of("y"))));
        operator("Clip", "to [0, 6]", ReLU6.class, vector, List.of(node("n", "Clip", List.of("x", "lo", "hi"),
                List.of("y"))), scalar("lo", 0f), scalar("hi", 6f));
        operator("Clip", "to [-1, 1]", Clip.class, vector, List.of(node("n", "Clip", List.of("x", "lo", "hi"),
                List.of("y"))), scalar("lo", -1f), scalar("hi", 1f));
        operator("LeakyRelu", "", LeakyReLU.class, vector, List.of(node("n", "LeakyRelu", List.of("x"),
                List.of("y"), OnnxAttribute.ofFloat("alpha", 0.2f))));
        operator("Sigmoid", "", Sigmoid.class, vector, List.of(node("n", "Sigmoid", List.of("x"), List.of("y"))));
        operator("Tanh", "", Tanh.class, vector, List.of(node("n", "Tanh", List.of("x"), List.of("y"))));
        operator("HardSwish", "", Hardswish.class, vector,
                List.of(node("n", "HardSwish", List.of("x"), List.of("y"))));
        operator("HardSigmoid", "PyTorch's alpha 1/6", HardSigmoid.class, vector, List.of(node("n", "HardSigmoid",
                List.of("x"), List.of("y"), OnnxAttribute.ofFloat("alpha", 1f / 6f))));
        operator("MaxPool", "2x2", MaxPool2D.class, image, List.of(node("n", "MaxPool", List.of("x"), List.of("y"),
                OnnxAttribute.ofInts("kernel_shape", 2, 2), OnnxAttribute.ofInts("strides", 2, 2))));
        operator("AveragePool", "2x2", AvgPool2D.class, image, List.of(node("n", "AveragePool", List.of("x"),
                List.of("y"), OnnxAttribute.ofInts("kernel_shape", 2, 2), OnnxAttribute.ofInts("strides", 2, 2))));
        operator("GlobalAveragePool", "", GlobalAvgPool2D.class, image,
                List.of(node("n", "GlobalAveragePool", List.of("x"), List.of("y"))));
        operator("ReduceMean", "over H and W, axes attribute", Mean.class, image, List.of(node("n", "ReduceMean",
                List.of("x"), List.of("y"), OnnxAttribute.ofInts("axes", 2, 3), OnnxAttribute.ofInt("keepdims", 0))));
        operatorAtOpset(18, "ReduceMean", "over the last axis, axes input", Mean.class, image,
                List.of(node("n", "ReduceMean", List.of("x", "axes"), List.of("y"))),
                OnnxTensor.ofInt64("axes", new long[] {1}, new long[] {-1}));
        operator("Pad", "H and W by 1 with zeros, as before an average pool", Pad.class, image, List.of(node("n", "Pad",
                List.of("x", "p"), List.of("y"))), OnnxTensor.ofInt64("p", new long[] {8},
                new long[] {0, 0, 1, 1, 0, 0, 1, 1}));
        operatorAtOpset(18, "Pad", "W only, through axes, with a constant", Pad.class, image, List.of(node("n", "Pad",
                List.of("x", "p", "v", "a"), List.of("y"))), OnnxTensor.ofInt64("p", new long[] {2},
                new long[] {2, -1}), scalar("v", 0.5f), OnnxTensor.ofInt64("a", new long[] {1}, new long[] {-1}));
        operator("Slice", "of a computed value", Slice.class, image, List.of(node("n", "Slice",
                List.of("x", "st", "en", "ax"), List.of("y"))), longs("st", 1), longs("en", 3), longs("ax", 3));
        operator("Shape", "of the input, sliced and joined into a Reshape target", Reshape.class, image, List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("h", "Slice", List.of("s", "st", "en"), List.of("h")),
                node("t", "Concat", List.of("h", "m1"), List.of("t"), OnnxAttribute.ofInt("axis", 0)),
                node("n", "Reshape", List.of("x", "t"), List.of("y"))), longs("st", 0), longs("en", 2), longs("m1", -1));
        operator("Gather", "of shape entries", Reshape.class, image, List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("g", "Gather", List.of("s", "i"), List.of("g"), OnnxAttribute.ofInt("axis", 0)),
                node("t", "Concat", List.of("g", "m1"), List.of("t"), OnnxAttribute.ofInt("axis", 0)),
                node("n", "Reshape", List.of("x", "t"), List.of("y"))), longs("i", 0, 1), longs("m1", -1));
        operator("Div", "of shape integers, truncating", Reshape.class, image, List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("g", "Gather", List.of("s", "i"), List.of("g"), OnnxAttribute.ofInt("axis", 0)),
                node("a", "Add", List.of("g", "five"), List.of("a")),
                node("d", "Div", List.of("a", "two"), List.of("d")),
                node("t", "Concat", List.of("pre", "d"), List.of("t"), OnnxAttribute.ofInt("axis", 0)),
                node("n", "Reshape", List.of("x", "t"), List.of("y"))),
                longs("i", 2, 3), longs("five", 5, 4), longs("two", 2, 2), longs("pre", 1, 2));
        operator("Unsqueeze", "of a scalar shape entry", Reshape.class, image, List.of(
                node("s", "Shape", List.of("x"), List.of("s")),
                node("g", "Gather", List.of("s", "i"), List.of("g"), OnnxAttribute.ofInt("axis", 0)),
                node("u", "Unsqueeze", List.of("g", "ax"), List.of("u")),
                node("t", "Concat", List.of("one", "u", "m1"), List.of("t"), OnnxAttribute.ofInt("axis", 0)),
                node("n", "Reshape", List.of("x", "t"), List.of("y"))),
                OnnxTensor.ofInt64("i", new long[0], new long[] {1}), longs("ax", 0), longs("one", 1), longs("m1", -1));
        operator("Squeeze", "of a constant [1, 3]", Reshape.class, image, List.of(
                node("q", "Squeeze", List.of("c", "ax"), List.of("q")),
                node("n", "Reshape", List.of("x", "q"), List.of("y"))),
                OnnxTensor.ofInt64("c", new long[] {1, 3}, new long[] {1, 2, -1}), longs("ax", 0));
        operator("Cast", "of float shape entries to int64", Reshape.class, image, List.of(
                node("k", "Cast", List.of("c"), List.of("k"), OnnxAttribute.ofInt("to", 7)),
                node("n", "Reshape", List.of("x", "k"), List.of("y"))),
                OnnxTensor.ofFloats("c", new long[] {3}, new float[] {1, 2, -1}));
        operatorAtOpset(17, "LayerNormalization", "over the last axis", LayerNorm.class, image, List.of(node("n",
                "LayerNormalization", List.of("x", "s", "b"), List.of("y"))), floats("s", 4), floats("b", 4));
        operator("Erf", "", Erf.class, vector, List.of(node("n", "Erf", List.of("x"), List.of("y"))));
        operator("Sqrt", "", Sqrt.class, vector, List.of(node("n", "Sqrt", List.of("x"), List.of("y"))));
        operator("Pow", "by a constant 2", Pow.class, vector, List.of(node("n", "Pow", List.of("x", "e"),
                List.of("y"))), scalar("e", 2f));
        operator("Flatten", "from axis 1", Flatten.class, image, List.of(node("n", "Flatten", List.of("x"),
                List.of("y"), OnnxAttribute.ofInt("axis", 1))));
        operator("Flatten", "from axis 2", MatrixFlatten.class, image, List.of(node("n", "Flatten", List.of("x"),
                List.of("y"), OnnxAttribute.ofInt("axis", 2))));
        operator("Reshape", "to a constant shape", Reshape.class, vector,
                List.of(node("n", "Reshape", List.of("x", "s"), List.of("y"))),
                OnnxTensor.ofInt64("s", new long[] {3}, new long[] {0, 2, 2}));
        operator("Transpose", "", Transpose.class, Shape.of(2, 3), List.of(node("n", "Transpose", List.of("x"),
                List.of("y"), OnnxAttribute.ofInts("perm", 0, 2, 1))));
        operator("Concat", "of two computed values", Concat.class, vector, List.of(node("n", "Concat",
                List.of("x", "x"), List.of("y"), OnnxAttribute.ofInt("axis", 1))));
        operator("BatchNormalization", "inference", BatchNorm.class, image, List.of(node("n", "BatchNormalization",
                List.of("x", "scale", "b", "mean", "var"), List.of("y"))), floats("scale", 2), floats("b", 2),
                floats("mean", 2), OnnxTensor.ofFloats("var", new long[] {2}, new float[] {1f, 2f}));
        operator("Softmax", "opset 13", Softmax.class, vector,
                List.of(node("n", "Softmax", List.of("x"), List.of("y"))));
        operatorAtOpset(11, "Softmax", "before opset 13, over axes 1 on", CoercedSoftmax.class, image,
                List.of(node("n", "Softmax", List.of("x"), List.of("y"), OnnxAttribute.ofInt("axis", 1))));
        operator("Dropout", "inference", Dropout.class, vector,
                List.of(node("n", "Dropout", List.of("x"), List.of("y"))));
        operator("Identity", "", Identity.class, vector, List.of(node("n", "Identity", List.of("x"), List.of("y"))));
        operator("Constant", "added to the input", AddConstant.class, vector, List.of(
                node("c", "Constant", List.of(), List.of("c"), OnnxAttribute.ofTensor("value", floats("v", 4))),
                node("n", "Add", List.of("x", "c"), List.of("y"))));
        operator("QuantizeLinear", "of a constant, then dequantized and added", AddConstant.class, vector, List.of(
                node("q", "QuantizeLinear", List.of("c", "s", "z"), List.of("cq")),
                node("d", "DequantizeLinear", List.of("cq", "s", "z"), List.of("cd")),
                node("n", "Add", List.of("x", "cd"), List.of("y"))), floats("c", 4), scalar("s", 0.1f), zeroPoint());
        operator("QuantizeLinear", "of a computed value, with its DequantizeLinear", QuantizeDequantize.class,
                vector, List.of(node("q", "QuantizeLinear", List.of("x", "s", "z"), List.of("xq")),
                        node("n", "DequantizeLinear", List.of("xq", "s", "z"), List.of("y"))), scalar("s", 0.1f),
                zeroPoint());
        operator("DequantizeLinear", "of an integer weight", Dense.class, vector, List.of(
                node("d", "DequantizeLinear", List.of("w", "s", "z"), List.of("wd")),
                node("n", "MatMul", List.of("x", "wd"), List.of("y"))),
                OnnxTensor.ofUint8("w", new long[] {4, 3}, new byte[12]), scalar("s", 0.1f), zeroPoint());
    }

    private static void sample(Class<? extends Module> type, Supplier<Module> layer, Shape input) {
        SAMPLES.put(type, new Sample(() -> new Sequential(layer.get()), input));
    }

    /**
     * A sample layer as a model of one input: a graph model as it is, a layer of several inputs fed that input each
     * time (LayerSamples gives such layers inputs of one shape), any other layer in a Sequential.
     */
    private static Module model(LayerSamples.Sample sample) {
        Module layer = sample.layer();
        if (layer instanceof GraphModel) {
            return layer;
        }
        if (sample.inputs().size() > 1) {
            String[] inputs = new String[sample.inputs().size()];
            Arrays.fill(inputs, "x");
            return GraphModel.builder().input("x").node("layer", layer, inputs).output("layer").build();
        }
        return new Sequential(layer);
    }

    private static Shape withoutBatch(Shape batched) {
        return Shape.of(Arrays.copyOfRange(batched.toArray(), 1, batched.rank()));
    }

    private static void operator(String opType, String variant, Class<? extends Module> type, Shape input,
            List<OnnxNode> nodes, OnnxTensor... initializers) {
        operatorAtOpset(17, opType, variant, type, input, nodes, initializers);
    }

    private static void operatorAtOpset(long opset, String opType, String variant, Class<? extends Module> type,
            Shape input, List<OnnxNode> nodes, OnnxTensor... initializers) {
        long[] dims = new long[input.rank() + 1];
        dims[0] = 1;
        for (int i = 0; i < input.rank(); i++) {
            dims[i + 1] = input.dim(i);
        }
        OPERATORS.add(new OperatorSample(opType, variant, type, () -> OnnxModels.model(opset, nodes,
                List.of(initializers), List.of(floatValue("x", dims)), List.of(floatValue("y"))), input));
    }

    private static OnnxTensor floats(String name, long... dims) {
        float[] values = new float[Math.toIntExact(OnnxTensor.numel(dims))];
        Arrays.fill(values, 0.5f);
        return OnnxTensor.ofFloats(name, dims, values);
    }

    private static OnnxTensor scalar(String name, float value) {
        return OnnxTensor.ofFloats(name, new long[0], new float[] {value});
    }

    private static OnnxTensor longs(String name, long... values) {
        return OnnxTensor.ofInt64(name, new long[] {values.length}, values);
    }

    private static OnnxTensor zeroPoint() {
        return OnnxTensor.ofUint8("z", new long[0], new byte[] {0});
    }

    static Stream<Class<? extends Module>> moduleTypes() {
        return MODULE_TYPES.stream();
    }

    static Stream<OperatorSample> operatorSamples() {
        return OPERATORS.stream();
    }

    private static Sample sampleOf(Class<? extends Module> type) {
        Sample sample = SAMPLES.get(type);
        if (sample == null) {
            fail(type.getName() + " has no sample: add one to LayerSamples (a layer of io.jqi.nn) or to "
                    + "ModuleTypesOnnxTest.SAMPLES, so that its ONNX export (or its refusal) is tested");
        }
        return sample;
    }

    private static boolean contains(Module model, Class<? extends Module> type) {
        return model.namedModules().values().stream().anyMatch(m -> m.getClass() == type);
    }

    @Test
    void everyModuleTypeInMainCodeHasASample() {
        assertTrue(MODULE_TYPES.size() > 30, "the class files of io.jqi were found: " + MODULE_TYPES);
        List<String> missing = MODULE_TYPES.stream().filter(t -> !SAMPLES.containsKey(t)).map(Class::getName)
                .toList();
        assertTrue(missing.isEmpty(), "Module types without a sample: " + missing + "; add each to LayerSamples (a "
                + "layer of io.jqi.nn) or to ModuleTypesOnnxTest.SAMPLES");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("moduleTypes")
    void everyModuleTypeExportsInASmallQdqModelOrIsRefusedByName(Class<? extends Module> type) {
        Sample sample = sampleOf(type);
        Module model = sample.model().get().eval();
        assertTrue(contains(model, type), "the sample of " + type.getSimpleName() + " contains one");
        try {
            OnnxExporter.export(model, sample.input(), ExportFormat.QDQ);
            assertFalse(NO_ONNX_FORM.contains(type), type.getSimpleName() + " exports; remove it from NO_ONNX_FORM");
        } catch (OnnxExportException e) {
            assertTrue(NO_ONNX_FORM.contains(type), type.getSimpleName() + " does not export: " + e.getMessage());
            assertTrue(e.getMessage().contains(type.getSimpleName()), e.getMessage());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyModuleTypeAnOperatorImportsToIsFoundInThatOperatorsImportedModel() {
        return MODULE_TYPES.stream().flatMap(type -> OPERATORS.stream().filter(o -> o.type() == type)
                .map(o -> DynamicTest.dynamicTest(type.getSimpleName() + " from " + o, () -> {
                    GraphModel imported = OnnxImporter.importModel(o.model().get());
                    assertTrue(contains(imported, type), o + " imported as " + imported.nodeNames().stream()
                            .map(n -> imported.node(n).getClass().getSimpleName()).toList());
                })));
    }

    @Test
    void everyOperatorTheImporterReadsHasASample() {
        List<String> missing = NodeLowering.operators().stream()
                .filter(op -> OPERATORS.stream().noneMatch(o -> o.opType().equals(op))).toList();
        assertTrue(missing.isEmpty(), "operators NodeLowering reads without a sample: " + missing + "; add a model "
                + "of each, and the layer type it imports to, to ModuleTypesOnnxTest.OPERATORS");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operatorSamples")
    void everyOperatorTheImporterReadsImportsToLayersTheExporterWrites(OperatorSample operator) {
        GraphModel imported = OnnxImporter.importModel(operator.model().get());
        assertDoesNotThrow(() -> OnnxExporter.export(imported, operator.input(), ExportFormat.QDQ));
    }

    @Test
    void everyOperatorTheImporterReadsHasAnOpsetHistory() {
        List<String> missing = NodeLowering.operators().stream()
                .filter(op -> OpsetPolicy.versionAt(op, OpsetPolicy.MAX) < 0).toList();
        assertTrue(missing.isEmpty(), "operators without their versions in OpsetPolicy: " + missing);
    }
}
