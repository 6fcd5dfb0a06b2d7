package io.jqi.qat;

import io.jqi.ptq.WeightQuantization;
import io.jqi.quant.QuantizationMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Choices about kernels, in a QAT config or one of its layer rules. Every field is optional (null): what is not
 * set is inherited from the level above (the config, then the target platform). Disabled settings set nothing
 * else, and per-tensor settings no channel axis: such a choice would have no effect, so it is rejected rather than
 * dropped.
 *
 * @param trainingMethod the training-method identifier that selects the trainable quantizer ({@code "STE"},
 *     {@code "LSQ"} or a user's own)
 * @param method the grid
 * @param bits the bit width
 * @param perChannel per output channel (true) or per tensor (false)
 * @param channelAxis the kernel's channel axis for per-channel quantization
 * @param enabled false to keep kernels float (then nothing else may be set)
 * @param paramsOverride named options for the quantizer's constructor, as text; a name it never reads is an error
 *     (docs/quantizer-contract.md#trainable-base-class)
 */
public record WeightsSettings(String trainingMethod, QuantizationMethod method, Integer bits, Boolean perChannel,
        Integer channelAxis, Boolean enabled, Map<String, String> paramsOverride) {
    /** Nothing set. */
    public static final WeightsSettings INHERIT = new WeightsSettings(null, null, null, null, null, null, Map.of());

    public WeightsSettings {
        Settings.requireTrainingMethod(trainingMethod);
        if (bits != null) {
            io.jqi.grid.GridChecks.requireBits(bits, "Weights bits");
        }
        if (channelAxis != null && channelAxis < 0) {
            throw new IllegalArgumentException("The weights channel axis must be >= 0, got " + channelAxis);
        }
        paramsOverride = Map.copyOf(paramsOverride == null ? Map.of() : paramsOverride);
        List<String> granularity = new ArrayList<>();
        if (perChannel != null) {
            granularity.add((perChannel ? "per-channel" : "per-tensor") + " quantization");
        }
        if (channelAxis != null) {
            granularity.add("channel axis " + channelAxis);
        }
        Settings.requireNothingElseWhenDisabled(enabled, "weights",
                Settings.quantizingChoices(trainingMethod, method, bits, granularity, paramsOverride));
        if (Boolean.FALSE.equals(perChannel) && channelAxis != null) {
            throw new IllegalArgumentException("Per-tensor weights have no channel axis, so channel axis "
                    + channelAxis + " has no effect; remove one of the two");
        }
    }

    /** Whether the settings change the grid (method, bits, granularity or on/off). */
    boolean changesQuantization() {
        return method != null || bits != null || perChannel != null || channelAxis != null || enabled != null;
    }

    /**
     * Applies these settings to a node's kernel quantization {@code base} (null when the platform keeps it float).
     * {@code mayEnable} lets a layer rule quantize a kernel the platform keeps float, given a method and bits.
     */
    WeightQuantization applyTo(WeightQuantization base, String where, boolean hasKernel, boolean mayEnable) {
        if (Boolean.FALSE.equals(enabled)) {
            return null; // nothing else is set (the constructor's rule), so no choice is dropped
        }
        if (!changesQuantization()) {
            return base;
        }
        if (!hasKernel) {
            throw new IllegalArgumentException(where + " has no kernel to quantize; remove its weights settings");
        }
        if (base == null) {
            if (!mayEnable) {
                return null;
            }
            if (method == null || bits == null) {
                throw new IllegalArgumentException(where + ": the target platform keeps its kernel float, so its "
                        + "weights settings must give both a method and bits to quantize it");
            }
            base = WeightQuantization.perChannel(method, bits);
        }
        return new WeightQuantization(method != null ? method : base.method(), bits != null ? bits : base.bits(),
                perChannel != null ? perChannel : base.perChannel(),
                channelAxis != null ? channelAxis : base.channelAxis(), base.candidateBits());
    }
}
