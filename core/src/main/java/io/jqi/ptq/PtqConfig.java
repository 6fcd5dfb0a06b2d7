package io.jqi.ptq;

/**
 * How post-training quantization chooses thresholds (the reference's {@code QuantizationConfig}, for the parts jqi
 * implements). {@link #defaults()} are the reference's defaults (docs/quantizer-contract.md#ptq-defaults).
 *
 * @param weightsErrorMethod how kernel thresholds and ranges are scored
 * @param activationErrorMethod how activation thresholds and ranges are scored
 * @param lpValue the {@code p} of {@link ErrorMethod#LP}
 * @param minThreshold the smallest threshold a search may return
 * @param weightsBiasCorrection whether biases absorb the mean output shift that weight quantization causes
 * @param shiftNegativeCorrection whether non-linearities with a small negative tail that feed a linear layer are
 *     shifted to quantize unsigned (docs/quantizer-contract.md#shift-negative-correction)
 * @param shiftNegativeParamsSearch whether a corrected non-linearity's shift and its grid's threshold are searched
 *     together (the reference's {@code shift_negative_params_search}); needs {@code shiftNegativeCorrection}
 */
public record PtqConfig(ErrorMethod weightsErrorMethod, ErrorMethod activationErrorMethod, double lpValue,
        float minThreshold, boolean weightsBiasCorrection, boolean shiftNegativeCorrection,
        boolean shiftNegativeParamsSearch) {
    /** MCT's {@code MIN_THRESHOLD}. */
    public static final float DEFAULT_MIN_THRESHOLD = 0x1p-16f;

    public PtqConfig {
        if (weightsErrorMethod == null || activationErrorMethod == null) {
            throw new IllegalArgumentException("PTQ needs an error method for weights and for activations "
                    + "(NOCLIPPING, MSE, MAE or LP)");
        }
        if (!(lpValue >= 1.0) || Double.isInfinite(lpValue)) {
            throw new IllegalArgumentException("l_p_value must be a finite number >= 1, got " + lpValue);
        }
        if (!(minThreshold > 0f) || Float.isInfinite(minThreshold)) {
            throw new IllegalArgumentException("min_threshold must be a positive finite number, got " + minThreshold);
        }
        if (shiftNegativeParamsSearch && !shiftNegativeCorrection) {
            throw new IllegalArgumentException("shift_negative_params_search searches the shifts of shift-negative "
                    + "correction, which is off; turn on shift_negative_correction too");
        }
    }

    /** Without the search of the shift's parameters. */
    public PtqConfig(ErrorMethod weightsErrorMethod, ErrorMethod activationErrorMethod, double lpValue,
            float minThreshold, boolean weightsBiasCorrection, boolean shiftNegativeCorrection) {
        this(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, weightsBiasCorrection,
                shiftNegativeCorrection, false);
    }

    /** Without shift-negative correction. */
    public PtqConfig(ErrorMethod weightsErrorMethod, ErrorMethod activationErrorMethod, double lpValue,
            float minThreshold, boolean weightsBiasCorrection) {
        this(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, weightsBiasCorrection, false);
    }

    /** MSE for both, p = 2, min threshold 2^-16, bias correction on, shift-negative correction off (and its search). */
    public static PtqConfig defaults() {
        return new PtqConfig(ErrorMethod.MSE, ErrorMethod.MSE, 2.0, DEFAULT_MIN_THRESHOLD, true, false, false);
    }

    public PtqConfig withWeightsErrorMethod(ErrorMethod method) {
        return new PtqConfig(method, activationErrorMethod, lpValue, minThreshold, weightsBiasCorrection,
                shiftNegativeCorrection, shiftNegativeParamsSearch);
    }

    public PtqConfig withActivationErrorMethod(ErrorMethod method) {
        return new PtqConfig(weightsErrorMethod, method, lpValue, minThreshold, weightsBiasCorrection,
                shiftNegativeCorrection, shiftNegativeParamsSearch);
    }

    public PtqConfig withLpValue(double p) {
        return new PtqConfig(weightsErrorMethod, activationErrorMethod, p, minThreshold, weightsBiasCorrection,
                shiftNegativeCorrection, shiftNegativeParamsSearch);
    }

    public PtqConfig withMinThreshold(float threshold) {
        return new PtqConfig(weightsErrorMethod, activationErrorMethod, lpValue, threshold, weightsBiasCorrection,
                shiftNegativeCorrection, shiftNegativeParamsSearch);
    }

    public PtqConfig withWeightsBiasCorrection(boolean on) {
        return new PtqConfig(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, on,
                shiftNegativeCorrection, shiftNegativeParamsSearch);
    }

    /** With or without shift-negative correction; turning it off turns its parameter search off too. */
    public PtqConfig withShiftNegativeCorrection(boolean on) {
        return new PtqConfig(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, weightsBiasCorrection,
                on, on && shiftNegativeParamsSearch);
    }

    public PtqConfig withShiftNegativeParamsSearch(boolean on) {
        return new PtqConfig(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, weightsBiasCorrection,
                shiftNegativeCorrection, on);
    }
}
