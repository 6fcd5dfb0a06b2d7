package io.jqi.nn;

import java.util.List;

/**
 * jqi's built-in layer types: the catalogue that what is decided per layer type (the default target platform here,
 * the saved-model codecs and the ONNX lowerings in their modules) is checked against, so that a new layer cannot be
 * half supported. Adding a layer: docs/architecture.md, "Adding a layer". The order is the default platform's.
 */
public final class Layers {
    /** Every concrete {@link Module} of this package (tests enforce that none is missing). */
    public static final List<Class<? extends Module>> BUILT_IN = List.of(
            Conv2D.class, Dense.class, BatchNorm.class, LayerNorm.class,
            Flatten.class, MaxPool2D.class, Dropout.class, Identity.class, Reshape.class, Transpose.class, Pad.class, Slice.class,
            MatrixFlatten.class,
            ReLU.class, ReLU6.class, LeakyReLU.class, SiLU.class, Hardswish.class, HardSigmoid.class, Sigmoid.class, Tanh.class,
            Clip.class,
            Add.class, Sub.class, Mul.class, Div.class, MatMul.class, AddConstant.class, Concat.class,
            Softmax.class, CoercedSoftmax.class, AvgPool2D.class, GlobalAvgPool2D.class, Mean.class,
            Erf.class, Sqrt.class, Pow.class,
            QuantizeDequantize.class,
            Sequential.class, GraphModel.class);

    private Layers() {
    }

    /**
     * The op kind of a layer type: its class's simple name, as target platforms and layer rules name it
     * ({@code "Conv2D"}, {@code "ReLU"}, a user's {@code "MyBlock"}).
     */
    public static String kind(Class<? extends Module> type) {
        return type.getSimpleName();
    }

    /** The built-in layer types that implement {@code trait}, in catalogue order. */
    public static List<Class<? extends Module>> with(Class<?> trait) {
        return BUILT_IN.stream().filter(trait::isAssignableFrom).toList();
    }
}
