package io.jqi.onnx.export;

import io.jqi.nn.Module;

/**
 * The ONNX form of one layer type: writes the nodes and initializers that compute {@code layer} on the context's
 * inputs and returns the name of the value holding its output. {@link LayerLowerings} holds one per exportable layer
 * type (docs/onnx.md, "Adding a layer: its ONNX lowering").
 *
 * @param <M> the layer type
 */
@FunctionalInterface
interface LayerLowering<M extends Module> {
    String lower(M layer, LoweringContext c);
}
