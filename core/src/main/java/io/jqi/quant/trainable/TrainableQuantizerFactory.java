package io.jqi.quant.trainable;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * Builds a trainable quantizer from the class the registry found, a config, and named overrides: the QAT flow's way
 * to instantiate built-in and user quantizers alike. A class takes overrides through a public constructor
 * {@code (ConfigType, QuantizerOptions)}; a class with only {@code (ConfigType)} takes none.
 */
public final class TrainableQuantizerFactory {
    private TrainableQuantizerFactory() {
    }

    public static TrainableQuantizer create(Class<?> quantizerClass, TrainableQuantizerConfig config) {
        return create(quantizerClass, config, Map.of());
    }

    public static TrainableQuantizer create(Class<?> quantizerClass, TrainableQuantizerConfig config,
            Map<String, ?> overrides) {
        if (!TrainableQuantizer.class.isAssignableFrom(quantizerClass)) {
            throw new IllegalArgumentException(quantizerClass.getName() + " is not a TrainableQuantizer");
        }
        Class<?> configType = null;
        Constructor<?> withOptions = null;
        Constructor<?> plain = null;
        for (Constructor<?> c : quantizerClass.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length >= 1 && TrainableQuantizerConfig.class.isAssignableFrom(p[0])) {
                configType = p[0];
                if (p.length == 2 && p[1] == QuantizerOptions.class) {
                    withOptions = c;
                } else if (p.length == 1) {
                    plain = c;
                }
            }
        }
        if (withOptions == null && plain == null) {
            throw new IllegalArgumentException(quantizerClass.getSimpleName() + " needs a public constructor taking its "
                    + "config (and optionally QuantizerOptions) so that it can be built from a QAT config");
        }
        if (!configType.isInstance(config)) {
            throw new IllegalArgumentException(configType == TrainableQuantizerWeightsConfig.class
                    ? "Expected weight quantization configuration; received activation quantization instead."
                    : "Expected activation quantization configuration; received weight quantization instead.");
        }
        QuantizerOptions options = QuantizerOptions.of(overrides);
        if (withOptions == null && !overrides.isEmpty()) {
            throw new IllegalArgumentException(quantizerClass.getSimpleName() + " takes no parameter overrides, got "
                    + overrides.keySet());
        }
        TrainableQuantizer q = (TrainableQuantizer) instantiate(withOptions != null ? withOptions : plain,
                withOptions != null ? new Object[] {config, options} : new Object[] {config});
        if (!options.unread().isEmpty()) {
            throw new IllegalArgumentException("Unknown parameter override " + options.unread() + " for "
                    + quantizerClass.getSimpleName() + "; it takes " + options.asked());
        }
        return q;
    }

    private static Object instantiate(Constructor<?> constructor, Object[] args) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Constructing " + constructor.getDeclaringClass().getSimpleName()
                    + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot construct " + constructor.getDeclaringClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        }
    }
}
