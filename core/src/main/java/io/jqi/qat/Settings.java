package io.jqi.qat;

import io.jqi.quant.QuantizationMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The rules and conversions shared by the settings records and their builders. Every conflict a QAT config can
 * express is rejected here, with one message, whichever way the config is written (the Kotlin DSL and the Java
 * builder go through {@link QatConfig.Builder}, JSON through the records' constructors); each front end only puts
 * its own context (the block, or the JSON key path) before the message.
 */
final class Settings {
    private Settings() {
    }

    static void requireTrainingMethod(String trainingMethod) {
        if (trainingMethod != null && trainingMethod.isBlank()) {
            throw new IllegalArgumentException("A training-method identifier must not be blank; use STE, LSQ or the "
                    + "identifier of a registered quantizer");
        }
    }

    /**
     * Rejects settings of {@code kind} ("weights" or "activations") that are disabled and set anything else:
     * {@code choices} (from {@link #quantizingChoices}) would have no effect, and dropping them silently would hide
     * the mistake.
     */
    static void requireNothingElseWhenDisabled(Boolean enabled, String kind, List<String> choices) {
        if (!Boolean.FALSE.equals(enabled) || choices.isEmpty()) {
            return;
        }
        int last = choices.size() - 1;
        String what = last == 0 ? choices.get(0) + " has"
                : String.join(", ", choices.subList(0, last)) + " and " + choices.get(last) + " have";
        throw new IllegalArgumentException("Disabled " + kind + " stay float, so " + what + " no effect; "
                + (last == 0 ? "remove one of the two" : "remove disabled or those settings"));
    }

    /**
     * The settings that only matter while quantizing, described for an error message: the grid, then the record's
     * own {@code gridOptions} (granularity, signedness), the training method and the parameter overrides.
     */
    static List<String> quantizingChoices(String trainingMethod, QuantizationMethod method, Integer bits,
            List<String> gridOptions, Map<String, String> paramsOverride) {
        List<String> choices = new ArrayList<>();
        if (method != null) {
            choices.add("the " + (bits != null ? bits + "-bit " : "") + method + " grid");
        } else if (bits != null) {
            choices.add("the bit width " + bits);
        }
        choices.addAll(gridOptions);
        if (trainingMethod != null) {
            choices.add("the training method " + trainingMethod);
        }
        if (!paramsOverride.isEmpty()) {
            choices.add("the parameter override" + (paramsOverride.size() == 1 ? " " : "s ")
                    + String.join(", ", new TreeSet<>(paramsOverride.keySet())));
        }
        return choices;
    }

    /**
     * Rejects a second value for {@code option} in a builder: the builders take each option once, because a later
     * call silently replacing an earlier one hides a mistake. {@code advice} says what to give instead.
     */
    static void requireFirst(Object given, String option, String advice) {
        if (given != null) {
            throw new IllegalArgumentException(givenTwice(option, advice));
        }
    }

    /** The one message for an option (or a block) given twice. */
    static String givenTwice(String option, String advice) {
        return option + " is given twice; " + advice;
    }

    /** Runs {@code make}, naming {@code where} (a builder's block) before the message of any rule it breaks. */
    static <T> T within(String where, Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Option values as the text a JSON file would hold: enums by name, everything else by toString. */
    static Map<String, String> asText(Map<String, ?> options) {
        Map<String, String> out = new LinkedHashMap<>();
        options.forEach((name, value) -> {
            if (name == null || value == null) {
                throw new IllegalArgumentException("Parameter overrides need a name and a value, got " + name + " = "
                        + value);
            }
            out.put(name, value instanceof Enum<?> e ? e.name() : value.toString());
        });
        return out;
    }
}
