package io.jqi.quant;

/** Identifiers that are not training methods. */
public final class QuantizerId {
    /** The identifier of every inferable (fixed-parameter) quantizer. */
    public static final String INFERABLE = "inferable_quantizer_id";

    private QuantizerId() {
    }
}
