package io.jqi.qat;

import java.util.Map;

/**
 * The trainable quantizer a node gets: its training-method identifier and the named options for its constructor.
 */
public record TrainingChoice(String identifier, Map<String, String> paramsOverride) {
    public TrainingChoice {
        paramsOverride = Map.copyOf(paramsOverride);
    }
}
