package io.jqi.qat;

import io.jqi.quant.QuantizationMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The rules and conversions shared by the settings records. A conflict is rejected here, with one message, whichever
 * way the config is written; each front end only puts its own context (the block, or the JSON key path) before it.
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
