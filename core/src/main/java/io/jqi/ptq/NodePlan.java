package io.jqi.ptq;

import io.jqi.quant.trainable.QuantizationParams;

/**
 * What post-training analysis decided for one node (or model input): how it is quantized and the parameters it
 * starts from.
 *
 * @param weights the kernel's thresholds or ranges, null when the kernel stays float
 * @param activation the output's threshold and signedness, or range, null when the output is not quantized
 */
public record NodePlan(NodeRef ref, OpQuantization quantization, QuantizationParams weights,
        QuantizationParams activation) {

    public boolean quantizesWeights() {
        return weights != null;
    }

    public boolean quantizesActivation() {
        return activation != null;
    }
}
