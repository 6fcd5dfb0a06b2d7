package io.jqi.dsl

import io.jqi.qat.mixed.ActivationMemoryBudget
import io.jqi.qat.mixed.BitOpsBudget
import io.jqi.qat.mixed.MixedPrecisionSettings
import io.jqi.qat.mixed.TotalMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryBudget

/**
 * The body of `mixedPrecision { }`: budgets on the weights memory ([weightsMemory], a fraction of the 8-bit memory, or
 * [weightsMemoryBytes]), the activation memory ([activationMemory] or [activationMemoryBytes]), both together
 * ([totalMemory] or [totalMemoryBytes]) and the bit operations ([bitOps] or [bitOpsCount]), at least one; and the widths
 * each quantized kernel and activation may take.
 */
@QuantizationDsl
class MixedPrecisionScope internal constructor() {
    /** The kernels' memory as a fraction of theirs at 8 bits, in (0, 2]: 0.5 is 4 bits on average. */
    var weightsMemory: Double? = null

    /** The kernels' memory in bytes. */
    var weightsMemoryBytes: Long? = null

    /** The quantized activations held at once, per example, as a fraction of theirs at 8 bits, in (0, 2]. */
    var activationMemory: Double? = null

    /** The quantized activations held at once, per example, in bytes. */
    var activationMemoryBytes: Long? = null

    /** The weights and activation memory together as a fraction of theirs at 8 bits, in (0, 2]. */
    var totalMemory: Double? = null

    /** The weights and activation memory together, in bytes. */
    var totalMemoryBytes: Long? = null

    /** The bit operations per example as a fraction of theirs at 8-bit weights and activations, in (0, 2]. */
    var bitOps: Double? = null

    /** The bit operations per example. */
    var bitOpsCount: Long? = null

    /** The widths to choose from for every kernel; empty (the default): each kernel's platform candidates. */
    var candidateBits: List<Int> = emptyList()

    /** The widths to choose from for every quantized activation; empty (the default): 8, 4 and 2. */
    var activationCandidateBits: List<Int> = emptyList()

    internal fun settings(): MixedPrecisionSettings = try {
        MixedPrecisionSettings(WeightsMemoryBudget.of(weightsMemory, weightsMemoryBytes),
            BitOpsBudget.of(bitOps, bitOpsCount), ActivationMemoryBudget.of(activationMemory, activationMemoryBytes),
            TotalMemoryBudget.of(totalMemory, totalMemoryBytes), candidateBits, activationCandidateBits)
    } catch (e: IllegalArgumentException) {
        throw IllegalArgumentException("mixedPrecision: ${e.message}", e)
    }
}
