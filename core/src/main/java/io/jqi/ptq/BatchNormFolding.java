package io.jqi.ptq;

import io.jqi.nn.BatchNorm;
import io.jqi.nn.KernelLayer;
import io.jqi.nn.Module;
import io.jqi.tensor.Tensor;

/**
 * Folds a batch norm into the kernel layer (convolution, dense) before it (its only consumer), as deployment does: the
 * scale {@code gamma / sqrt(var + eps)} goes into each output channel's kernel and the shift into the bias, with the
 * running statistics. Quantization then sees, and quantizes, the kernel that will actually run.
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** Folds every foldable batch norm of {@code graph} in place; returns how many were folded. */
    static int fold(FlatGraph graph) {
        int folded = 0;
        for (FlatGraph.Node bn : graph.nodes.values().stream().toList()) {
            if (!(bn.module instanceof BatchNorm norm) || bn.inputs.size() != 1) {
                continue;
            }
            FlatGraph.Node producer = graph.nodes.get(bn.inputs.get(0));
            if (producer == null || graph.outputs.contains(producer.name)
                    || graph.consumers(producer.name).size() != 1) {
                continue;
            }
            Module merged = fold(producer.module, norm);
            if (merged != null) {
                producer.module = merged;
                graph.bypass(bn.name);
                folded++;
            }
        }
        return folded;
    }

    /** {@code layer} with {@code norm} folded in, or null when {@code layer} is not a kernel layer that fits. */
    static Module fold(Module layer, BatchNorm norm) {
        if (!(layer instanceof KernelLayer kernel) || kernel.outChannels() != norm.numFeatures()) {
            return null;
        }
        Tensor weight = kernel.weight();
        Tensor bias = kernel.bias();
        float[] gamma = norm.weight().toFloatArray();
        float[] beta = norm.bias().toFloatArray();
        float[] mean = norm.runningMean().toFloatArray();
        float[] var = norm.runningVar().toFloatArray();
        float[] w = weight.toFloatArray();
        float[] b = bias == null ? new float[gamma.length] : bias.toFloatArray();
        int perChannel = w.length / gamma.length;
        float[] newB = new float[gamma.length];
        for (int o = 0; o < gamma.length; o++) {
            double scale = gamma[o] / Math.sqrt((double) var[o] + norm.eps());
            for (int i = o * perChannel; i < (o + 1) * perChannel; i++) {
                w[i] = (float) (w[i] * scale);
            }
            newB[o] = (float) ((b[o] - (double) mean[o]) * scale + beta[o]);
        }
        return kernel.withParameters(Tensor.of(w, weight.shape()), Tensor.of(newB, gamma.length));
    }
}
