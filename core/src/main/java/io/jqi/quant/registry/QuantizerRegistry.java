package io.jqi.quant.registry;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;
import io.jqi.quant.QuantizerProvider;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.inferable.InferableQuantizer;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds the one quantizer class for a (target, identifier, method) triple. Classes arrive through
 * {@link java.util.ServiceLoader} ({@link QuantizerProvider}) and through {@link #register}; each must carry
 * {@link MarkQuantizer}. A lookup answers exactly one class or fails with a message that lists what it found.
 *
 * <p>Thread safe: registration and lookups are synchronised on the registry, so parallel trainings may share the
 * global one; a class registered while another thread looks up is seen by the lookups that start after
 * {@link #register} returns (docs/architecture.md, "Threads").
 */
public final class QuantizerRegistry {
    private static volatile QuantizerRegistry global;

    private final Set<Class<?>> classes = new LinkedHashSet<>();

    /** An empty registry; see {@link #global()} for the one with the built-in and service-loaded quantizers. */
    public QuantizerRegistry() {
    }

    /**
     * The process-wide registry: every {@link QuantizerProvider} visible to the context class loader (jqi's
     * built-ins among them), loaded on first use, plus anything registered on it since.
     */
    public static QuantizerRegistry global() {
        QuantizerRegistry r = global;
        if (r == null) {
            synchronized (QuantizerRegistry.class) {
                r = global;
                if (r == null) {
                    ClassLoader loader = Thread.currentThread().getContextClassLoader();
                    r = new QuantizerRegistry().loadServices(loader != null ? loader
                            : QuantizerRegistry.class.getClassLoader());
                    global = r;
                }
            }
        }
        return r;
    }

    /** Registers every class of every {@link QuantizerProvider} that {@code loader} sees. */
    public QuantizerRegistry loadServices(ClassLoader loader) {
        try {
            for (QuantizerProvider provider : ServiceLoader.load(QuantizerProvider.class, loader)) {
                registerAll(provider.quantizerClasses());
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("A META-INF/services/" + QuantizerProvider.class.getName()
                    + " entry could not be loaded: " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Adds a quantizer class. Registering the same class twice is harmless.
     *
     * @throws IllegalArgumentException when the class lacks {@link MarkQuantizer}, is abstract, or its annotation
     *     is inconsistent with its type
     */
    public QuantizerRegistry register(Class<?> quantizerClass) {
        validate(quantizerClass);
        synchronized (classes) {
            classes.add(quantizerClass);
        }
        return this;
    }

    public QuantizerRegistry registerAll(Collection<Class<?>> quantizerClasses) {
        quantizerClasses.forEach(this::register);
        return this;
    }

    /** The registered classes, in registration order. */
    public List<Class<?>> registeredClasses() {
        synchronized (classes) {
            return List.copyOf(classes);
        }
    }

    /** Every identifier some registered class declares, sorted. */
    public Set<String> identifiers() {
        return registeredClasses().stream().map(c -> mark(c).identifier())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The inferable quantizer class for (target, method). */
    public Class<? extends InferableQuantizer> inferableQuantizerClass(QuantizationTarget target,
            QuantizationMethod method) {
        return quantizerClass(target, QuantizerId.INFERABLE, method).asSubclass(InferableQuantizer.class);
    }

    /** The trainable quantizer class for (target, training-method identifier, method). */
    public Class<?> trainableQuantizerClass(QuantizationTarget target, String identifier, QuantizationMethod method) {
        if (QuantizerId.INFERABLE.equals(identifier)) {
            throw new IllegalArgumentException("'" + identifier + "' identifies inferable quantizers; use "
                    + "inferableQuantizerClass, or pass a training method such as " + TrainingMethod.STE);
        }
        return quantizerClass(target, identifier, method);
    }

    private Class<?> quantizerClass(QuantizationTarget target, String identifier, QuantizationMethod method) {
        List<Class<?>> all = registeredClasses();
        List<Class<?>> matches = new ArrayList<>();
        for (Class<?> c : all) {
            MarkQuantizer m = mark(c);
            if (m.target() == target && m.identifier().equals(identifier)
                    && Arrays.asList(m.methods()).contains(method)) {
                matches.add(c);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        String what = "target " + target + ", identifier '" + identifier + "' and method " + method;
        if (matches.isEmpty()) {
            List<String> sameId = all.stream().filter(c -> mark(c).identifier().equals(identifier)
                    && mark(c).target() == target).map(QuantizerRegistry::describe).sorted().toList();
            throw new IllegalArgumentException("No quantizer is registered for " + what + ". "
                    + (sameId.isEmpty()
                        ? "Nothing is registered for that target and identifier (known identifiers: "
                            + identifiers() + ")"
                        : "Registered for that target and identifier: " + sameId)
                    + ". Annotate your class with @MarkQuantizer and register it with QuantizerRegistry.register or "
                    + "a META-INF/services/" + QuantizerProvider.class.getName() + " entry.");
        }
        matches.sort(Comparator.comparing(Class::getName));
        throw new IllegalArgumentException("Found " + matches.size() + " quantizers for " + what
                + " but there should be exactly one: " + matches.stream().map(QuantizerRegistry::describe).toList()
                + ". Remove one of them from the class path or give it another identifier.");
    }

    private static void validate(Class<?> c) {
        MarkQuantizer m = c.getDeclaredAnnotation(MarkQuantizer.class);
        if (m == null) {
            throw new IllegalArgumentException("Quantizer class " + c.getName() + " is improperly defined: it must be"
                    + " annotated with @MarkQuantizer(target, methods, identifier)");
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            throw new IllegalArgumentException("Quantizer class " + c.getName() + " is abstract; register only "
                    + "concrete quantizers");
        }
        if (m.methods().length == 0) {
            throw new IllegalArgumentException("Quantizer class " + c.getName() + " lists no quantization method in "
                    + "@MarkQuantizer");
        }
        if (m.identifier().isBlank()) {
            throw new IllegalArgumentException("Quantizer class " + c.getName() + " has a blank identifier in "
                    + "@MarkQuantizer");
        }
        boolean inferableType = InferableQuantizer.class.isAssignableFrom(c);
        boolean inferableId = QuantizerId.INFERABLE.equals(m.identifier());
        if (inferableType != inferableId) {
            throw new IllegalArgumentException("Quantizer class " + c.getName() + (inferableType
                    ? " extends InferableQuantizer, so its identifier must be QuantizerId.INFERABLE, not '"
                        + m.identifier() + "'"
                    : " does not extend InferableQuantizer, so it cannot use the identifier QuantizerId.INFERABLE"));
        }
    }

    private static MarkQuantizer mark(Class<?> c) {
        return c.getDeclaredAnnotation(MarkQuantizer.class);
    }

    private static String describe(Class<?> c) {
        return c.getName() + " " + Arrays.toString(mark(c).methods());
    }
}
