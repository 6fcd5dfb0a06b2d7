package io.jqi.spark;

import java.io.Serializable;

/** One training example as a Spark RDD holds it: the input's values, flattened row-major, and its class index. */
public record LabeledInput(float[] input, int label) implements Serializable {
}
