package io.jqi.ptq;

import io.jqi.nn.KernelLayer;
import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.tensor.Tensor;

/**
 * Weights bias correction (the reference's default statistics correction): quantizing a kernel shifts each output's
 * mean by {@code (W - Q(W)) · E[x]}; adding that to the bias cancels it. {@code E[x]} is the per-channel mean of the
 * layer's float input over the representative data. Convolutions treat every kernel tap alike, as the reference
 * does (zero padding at the borders is ignored).
 */
final class BiasCorrection {
    private BiasCorrection() {
    }

    /** The axis of a layer's input whose per-channel mean the correction needs, or -1 for layers it skips. */
    static int inputMeanAxis(Module layer) {
        if (!(layer instanceof KernelLayer kernel)) {
            return -1;
        }
        return kernel.inputChannelAxis() < 0 ? ValueStatistics.LAST_AXIS : kernel.inputChannelAxis();
    }

    /** {@code layer} with its bias corrected for {@code quantizer} (a bias is added to a layer that has none). */
    static Module correct(Module layer, FakeQuantizer quantizer, double[] inputMean) {
        KernelLayer kernel = (KernelLayer) layer;
        Tensor weight = kernel.weight();
        Tensor bias = kernel.bias();
        float[] w = weight.toFloatArray();
        float[] q;
        try (var ignored = Tensor.noGrad()) {
            q = quantizer.apply(weight, false).toFloatArray();
        }
        int out = weight.shape().dim(0);
        int perOut = w.length / out;
        int groups = kernel.groups();
        int inPerGroup = inputMean.length / groups;
        int taps = perOut / inPerGroup;
        float[] b = bias == null ? new float[out] : bias.toFloatArray();
        for (int o = 0; o < out; o++) {
            int group = o / (out / groups);
            double shift = 0;
            for (int i = 0; i < perOut; i++) {
                int channel = group * inPerGroup + i / taps;
                shift += ((double) w[o * perOut + i] - q[o * perOut + i]) * inputMean[channel];
            }
            b[o] = (float) (b[o] + shift);
        }
        return kernel.withParameters(weight, Tensor.of(b, out));
    }
}
