package io.jqi.dsl

import io.jqi.qat.mixed.WeightsMemoryBudget

/**
 * The body of `mixedPrecision { }`: a weights memory budget, either [weightsMemory] (a fraction of the 8-bit memory)
 * or [weightsMemoryBytes], and the widths each quantized kernel may take.
 */
@QuantizationDsl
class MixedPrecisionScope internal constructor() {
    /** The kernels' memory as a fraction of theirs at 8 bits, in (0, 2]: 0.5 is 4 bits on average. */
    var weightsMemory: Double? = null

    /** The kernels' memory in bytes. */
    var weightsMemoryBytes: Long? = null

    /** The widths to choose from for every kernel; empty (the default): each kernel's platform candidates. */
    var candidateBits: List<Int> = emptyList()

    internal fun budget(): WeightsMemoryBudget {
        val fraction = weightsMemory
        val bytes = weightsMemoryBytes
        require((fraction == null) != (bytes == null)) {
            "mixedPrecision: give one budget, weightsMemory (a fraction of the 8-bit weight memory) or weightsMemoryBytes"
        }
        return try {
            fraction?.let { WeightsMemoryBudget.relativeTo8Bits(it) } ?: WeightsMemoryBudget.bytes(bytes!!)
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("mixedPrecision: ${e.message}", e)
        }
    }
}
