package io.jqi.models;

import io.jqi.nn.Add;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.SiLU;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The networks {@code jqi qat} trains when the user brings none, for images {@code [channels, height, width]}:
 * {@code mlp}, the reference's QAT tutorial {@code cnn}, {@code cnn-silu} (the same with SiLU, whose small negative
 * tail is what shift-negative correction is for), and a small residual {@code resnet} that exercises the graph model.
 * Initialised from {@code seed}, so a run is reproducible.
 */
public final class BuiltInModels {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("mlp", "cnn", "cnn-silu", "resnet");

    private BuiltInModels() {
    }

    /** The model called {@code name} for inputs of {@code inputShape} and {@code classes} outputs. */
    public static Module create(String name, int[] inputShape, int classes, long seed) {
        if (inputShape.length != 3 || inputShape[0] <= 0 || inputShape[1] <= 0 || inputShape[2] <= 0) {
            throw new IllegalArgumentException("Built-in models take images [channels, height, width], got "
                    + java.util.Arrays.toString(inputShape));
        }
        if (classes < 2) {
            throw new IllegalArgumentException("A classifier needs at least 2 classes, got " + classes);
        }
        Random random = new Random(seed);
        return switch (name) {
            case "mlp" -> mlp(inputShape, classes, random);
            case "cnn" -> cnn(inputShape, classes, random, "relu", ReLU::new);
            case "cnn-silu" -> cnn(inputShape, classes, random, "silu", SiLU::new);
            case "resnet" -> resnet(inputShape, classes, random);
            default -> throw new IllegalArgumentException("Unknown built-in model '" + name + "'; choose one of "
                    + NAMES + " or give a saved model file");
        };
    }

    /** Three hidden layers of 64, as the 2-bit MNIST MLPs of the literature. */
    static Module mlp(int[] shape, int classes, Random random) {
        int in = shape[0] * shape[1] * shape[2];
        Map<String, Module> layers = new LinkedHashMap<>();
        layers.put("flatten", new Flatten());
        layers.put("fc1", new Dense(in, 64, true, random));
        layers.put("relu1", new ReLU());
        layers.put("fc2", new Dense(64, 64, true, random));
        layers.put("relu2", new ReLU());
        layers.put("fc3", new Dense(64, 64, true, random));
        layers.put("relu3", new ReLU());
        layers.put("classifier", new Dense(64, classes, true, random));
        return new Sequential(layers);
    }

    /**
     * Conv 16 stride 2, Conv 32 stride 2 (each with batch norm and the activation), Dense 128 with the activation,
     * Dense classes; the activations are named {@code act + "1"}, {@code act + "2"}, {@code act + "3"}.
     */
    static Module cnn(int[] shape, int classes, Random random, String act, Supplier<Module> activation) {
        int h = downsampled(downsampled(shape[1]));
        int w = downsampled(downsampled(shape[2]));
        Map<String, Module> layers = new LinkedHashMap<>();
        layers.put("conv1", conv(shape[0], 16, 3, 2, random));
        layers.put("bn1", new BatchNorm(16));
        layers.put(act + "1", activation.get());
        layers.put("conv2", conv(16, 32, 3, 2, random));
        layers.put("bn2", new BatchNorm(32));
        layers.put(act + "2", activation.get());
        layers.put("flatten", new Flatten());
        layers.put("fc", new Dense(32 * h * w, 128, true, random));
        layers.put(act + "3", activation.get());
        layers.put("classifier", new Dense(128, classes, true, random));
        return new Sequential(layers);
    }

    /**
     * A stem and two residual blocks (the second halves the resolution, with a 1x1 projection on its shortcut),
     * then global average pooling and the classifier.
     */
    static Module resnet(int[] shape, int classes, Random random) {
        GraphModel.Builder g = GraphModel.builder().input("x");
        g.node("stem", conv(shape[0], 16, 3, 1, random), "x")
                .node("stem_bn", new BatchNorm(16), "stem")
                .node("stem_relu", new ReLU(), "stem_bn");
        String out = block(g, "block1", "stem_relu", 16, 16, 1, random);
        out = block(g, "block2", out, 16, 32, 2, random);
        return g.node("pool", new GlobalAvgPool2D(), out)
                .node("flatten", new Flatten(), "pool")
                .node("classifier", new Dense(32, classes, true, random), "flatten")
                .output("classifier")
                .build();
    }

    private static String block(GraphModel.Builder g, String name, String in, int inChannels, int outChannels,
            int stride, Random random) {
        g.node(name + "_conv1", conv(inChannels, outChannels, 3, stride, random), in)
                .node(name + "_bn1", new BatchNorm(outChannels), name + "_conv1")
                .node(name + "_relu1", new ReLU(), name + "_bn1")
                .node(name + "_conv2", conv(outChannels, outChannels, 3, 1, random), name + "_relu1")
                .node(name + "_bn2", new BatchNorm(outChannels), name + "_conv2");
        String shortcut = in;
        if (stride != 1 || inChannels != outChannels) {
            g.node(name + "_proj", conv(inChannels, outChannels, 1, stride, random), in)
                    .node(name + "_proj_bn", new BatchNorm(outChannels), name + "_proj");
            shortcut = name + "_proj_bn";
        }
        g.node(name + "_add", new Add(), name + "_bn2", shortcut)
                .node(name + "_relu2", new ReLU(), name + "_add");
        return name + "_relu2";
    }

    /** A convolution without bias (the batch norm after it has one), "same" padding for odd kernels. */
    private static Conv2D conv(int in, int out, int kernel, int stride, Random random) {
        return new Conv2D(in, out, new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {kernel / 2, kernel / 2}, new int[] {1, 1}, 1, false, random);
    }

    /** The output size of a stride-2, kernel-3, padding-1 convolution. */
    private static int downsampled(int size) {
        return (size - 1) / 2 + 1;
    }
}
