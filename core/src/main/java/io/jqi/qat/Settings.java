package io.jqi.qat;

import java.util.LinkedHashMap;
import java.util.Map;

/** Checks and conversions shared by the settings records. */
final class Settings {
    private Settings() {
    }

    static void requireTrainingMethod(String trainingMethod) {
        if (trainingMethod != null && trainingMethod.isBlank()) {
            throw new IllegalArgumentException("A training-method identifier must not be blank; use STE, LSQ or the "
                    + "identifier of a registered quantizer");
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
