package io.jqi.ptq;

import io.jqi.quant.FakeQuantizer;

/**
 * Makes the quantizers of a {@link QuantizationPlan}: inferable ones for a post-training model, trainable ones for
 * quantization-aware training.
 */
public interface QuantizerSource {
    /** The kernel quantizer of {@code node} ({@link NodePlan#quantizesWeights()} is true). */
    FakeQuantizer weights(NodePlan node);

    /** The output quantizer of {@code node} ({@link NodePlan#quantizesActivation()} is true). */
    FakeQuantizer activation(NodePlan node);
}
