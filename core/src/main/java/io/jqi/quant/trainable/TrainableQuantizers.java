package io.jqi.quant.trainable;

import io.jqi.quant.QuantizerProvider;
import java.util.Collection;
import java.util.List;

/** Contributes jqi's built-in trainable quantizers (STE and LSQ) to the registry (listed in META-INF/services). */
public final class TrainableQuantizers implements QuantizerProvider {
    public static final List<Class<? extends TrainableQuantizer>> ALL = List.of(
            STEWeightQATQuantizer.class,
            STEUniformWeightQATQuantizer.class,
            LSQWeightQATQuantizer.class,
            LSQUniformWeightQATQuantizer.class,
            STESymmetricActivationTrainableQuantizer.class,
            STEUniformActivationTrainableQuantizer.class,
            LSQSymmetricActivationTrainableQuantizer.class,
            LSQUniformActivationTrainableQuantizer.class);

    @Override
    public Collection<Class<?>> quantizerClasses() {
        return List.copyOf(ALL);
    }
}
