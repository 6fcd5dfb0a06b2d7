package io.jqi.quant.inferable;

import io.jqi.quant.registry.QuantizerProvider;
import java.util.Collection;
import java.util.List;

/** Contributes jqi's nine inferable quantizers to the registry (listed in META-INF/services). */
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
}
