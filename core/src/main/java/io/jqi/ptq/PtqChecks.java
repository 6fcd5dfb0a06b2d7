package io.jqi.ptq;

import io.jqi.quant.QuantizationMethod;

/** Argument checks shared by the threshold and range selections, with messages that say what to change. */
final class PtqChecks {
    private PtqChecks() {
    }

    static void requireThresholdMethod(QuantizationMethod method) {
        if (method != QuantizationMethod.POWER_OF_TWO && method != QuantizationMethod.SYMMETRIC) {
            throw new IllegalArgumentException("A threshold is chosen for POWER_OF_TWO or SYMMETRIC quantization, got "
                    + method + (method == QuantizationMethod.UNIFORM ? " (use range() for UNIFORM)" : ""));
        }
    }

    static void requireErrorMethod(ErrorMethod error) {
        if (error == null) {
            throw new IllegalArgumentException("An error method is required (NOCLIPPING, MSE, MAE or LP)");
        }
    }

    static void requireMinThreshold(float minThreshold) {
        if (!(minThreshold > 0f) || Float.isInfinite(minThreshold)) {
            throw new IllegalArgumentException("minThreshold must be a positive finite number (the reference uses "
                    + "2^-16), got " + minThreshold);
        }
    }
}
