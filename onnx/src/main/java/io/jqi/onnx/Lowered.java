package io.jqi.onnx;

import io.jqi.nn.Module;
import io.jqi.onnx.proto.OnnxTensor;
import java.util.List;

/**
 * What one ONNX node becomes: a chain of jqi layers (the first reads {@code inputs}, each later one the previous
 * one's output), or, for {@code Constant}, a constant value.
 *
 * @param chain    the layers, in order; empty for a constant
 * @param inputs   the ONNX value names the first layer reads
 * @param constant the value of a constant node, else null
 */
record Lowered(List<Module> chain, List<String> inputs, OnnxTensor constant) {
    static Lowered of(Module layer, String... inputs) {
        return new Lowered(List.of(layer), List.of(inputs), null);
    }

    static Lowered chain(List<Module> layers, String... inputs) {
        return new Lowered(List.copyOf(layers), List.of(inputs), null);
    }

    static Lowered constant(OnnxTensor value) {
        return new Lowered(List.of(), List.of(), value);
    }
}
