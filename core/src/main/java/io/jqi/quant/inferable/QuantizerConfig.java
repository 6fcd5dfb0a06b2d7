package io.jqi.quant.inferable;

/**
 * An inferable quantizer's configuration as named values, the form its files hold
 * (docs/quantizer-contract.md#inferable-json-config): every inferable quantizer writes its own through
 * {@link InferableQuantizer#writeConfig}, and a registered class is read back by its public static
 * {@code fromConfig(QuantizerConfig.Reader)}. A file format (jqi's JSON, for one) implements the two sides; so a
 * user's own quantizer, registered with the {@link io.jqi.quant.registry.QuantizerRegistry}, is saved and loaded like
 * jqi's.
 */
public final class QuantizerConfig {
    private QuantizerConfig() {
    }

    /** Where a quantizer writes its configuration, key by key in the order the file should show them. */
    public interface Writer {
        void put(String key, int value);

        /** An integer that may be absent (written as null). */
        void putOptional(String key, Integer value);

        void put(String key, boolean value);

        void put(String key, float value);

        void put(String key, float[] values);

        /** An enum, by name. */
        void put(String key, Enum<?> value);
    }

    /**
     * Where a quantizer reads its configuration from. A missing, mistyped or (after reading) unread key is an error
     * the reader raises, naming where it is.
     */
    public interface Reader {
        int integer(String key);

        /** An integer that may be absent or null. */
        Integer optionalInteger(String key);

        boolean bool(String key);

        float number(String key);

        /** A number that may be absent, then {@code defaultValue}. */
        float number(String key, float defaultValue);

        float[] numbers(String key);

        /** An enum by name; absent gives {@code defaultValue}. */
        <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue);
    }
}
