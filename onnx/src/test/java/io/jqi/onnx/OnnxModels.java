package io.jqi.onnx;

import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.Dim;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxGraph;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.onnx.proto.OnnxValueInfo;
import io.jqi.onnx.proto.OpsetId;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small ONNX models for the importer's tests, built with the proto records. */
final class OnnxModels {
    private OnnxModels() {
    }

    static OnnxNode node(String name, String op, List<String> inputs, List<String> outputs, OnnxAttribute... attrs) {
        return new OnnxNode(name, op, "", inputs, outputs, List.of(attrs));
    }

    static OnnxValueInfo floatValue(String name, long... dims) {
        return OnnxValueInfo.ofFloat(name, dims);
    }

    static OnnxValueInfo batchedFloatValue(String name, long... dims) {
        List<Dim> shape = new java.util.ArrayList<>();
        shape.add(Dim.symbolic("N"));
        for (long d : dims) {
            shape.add(Dim.of(d));
        }
        return new OnnxValueInfo(name, DataType.FLOAT, shape);
    }

    static OnnxModel model(long opset, List<OnnxNode> nodes, List<OnnxTensor> initializers, List<OnnxValueInfo> inputs,
                           List<OnnxValueInfo> outputs) {
        return new OnnxModel(8, List.of(new OpsetId("", opset)), "jqi-test", "1", "", 0, "",
                new OnnxGraph("test", nodes, initializers, inputs, outputs, List.of()), Map.of());
    }

    static OnnxTensor randomFloats(Random random, String name, long... dims) {
        int n = Math.toIntExact(OnnxTensor.numel(dims));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return OnnxTensor.ofFloats(name, dims, v);
    }

    static OnnxTensor positiveFloats(Random random, String name, long... dims) {
        int n = Math.toIntExact(OnnxTensor.numel(dims));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + random.nextFloat();
        }
        return OnnxTensor.ofFloats(name, dims, v);
    }

    /**
     * A small CNN as PyTorch exports one: Conv (3x3, pad 1) - BatchNormalization - Relu - MaxPool (2) - Flatten -
     * Gemm (transB) - Softmax, on {@code [N, 1, 6, 6]} inputs, opset 13, with the Gemm's and Flatten's value names
     * holding dots as PyTorch's do.
     */
    static OnnxModel smallCnn(long seed) {
        Random random = new Random(seed);
        List<OnnxTensor> inits = List.of(
                randomFloats(random, "conv.weight", 4, 1, 3, 3), randomFloats(random, "conv.bias", 4),
                positiveFloats(random, "bn.weight", 4), randomFloats(random, "bn.bias", 4),
                randomFloats(random, "bn.running_mean", 4), positiveFloats(random, "bn.running_var", 4),
                randomFloats(random, "fc.weight", 3, 36), randomFloats(random, "fc.bias", 3));
        List<OnnxNode> nodes = List.of(
                node("conv", "Conv", List.of("input", "conv.weight", "conv.bias"), List.of("conv_out"),
                        OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofInts("pads", 1, 1, 1, 1),
                        OnnxAttribute.ofInts("strides", 1, 1)),
                node("bn", "BatchNormalization",
                        List.of("conv_out", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"),
                        List.of("bn_out"), OnnxAttribute.ofFloat("epsilon", 1e-5f)),
                node("relu", "Relu", List.of("bn_out"), List.of("relu_out")),
                node("pool", "MaxPool", List.of("relu_out"), List.of("pool_out"),
                        OnnxAttribute.ofInts("kernel_shape", 2, 2), OnnxAttribute.ofInts("strides", 2, 2)),
                node("flatten", "Flatten", List.of("pool_out"), List.of("flat.1")),
                node("fc", "Gemm", List.of("flat.1", "fc.weight", "fc.bias"), List.of("logits"),
                        OnnxAttribute.ofInt("transB", 1)),
                node("softmax", "Softmax", List.of("logits"), List.of("probs"), OnnxAttribute.ofInt("axis", 1)));
        return model(13, nodes, inits, List.of(batchedFloatValue("input", 1, 6, 6)),
                List.of(batchedFloatValue("probs", 3)));
    }
}
