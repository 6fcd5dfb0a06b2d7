package io.jqi.ptq;

/**
 * Told after every model run of a sensitivity measurement ({@link WeightSensitivity}, {@link ActivationSensitivity}),
 * each a forward pass over the representative batches: on a large model the measurement takes minutes, and a caller
 * shows how far it is.
 */
@FunctionalInterface
public interface SensitivityProgress {
    /** Tells nothing. */
    SensitivityProgress NONE = (what, done, total) -> { };

    /**
     * @param what what is measured: "kernels" or "activations"
     * @param done the runs finished
     * @param total the runs the measurement makes
     */
    void measured(String what, int done, int total);
}
