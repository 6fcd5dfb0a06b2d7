package io.jqi.onnx.export;

import io.jqi.tensor.Tensor;

/**
 * A value of the ONNX graph being written and a jqi tensor of its shape (batch 1): the exporter runs the model once on
 * zeros so that lowerings whose ONNX form depends on a shape (Dense on 2-D inputs or more, Flatten) can read it.
 *
 * @param name  the value's name in the graph
 * @param probe what the model computes there for a zero batch of one
 */
record GraphValue(String name, Tensor probe) {
}
