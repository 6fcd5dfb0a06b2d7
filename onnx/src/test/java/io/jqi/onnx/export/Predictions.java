package io.jqi.onnx.export;

import io.jqi.nn.GraphModel;
import io.jqi.nn.DataMovement;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;

/** What the ONNX Runtime agreement checks compare: predicted classes, and the step of a model's output grid. */
final class Predictions {
    private Predictions() {
    }

    /** The class with the largest logit in row {@code row} of {@code logits} (the first of equal ones). */
    static int argmax(float[] logits, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[row * classes + c] > logits[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The step of the activation quantizer on a finalized model's (first) output, the unit logits are compared in:
     * the holder found past the layers that only move values (an imported model ends in the Identity the export
     * wrote; SqueezeNet in a Flatten), which keep the holder's grid.
     */
    static float outputStep(GraphModel model) {
        String node = model.outputNames().get(0);
        while (model.node(node) instanceof DataMovement) {
            node = model.nodeInputs(node).get(0);
        }
        ActivationQuantizationHolder holder = (ActivationQuantizationHolder) model.node(node);
        return QdqParameters.of((InferableQuantizer) holder.quantizer(), 0, "test").scales()[0];
    }
}
