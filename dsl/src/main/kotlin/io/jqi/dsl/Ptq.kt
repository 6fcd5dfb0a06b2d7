package io.jqi.dsl

import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig

/** The body of `ptq { }`: how thresholds are chosen before training. Unset properties keep the reference's defaults. */
@QuantizationDsl
class PtqScope internal constructor() {
    private val defaults = PtqConfig.defaults()

    /** How kernel thresholds and ranges are scored. */
    var weightsErrorMethod: ErrorMethod = defaults.weightsErrorMethod()

    /** How activation thresholds and ranges are scored. */
    var activationErrorMethod: ErrorMethod = defaults.activationErrorMethod()

    /** The `p` of [ErrorMethod.LP]. */
    var lpValue: Double = defaults.lpValue()

    /** The smallest threshold a search may return. */
    var minThreshold: Float = defaults.minThreshold()

    /** Whether biases absorb the mean output shift that weight quantization causes. */
    var biasCorrection: Boolean = defaults.weightsBiasCorrection()

    /** Whether non-linearities with a small negative tail feeding a linear layer are shifted to quantize unsigned. */
    var shiftNegativeCorrection: Boolean = defaults.shiftNegativeCorrection()

    /** Whether each corrected non-linearity's shift and threshold are searched together (needs the correction). */
    var shiftNegativeParamsSearch: Boolean = defaults.shiftNegativeParamsSearch()

    internal fun build(): PtqConfig =
        try {
            PtqConfig(weightsErrorMethod, activationErrorMethod, lpValue, minThreshold, biasCorrection,
                shiftNegativeCorrection, shiftNegativeParamsSearch)
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("ptq: ${e.message}", e)
        }
}
