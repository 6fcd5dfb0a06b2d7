package io.jqi.quant.inferable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerProvider;
import io.jqi.quant.QuantizerSpec;
import java.util.Collection;
import java.util.List;

/**
 * jqi's nine inferable quantizers: contributed to the registry (listed in META-INF/services), and built from a
 * {@link QuantizerSpec} and parameters when trainable quantizers convert.
 */
public final class InferableQuantizers implements QuantizerProvider {
    public static final List<Class<? extends InferableQuantizer>> ALL = List.of(
            WeightsPOTInferableQuantizer.class,
            WeightsSymmetricInferableQuantizer.class,
            WeightsUniformInferableQuantizer.class,
            WeightsLUTSymmetricInferableQuantizer.class,
            WeightsLUTPOTInferableQuantizer.class,
            ActivationPOTInferableQuantizer.class,
            ActivationSymmetricInferableQuantizer.class,
            ActivationUniformInferableQuantizer.class,
            ActivationLutPOTInferableQuantizer.class);

    @Override
    public Collection<Class<?>> quantizerClasses() {
        return List.copyOf(ALL);
    }

    /**
     * The built-in symmetric or power-of-two inferable quantizer of {@code spec} (weights per tensor or per channel,
     * or activations) with {@code thresholds}: what a trained threshold converts to.
     */
    public static InferableQuantizer symmetric(QuantizerSpec spec, float[] thresholds) {
        boolean pot = spec.method() == QuantizationMethod.POWER_OF_TWO;
        if (spec.method() != QuantizationMethod.SYMMETRIC && !pot) {
            throw new IllegalArgumentException("A threshold converts to a SYMMETRIC or POWER_OF_TWO quantizer, not "
                    + spec.method());
        }
        if (spec.target() == QuantizationTarget.WEIGHTS) {
            Integer axis = spec.channelAxis();
            return pot ? new WeightsPOTInferableQuantizer(spec.bits(), thresholds, axis != null, axis, null,
                    spec.rounding())
                    : new WeightsSymmetricInferableQuantizer(spec.bits(), thresholds, axis != null, axis, null,
                            spec.rounding());
        }
        return pot ? new ActivationPOTInferableQuantizer(spec.bits(), thresholds, spec.signed(), spec.rounding())
                : new ActivationSymmetricInferableQuantizer(spec.bits(), thresholds, spec.signed(), spec.rounding());
    }

    /** The built-in uniform inferable quantizer of {@code spec} with ranges {@code [min, max]}, adjusted by it. */
    public static InferableQuantizer uniform(QuantizerSpec spec, float[] min, float[] max) {
        if (spec.method() != QuantizationMethod.UNIFORM) {
            throw new IllegalArgumentException("A range converts to a UNIFORM quantizer, not " + spec.method());
        }
        if (spec.target() == QuantizationTarget.WEIGHTS) {
            Integer axis = spec.channelAxis();
            return new WeightsUniformInferableQuantizer(spec.bits(), min, max, axis != null, axis, null,
                    spec.rounding());
        }
        return new ActivationUniformInferableQuantizer(spec.bits(), min, max, spec.rounding());
    }
}
