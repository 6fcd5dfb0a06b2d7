package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.trainable.LearnedBitWidth;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One quantized kernel of a QAT or finalized model: where it is, how many values it holds and the quantizer that
 * decides its width. The weights memory of a model is counted over these, in one place for the report and the penalty.
 */
record QuantizedKernel(String layer, String attribute, long weights, FakeQuantizer quantizer) {

    /** Every named kernel attribute a {@link QuantizationWrapper} of {@code model} quantizes, in the model's order. */
    static List<QuantizedKernel> of(Module model) {
        List<QuantizedKernel> kernels = new ArrayList<>();
        for (Map.Entry<String, Module> m : model.namedModules().entrySet()) {
            if (m.getValue() instanceof QuantizationWrapper wrapper) {
                Map<String, Tensor> parameters = wrapper.layer().namedParameters();
                wrapper.weightQuantizers().forEach((attribute, quantizer) -> {
                    Tensor kernel = parameters.get(attribute);
                    if (kernel == null) {
                        throw new IllegalStateException("layer '" + m.getKey() + "' quantizes '" + attribute
                                + "' but has no parameter of that name");
                    }
                    kernels.add(new QuantizedKernel(m.getKey(), attribute, kernel.numel(), quantizer));
                });
            }
        }
        return kernels;
    }

    /** The width the kernel has, or for a quantizer that learns it, the width it would finalize to now. */
    int bits() {
        return widthOf(quantizer, "layer '" + layer + "' has a weight quantizer");
    }

    /**
     * The width of a weight or activation quantizer of a QAT or finalized model; for one that learns it, the width it
     * would finalize to now. {@code what} names it in the error for a quantizer of unknown kind.
     */
    static int widthOf(FakeQuantizer quantizer, String what) {
        if (quantizer instanceof InferableQuantizer inferable) {
            return inferable.spec().bits();
        }
        if (quantizer instanceof LearnedBitWidth && quantizer instanceof TrainableQuantizer trainable) {
            return trainable.convertToInferable().spec().bits();
        }
        if (quantizer instanceof TrainableQuantizer trainable) {
            return trainable.config().nBits();
        }
        throw new IllegalStateException(what + " of unknown kind: " + quantizer.getClass().getName());
    }
}
