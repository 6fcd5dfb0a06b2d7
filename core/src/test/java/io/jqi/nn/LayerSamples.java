package io.jqi.nn;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One instance of every layer type of {@link Layers#BUILT_IN}, with the input shapes (batch first) it runs on: the
 * fixture of the tests that check that every layer type is handled by PTQ, the platform, the saved-model codecs and
 * the ONNX lowerings. A layer type without a sample fails those tests, naming this class.
 */
public final class LayerSamples {
    /** A layer and the shapes of the inputs it takes. */
    public record Sample(Module layer, List<Shape> inputs) {
        /** Seeded random inputs of the sample's shapes. */
        public Tensor[] inputs(long seed) {
            Random random = new Random(seed);
            return inputs.stream().map(s -> Tensor.randn(random, s.toArray())).toArray(Tensor[]::new);
        }

        @Override
        public String toString() {
            return Layers.kind(layer.getClass());
        }
    }

    private LayerSamples() {
    }

    /** The sample of every built-in layer type, by type; a new type must be added here. */
    public static Map<Class<? extends Module>, Sample> all() {
        Random random = new Random(11);
        Shape image = Shape.of(2, 3, 6, 6);
        Shape rows = Shape.of(2, 5);
        Map<Class<? extends Module>, Sample> out = new LinkedHashMap<>();
        add(out, new Conv2D(3, 4, new int[] {3, 3}, new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, true,
                random), image);
        add(out, new Dense(5, 3, true, random), rows);
        BatchNorm norm = new BatchNorm(3, 0.1f, 1e-3f);
        norm.loadStateDict(Map.of("weight", Tensor.randn(random, 3), "bias", Tensor.randn(random, 3),
                "running_mean", Tensor.randn(random, 3), "running_var", Tensor.uniform(random, 0.5f, 2f, 3)));
        add(out, norm, image);
        LayerNorm layerNorm = new LayerNorm(new int[] {6, 6}, 1e-4f);
        layerNorm.loadStateDict(Map.of("weight", Tensor.randn(random, 6, 6), "bias", Tensor.randn(random, 6, 6)));
        add(out, layerNorm, image);
        add(out, new Flatten(1), image);
        add(out, new MaxPool2D(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}), image);
        add(out, new Dropout(0.25f, new Random(3)), rows);
        add(out, new Identity(), rows);
        add(out, new Reshape(new int[] {0, -1}, false), image);
        add(out, new Transpose(0, 2, 3, 1), image);
        add(out, new Slice(new int[] {1, 3}, new int[] {1, 2}, new int[] {2, 3}), image);
        add(out, new Pad(new int[] {0, 0, 1, 2, 0, 0, 1, -1}, 0.5f), image);
        add(out, new MatrixFlatten(2), image);
        add(out, new ReLU(), rows);
        add(out, new ReLU6(), rows);
        add(out, new LeakyReLU(0.1f), rows);
        add(out, new SiLU(), rows);
        add(out, new Hardswish(), rows);
        add(out, new HardSigmoid(), rows);
        add(out, new Sigmoid(), rows);
        add(out, new Tanh(), rows);
        add(out, new Clip(-0.5f, 1.5f), rows);
        add(out, new Add(), rows, rows);
        add(out, new Sub(Tensor.randn(random, 5), false), rows);
        add(out, new Mul(), rows, rows);
        add(out, new Div(Tensor.uniform(random, 1f, 2f, 5), false), rows);
        add(out, new MatMul(Tensor.randn(random, 5, 4), false), rows);
        add(out, new AddConstant(Tensor.randn(random, 5)), rows);
        add(out, new Concat(1), rows, rows);
        add(out, new Softmax(1), rows);
        add(out, new CoercedSoftmax(1), rows);
        add(out, new AvgPool2D(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}), image);
        add(out, new GlobalAvgPool2D(), image);
        add(out, new Mean(new int[] {-1, 2}, false), image);
        add(out, new Erf(), rows);
        add(out, new Sqrt(), rows);
        add(out, new Pow(2f), rows);
        add(out, QuantizeDequantize.perTensor(0.05f, 3, -128, 127), rows);
        add(out, new Sequential(new Dense(5, 4, true, random), new ReLU(), new Dense(4, 2, false, random)), rows);
        add(out, GraphModel.builder().input("x").node("fc", new Dense(5, 5, true, random), "x")
                .node("sum", new Add(), "fc", "x").output("sum").build(), rows);
        return out;
    }

    private static void add(Map<Class<? extends Module>, Sample> out, Module layer, Shape... inputs) {
        out.put(layer.getClass(), new Sample(layer, List.of(inputs)));
    }
}
