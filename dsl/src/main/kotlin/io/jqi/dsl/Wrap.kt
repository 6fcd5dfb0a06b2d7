package io.jqi.dsl

import io.jqi.nn.Module
import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.WeightThresholds
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.quant.wrap.NodeQuantizationDispatcher
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor

/** The LP exponent WeightThresholds asks for; NOCLIPPING ignores it. */
private const val UNUSED_P = 2.0

/**
 * [layer] running on weights fake-quantized by fixed (inferable) quantizers, built through a
 * [NodeQuantizationDispatcher]:
 * ```
 * wrap(conv) { weight("weight") { symmetric(bits = 8) { perChannel(axis = 0); threshold(0.5f, 0.25f, 1f) } } }
 * ```
 */
fun wrap(layer: Module, block: WrapScope.() -> Unit): QuantizationWrapper {
    val scope = WrapScope(layer).apply(block)
    require(scope.dispatcher.isWeightsQuantization) {
        "wrap(${layer.javaClass.simpleName}) quantizes no weight; add weight(\"weight\") { ... } for each parameter " +
            "to quantize"
    }
    return QuantizationWrapper.of(layer, scope.dispatcher)
}

/** The body of [wrap]: one `weight(attribute) { }` per quantized parameter. */
@QuantizationDsl
class WrapScope internal constructor(private val layer: Module) {
    internal val dispatcher = NodeQuantizationDispatcher()

    /** The quantizer of the layer's own parameter [attribute], such as `"weight"`. */
    fun weight(attribute: String, block: WeightQuantizerScope.() -> Unit) {
        val where = "wrap(${layer.javaClass.simpleName}) weight '$attribute'"
        val own = layer.namedParameters().filterKeys { '.' !in it }
        val tensor = own[attribute]
            ?: throw IllegalArgumentException("$where: the layer has no such parameter; its parameters are ${own.keys}")
        dispatcher.weight(attribute, WeightQuantizerScope(where, tensor).apply(block).build())
    }
}

/** The body of `weight(attribute) { }`: one weight grid. */
class WeightQuantizerScope internal constructor(where: String, private val weight: Tensor) :
    InferableQuantizerScope<WeightsGridOptions>(where) {

    /** Power-of-two thresholds. */
    fun powerOfTwo(bits: Int, block: WeightThresholdScope.() -> Unit) =
        choose(WeightThresholdScope(QuantizationMethod.POWER_OF_TWO, bits, where, weight), block)

    /** Any positive thresholds. */
    fun symmetric(bits: Int, block: WeightThresholdScope.() -> Unit) =
        choose(WeightThresholdScope(QuantizationMethod.SYMMETRIC, bits, where, weight), block)

    /** A `[min, max]` range, adjusted so that zero is on the grid. */
    fun uniform(bits: Int, block: WeightRangeScope.() -> Unit) = choose(WeightRangeScope(bits, where, weight), block)
}

/** Per tensor (the default) or per channel, checked against the weight's shape. */
sealed class WeightsGridOptions(method: QuantizationMethod, bits: Int, where: String, internal val weight: Tensor) :
    InferableGridScope(method, bits, where) {
    internal var axis: Int? = null
        private set

    /** One threshold or range per channel along [axis] (jqi kernels are `[out, in, ...]`: 0 is the output channel). */
    fun perChannel(axis: Int = 0) {
        this.axis = axis
    }

    /** One threshold or range for the whole weight. */
    fun perTensor() {
        axis = null
    }

    /** Checks that [name] has one value per tensor, or one per channel on the axis. */
    internal fun requireCount(name: String, count: Int) {
        val shape = weight.shape()
        val axis = axis
        if (axis == null) {
            require(count == 1) {
                "$name has $count values per tensor; give one, or call perChannel(axis) for one per channel"
            }
        } else {
            val channels = shape.dim(axis)
            require(count == channels) {
                "$name has $count values for $channels channels on axis $axis of shape $shape; give one per channel"
            }
        }
    }
}

/** A power-of-two or symmetric weight grid: its thresholds, given or measured. */
class WeightThresholdScope internal constructor(method: QuantizationMethod, bits: Int, where: String, weight: Tensor) :
    WeightsGridOptions(method, bits, where, weight) {
    // Measured lazily, so that fromWeights() sees the channel axis whatever the order of the calls.
    private var threshold: (() -> FloatArray)? = null

    /** One threshold, or one per channel after [perChannel]. */
    fun threshold(vararg values: Float) {
        val t = values.copyOf()
        threshold = { t }
    }

    /** The thresholds that just cover the weight (per tensor or per channel), as PTQ's NOCLIPPING picks them. */
    fun fromWeights() {
        threshold = {
            WeightThresholds.threshold(weight, method, ErrorMethod.NOCLIPPING, bits, axis != null, axis ?: 0, UNUSED_P,
                PtqConfig.DEFAULT_MIN_THRESHOLD)
        }
    }

    override fun make(): InferableQuantizer {
        val t = threshold?.invoke() ?: throw IllegalArgumentException("give threshold(...): one value, or one per " +
            "channel after perChannel(axis); or fromWeights()")
        requireCount("threshold", t.size)
        return if (method == QuantizationMethod.POWER_OF_TWO) {
            WeightsPOTInferableQuantizer(bits, t, axis != null, axis, null, rounding)
        } else {
            WeightsSymmetricInferableQuantizer(bits, t, axis != null, axis, null, rounding)
        }
    }
}

/** A uniform weight grid: its ranges, given or measured. */
class WeightRangeScope internal constructor(bits: Int, where: String, weight: Tensor) :
    WeightsGridOptions(QuantizationMethod.UNIFORM, bits, where, weight) {
    // {min, max}, measured lazily as in WeightThresholdScope.
    private var range: (() -> Array<FloatArray>)? = null

    /** One range for the whole weight. */
    fun range(min: Float, max: Float) = range(floatArrayOf(min), floatArrayOf(max))

    /** One range per channel, after [perChannel]. */
    fun range(min: FloatArray, max: FloatArray) {
        val r = arrayOf(min.copyOf(), max.copyOf())
        range = { r }
    }

    /**
     * The ranges PTQ's NOCLIPPING picks from the weight (per tensor or per channel). A channel of zeros has no
     * range, and is an error: give that weight's ranges explicitly.
     */
    fun fromWeights() {
        range = { WeightThresholds.range(weight, ErrorMethod.NOCLIPPING, bits, axis != null, axis ?: 0, UNUSED_P) }
    }

    override fun make(): InferableQuantizer {
        val (lo, hi) = range?.invoke() ?: throw IllegalArgumentException("give range(min, max): one range, or one " +
            "per channel after perChannel(axis); or fromWeights()")
        requireCount("range", lo.size)
        return WeightsUniformInferableQuantizer(bits, lo, hi, axis != null, axis, null, rounding)
    }
}
