package io.jqi.quant.trainable;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named options for a trainable quantizer's constructor: the reference's {@code *_quantizer_params_override}. A
 * quantizer reads the options it understands by name; {@link TrainableQuantizerFactory} then rejects any name it did
 * not read, so a misspelt override is an error rather than silently ignored
 * (docs/quantizer-contract.md#trainable-base-class). Values may be given typed or as text (as they arrive from JSON):
 * enums by constant or name, booleans as {@code true}/{@code false}.
 */
public final class QuantizerOptions {
    private final Map<String, Object> values;
    private final Set<String> asked = new TreeSet<>();

    private QuantizerOptions(Map<String, ?> values) {
        this.values = Map.copyOf(values);
    }

    public static QuantizerOptions none() {
        return new QuantizerOptions(Map.of());
    }

    public static QuantizerOptions of(Map<String, ?> values) {
        return new QuantizerOptions(values);
    }

    public boolean bool(String name, boolean defaultValue) {
        Object v = take(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.parseBoolean((String) v);
        }
        throw new IllegalArgumentException("Option '" + name + "' must be true or false, got " + v);
    }

    public <E extends Enum<E>> E enumValue(String name, Class<E> type, E defaultValue) {
        Object v = take(name);
        if (v == null) {
            return defaultValue;
        }
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        if (v instanceof String s) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(s.toUpperCase(Locale.ROOT))) {
                    return constant;
                }
            }
        }
        throw new IllegalArgumentException("Option '" + name + "' must be one of "
                + Arrays.toString(type.getEnumConstants()) + ", got " + v);
    }

    /** An integer option, given as a number without a fraction or as its text. */
    public int integer(String name, int defaultValue) {
        double v = number(name, defaultValue);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Option '" + name + "' must be a whole number, got " + values.get(name));
        }
        return (int) v;
    }

    /** A finite number option, given as a number or as its text. */
    public double number(String name, double defaultValue) {
        Object v = take(name);
        if (v == null) {
            return defaultValue;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
        }
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("Option '" + name + "' must be a finite number, got " + v);
        }
        return d;
    }

    /** The names the quantizer asked for. */
    Set<String> asked() {
        return asked;
    }

    /** Every given name the quantizer never asked for. */
    Set<String> unread() {
        Set<String> unread = new TreeSet<>(values.keySet());
        unread.removeAll(asked);
        return unread;
    }

    private Object take(String name) {
        asked.add(name);
        return values.get(name);
    }
}
