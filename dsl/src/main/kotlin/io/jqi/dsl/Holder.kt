package io.jqi.dsl

import io.jqi.quant.QuantizationMethod
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder

/**
 * A node that fake-quantizes the activation flowing through it with a fixed (inferable) quantizer:
 * ```
 * holder { powerOfTwo(bits = 8) { threshold(2f); signed() } }
 * ```
 */
fun holder(block: ActivationQuantizerScope.() -> Unit): ActivationQuantizationHolder =
    ActivationQuantizationHolder(ActivationQuantizerScope("holder").apply(block).build())

/** The body of [holder]: one activation grid. */
class ActivationQuantizerScope internal constructor(where: String) :
    InferableQuantizerScope<InferableGridScope>(where) {
    /** A power-of-two threshold. */
    fun powerOfTwo(bits: Int, block: ActivationThresholdScope.() -> Unit) =
        choose(ActivationThresholdScope(QuantizationMethod.POWER_OF_TWO, bits, where), block)

    /** Any positive threshold. */
    fun symmetric(bits: Int, block: ActivationThresholdScope.() -> Unit) =
        choose(ActivationThresholdScope(QuantizationMethod.SYMMETRIC, bits, where), block)

    /** A `[min, max]` range, adjusted so that zero is on the grid. */
    fun uniform(bits: Int, block: ActivationRangeScope.() -> Unit) = choose(ActivationRangeScope(bits, where), block)
}

/** A power-of-two or symmetric activation grid: its threshold and whether it has negative levels. */
class ActivationThresholdScope internal constructor(method: QuantizationMethod, bits: Int, where: String) :
    InferableGridScope(method, bits, where) {
    private var threshold: Float? = null
    private var signed: Boolean? = null

    /** The grid's threshold: it spans `[-T, T)` when signed, `[0, T)` when unsigned. */
    fun threshold(value: Float) {
        threshold = value
    }

    /** Levels on both sides of zero. */
    fun signed() {
        signed = true
    }

    /** Levels from zero up: negative values clip to zero. */
    fun unsigned() {
        signed = false
    }

    override fun make(): InferableQuantizer {
        val t = threshold ?: throw IllegalArgumentException("give threshold(value)")
        val s = signed ?: throw IllegalArgumentException("give signed() or unsigned()")
        return if (method == QuantizationMethod.POWER_OF_TWO) {
            ActivationPOTInferableQuantizer(bits, floatArrayOf(t), s, rounding)
        } else {
            ActivationSymmetricInferableQuantizer(bits, floatArrayOf(t), s, rounding)
        }
    }
}

/** A uniform activation grid: its range. */
class ActivationRangeScope internal constructor(bits: Int, where: String) :
    InferableGridScope(QuantizationMethod.UNIFORM, bits, where) {
    private var range: Pair<Float, Float>? = null

    /** The range, before the adjustment that puts zero on the grid. */
    fun range(min: Float, max: Float) {
        range = min to max
    }

    override fun make(): InferableQuantizer {
        val (min, max) = range ?: throw IllegalArgumentException("give range(min, max)")
        return ActivationUniformInferableQuantizer(bits, floatArrayOf(min), floatArrayOf(max), rounding)
    }
}
