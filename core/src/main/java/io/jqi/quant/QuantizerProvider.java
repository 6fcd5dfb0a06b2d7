package io.jqi.quant;

import java.util.Collection;

/**
 * A {@link java.util.ServiceLoader} service that contributes quantizer classes to the registry. Quantizer classes
 * take parameters in their constructors, so they cannot be service providers themselves; list a provider class
 * (public, with a no-argument constructor) in {@code META-INF/services/io.jqi.quant.QuantizerProvider}
 * instead.
 */
public interface QuantizerProvider {
    Collection<Class<?>> quantizerClasses();
}
