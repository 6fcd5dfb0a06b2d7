package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerHost;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the weight and activation sensitivities share: a model's outputs over the representative batches, their mean
 * squared difference from the all-float outputs, and the quantizer that leaves every other value float.
 */
final class SensitivityRuns {
    private SensitivityRuns() {
    }

    /** {@code model}'s outputs in eval mode, one array per batch. */
    static List<float[]> outputs(GraphModel model, List<Tensor> batches) {
        model.eval();
        List<float[]> out = new ArrayList<>();
        try (var ignored = Tensor.noGrad()) {
            for (Tensor x : batches) {
                out.add(model.forward(x).toFloatArray());
            }
        }
        return out;
    }

    /** The mean of the squared differences over every output value of every batch. */
    static double meanSquaredDifference(List<float[]> a, List<float[]> b) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i);
            float[] y = b.get(i);
            for (int j = 0; j < x.length; j++) {
                double d = (double) x[j] - y[j];
                sum += d * d;
            }
            count += x.length;
        }
        return sum / count;
    }

    /** A quantizer that leaves values as they are. */
    static class PassThrough implements FakeQuantizer {
        private final QuantizationTarget target;

        PassThrough(QuantizationTarget target) {
            this.target = target;
        }

        @Override
        public QuantizationTarget target() {
            return target;
        }

        @Override
        public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        }

        @Override
        public Tensor apply(Tensor x, boolean training) {
            return x;
        }
    }
}
