package io.jqi.ptq;

/**
 * What a target platform does with one kind of op.
 *
 * @param kernelAttribute the parameter that holds the op's kernel ({@code "weight"}), or null for ops without one
 * @param weights how the kernel is quantized, or null to keep it float
 * @param activation how the op's output is quantized, or null to keep it float
 * @param preservesInputQuantization true for ops that only move or select data (flatten, max pool, dropout,
 *     identity): their output stays on their input's grid, so they get no quantizer of their own
 */
public record OpQuantization(String kernelAttribute, WeightQuantization weights, ActivationQuantization activation,
        boolean preservesInputQuantization) {
    public OpQuantization {
        if (weights != null && (kernelAttribute == null || kernelAttribute.isBlank())) {
            throw new IllegalArgumentException("An op with weights quantization must name its kernel attribute "
                    + "(such as \"weight\")");
        }
        if (preservesInputQuantization && activation != null) {
            throw new IllegalArgumentException("An op that preserves its input's quantization cannot also quantize its "
                    + "output; set activation to null or preservesInputQuantization to false");
        }
    }

    /** An op whose output is quantized and that has no kernel. */
    public static OpQuantization activationOnly(ActivationQuantization activation) {
        return new OpQuantization(null, null, activation, false);
    }

    /** An op with a quantized kernel under {@code "weight"} and a quantized output (either may be null). */
    public static OpQuantization kernel(WeightQuantization weights, ActivationQuantization activation) {
        return new OpQuantization("weight", weights, activation, false);
    }

    /** An op that moves data and keeps its input's grid. */
    public static OpQuantization preserving() {
        return new OpQuantization(null, null, null, true);
    }

    /** An op left entirely in float. */
    public static OpQuantization none() {
        return new OpQuantization(null, null, null, false);
    }

    public OpQuantization withWeights(WeightQuantization newWeights) {
        return new OpQuantization(kernelAttribute, newWeights, activation, preservesInputQuantization);
    }

    public OpQuantization withActivation(ActivationQuantization newActivation) {
        return new OpQuantization(kernelAttribute, weights, newActivation,
                newActivation == null && preservesInputQuantization);
    }
}
