package io.jqi.dsl

import io.jqi.qat.mixed.MixedPrecisionSettings

/**
 * The body of `mixedPrecision { }`: a weights memory budget, [weightsMemory] (a fraction of the 8-bit memory) or
 * [weightsMemoryBytes]; a bit-operations budget, [bitOps] (a fraction of the 8-bit bit operations) or [bitOpsCount];
 * at least one budget; and the widths each quantized kernel may take.
 */
@QuantizationDsl
class MixedPrecisionScope internal constructor() {
    /** The kernels' memory as a fraction of theirs at 8 bits, in (0, 2]: 0.5 is 4 bits on average. */
    var weightsMemory: Double? = null

    /** The kernels' memory in bytes. */
    var weightsMemoryBytes: Long? = null

    /** The bit operations per example as a fraction of theirs at 8-bit weights and activations, in (0, 2]. */
    var bitOps: Double? = null

    /** The bit operations per example. */
    var bitOpsCount: Long? = null

    /** The widths to choose from for every kernel; empty (the default): each kernel's platform candidates. */
    var candidateBits: List<Int> = emptyList()

    internal fun settings(): MixedPrecisionSettings = try {
        MixedPrecisionSettings.of(weightsMemory, weightsMemoryBytes, bitOps, bitOpsCount, candidateBits)
    } catch (e: IllegalArgumentException) {
        throw IllegalArgumentException("mixedPrecision: ${e.message}", e)
    }
}
