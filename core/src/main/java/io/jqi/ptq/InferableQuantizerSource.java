package io.jqi.ptq;

import io.jqi.grid.RoundingMode;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.quant.trainable.QuantizationParams;

/** The inferable quantizers of a plan, with jqi's default half-even rounding. */
public final class InferableQuantizerSource implements QuantizerSource {
    @Override
    public FakeQuantizer weights(NodePlan node) {
        WeightQuantization w = node.quantization().weights();
        QuantizationParams p = node.weights();
        Integer axis = w.perChannel() ? w.channelAxis() : null;
        return switch (w.method()) {
            case POWER_OF_TWO -> new WeightsPOTInferableQuantizer(w.bits(), p.threshold(), w.perChannel(), axis, null,
                    RoundingMode.HALF_EVEN);
            case SYMMETRIC -> new WeightsSymmetricInferableQuantizer(w.bits(), p.threshold(), w.perChannel(), axis,
                    null, RoundingMode.HALF_EVEN);
            case UNIFORM -> new WeightsUniformInferableQuantizer(w.bits(), p.rangeMin(), p.rangeMax(), w.perChannel(),
                    axis, null, RoundingMode.HALF_EVEN);
            case LUT_POT -> new WeightsLUTPOTInferableQuantizer(w.bits(), p.lutValues(), p.threshold(), w.perChannel(),
                    axis, p.inputRank(), WeightsLUTSymmetricInferableQuantizer.DEFAULT_LUT_VALUES_BITWIDTH,
                    WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS);
            case LUT_SYMMETRIC -> new WeightsLUTSymmetricInferableQuantizer(w.bits(), p.lutValues(), p.threshold(),
                    w.perChannel(), axis, p.inputRank(), WeightsLUTSymmetricInferableQuantizer.DEFAULT_LUT_VALUES_BITWIDTH,
                    WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS);
        };
    }

    @Override
    public FakeQuantizer activation(NodePlan node) {
        ActivationQuantization a = node.quantization().activation();
        QuantizationParams p = node.activation();
        return switch (a.method()) {
            case POWER_OF_TWO -> new ActivationPOTInferableQuantizer(a.bits(), p.threshold(), p.signed(),
                    RoundingMode.HALF_EVEN);
            case SYMMETRIC -> new ActivationSymmetricInferableQuantizer(a.bits(), p.threshold(), p.signed(),
                    RoundingMode.HALF_EVEN);
            case UNIFORM -> new ActivationUniformInferableQuantizer(a.bits(), p.rangeMin(), p.rangeMax(),
                    RoundingMode.HALF_EVEN);
            default -> throw new IllegalArgumentException("No post-training activation quantizer for " + a.method());
        };
    }
}
