package io.jqi.qat;

import io.jqi.ptq.ActivationQuantization;
import io.jqi.ptq.Signedness;
import io.jqi.quant.QuantizationMethod;
import java.util.List;
import java.util.Map;

/**
 * Choices about output activations, in a QAT config or one of its layer rules. Every field is optional (null):
 * what is not set is inherited from the level above (the config, then the target platform). Disabled settings set
 * nothing else: such a choice would have no effect, so it is rejected rather than dropped.
 *
 * @param trainingMethod the training-method identifier that selects the trainable quantizer
 * @param method the grid
 * @param bits the bit width
 * @param signedness signed, unsigned or decided from statistics
 * @param enabled false to keep the outputs float (then nothing else may be set)
 * @param paramsOverride named options for the quantizer's constructor, as text; a name it never reads is an error
 *     (docs/quantizer-contract.md#trainable-base-class)
 */
public record ActivationsSettings(String trainingMethod, QuantizationMethod method, Integer bits,
        Signedness signedness, Boolean enabled, Map<String, String> paramsOverride) {
    /** Nothing set. */
    public static final ActivationsSettings INHERIT = new ActivationsSettings(null, null, null, null, null, Map.of());

    public ActivationsSettings {
        Settings.requireTrainingMethod(trainingMethod);
        if (bits != null) {
            io.jqi.grid.GridChecks.requireBits(bits, "Activation bits");
        }
        paramsOverride = Map.copyOf(paramsOverride == null ? Map.of() : paramsOverride);
        Settings.requireNothingElseWhenDisabled(enabled, "activations", Settings.quantizingChoices(trainingMethod,
                method, bits, signedness == null ? List.of() : List.of("signedness " + signedness), paramsOverride));
    }

    boolean changesQuantization() {
        return method != null || bits != null || signedness != null || enabled != null;
    }

    /**
     * Applies these settings to a node's output quantization {@code base} (null when the platform keeps it float).
     * {@code mayEnable} lets a layer rule quantize an output the platform keeps float, given a method and bits.
     */
    ActivationQuantization applyTo(ActivationQuantization base, String where, boolean mayEnable) {
        if (Boolean.FALSE.equals(enabled)) {
            return null; // nothing else is set (the constructor's rule), so no choice is dropped
        }
        if (!changesQuantization()) {
            return base;
        }
        if (base == null) {
            if (!mayEnable) {
                return null;
            }
            if (method == null || bits == null) {
                throw new IllegalArgumentException(where + ": the target platform keeps its output float, so its "
                        + "activation settings must give both a method and bits to quantize it");
            }
            base = ActivationQuantization.of(method, bits);
        }
        return new ActivationQuantization(method != null ? method : base.method(), bits != null ? bits : base.bits(),
                signedness != null ? signedness : base.signedness(), base.candidateBits());
    }
}
