package io.jqi.quant;

/**
 * The training-method identifiers jqi ships. The set is open: any other non-blank string in
 * {@link MarkQuantizer#identifier()} names a user's own method, found by the registry exactly like these.
 */
public final class TrainingMethod {
    /** Straight-through estimator. */
    public static final String STE = "STE";
    /** Learned step-size quantization. */
    public static final String LSQ = "LSQ";

    private TrainingMethod() {
    }
}
