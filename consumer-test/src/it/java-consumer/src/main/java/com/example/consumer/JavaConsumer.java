package com.example.consumer;

import io.jqi.qat.QatConfig;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Tensor;
import java.util.Arrays;

/** README.md's Java example, run from a project that has jqi-core as a dependency. */
public final class JavaConsumer {
    public static void main(String[] args) {
        InferableQuantizer relu = ActivationPOTInferableQuantizer.of(8, 4.0f, false);  // unsigned, [0, 4)
        Tensor y = relu.quantize(Tensor.vector(0.005f, 1.337f, 5.0f));                 // 0, 1.34375, 3.984375

        // The registry finds the quantizers by their annotation, in jqi-core's jar.
        Class<?> cls = QuantizerRegistry.global()
                .inferableQuantizerClass(QuantizationTarget.WEIGHTS, QuantizationMethod.UNIFORM);
        QatConfig config = QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4))
                .activations(a -> a.training(TrainingMethod.LSQ))
                .build();

        System.out.println("jqi java consumer: quantized " + Arrays.toString(y.toFloatArray())
                + ", registry " + cls.getSimpleName() + ", qat config " + config.getClass().getSimpleName());
    }
}
