package io.jqi.examples

import io.jqi.grid.PowerOfTwo
import io.jqi.quant.MarkQuantizer
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.QuantizerHost
import io.jqi.quant.QuantizerSpec
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.InferableQuantizers
import io.jqi.quant.trainable.LearnedBitWidth
import io.jqi.quant.trainable.QuantizerOptions
import io.jqi.quant.trainable.TrainableQuantizer
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import java.util.SplittableRandom
import kotlin.math.exp
import kotlin.math.ln
import kotlin.math.pow

/**
 * HMQ (Habi et al., ECCV 2020) as a user's weight quantizer (docs/custom-quantizers.md#a-quantizer-that-learns-its-bit-width):
 * a threshold quantizer that learns its bit width and its threshold. Its candidates are every pair of a width in
 * {8, 4, 2} (up to the config's) and a threshold `T / 2^k`, `k` in {0, 1, 2}, where `T` is the PTQ threshold (for
 * POWER_OF_TWO, as in the paper, rounded up to a power of two); learnable logits say which pair to use.
 *
 * Training draws a Gumbel-softmax sample `pi = softmax((s * logits + g) / tau)` and outputs `sum_i pi_i * q_i(w)`,
 * each `q_i` exact and passing its gradient straight through to `w`; the temperature `tau` falls geometrically from 1
 * to `final_temperature` over `anneal_steps` training steps, so the mixture hardens into one candidate. Outside
 * training, and once finalized, the quantizer is the candidate of the largest logit. The expected width
 * ([expectedBits]) lets `WeightsMemoryPenalty` hold the model to a memory budget.
 *
 * Options (QAT config overrides): `anneal_steps` (default 2000), `final_temperature` (0.05) and `logit_scale`
 * (`s`, default 10: Adam moves a parameter by about the learning rate per step, and QAT's small rate alone would
 * not separate the logits beyond the noise within a few thousand steps).
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = [QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC],
    identifier = "HMQ")
class HmqWeightQuantizer(config: TrainableQuantizerWeightsConfig, options: QuantizerOptions) :
    TrainableQuantizer(config, false), LearnedBitWidth {

    constructor(config: TrainableQuantizerWeightsConfig) : this(config, QuantizerOptions.none())

    private val annealSteps = options.integer("anneal_steps", 2000)
    private val finalTemperature = options.number("final_temperature", 0.05)
    private val logitScale = options.number("logit_scale", 10.0).toFloat()

    /** The candidates' widths and threshold shifts, in the logits' order. */
    private val widths = CANDIDATE_BITS.filter { it <= config.nBits() }
    private val candidates: List<Pair<Int, Int>> = widths.flatMap { b -> SHIFTS.map { k -> b to k } }
    private val bitsPerCandidate = Tensor.vector(*FloatArray(candidates.size) { candidates[it].first.toFloat() })

    private lateinit var logits: Tensor
    private lateinit var step: Tensor
    private lateinit var quantizers: List<InferableQuantizer>
    private var noiseSeed = 0L

    init {
        require(annealSteps >= 1) { "HMQ's anneal_steps must be at least 1, got $annealSteps" }
        require(finalTemperature > 0 && finalTemperature <= 1) {
            "HMQ's final_temperature must be in (0, 1], got $finalTemperature"
        }
        require(logitScale > 0) { "HMQ's logit_scale must be above 0, got $logitScale" }
        require(widths.isNotEmpty()) { "HMQ needs a config of at least 2 bits, got ${config.nBits()}" }
    }

    override fun config(): TrainableQuantizerWeightsConfig = super.config() as TrainableQuantizerWeightsConfig

    override fun initializeQuantization(shape: Shape?, name: String, host: QuantizerHost) {
        val c = config()
        val base = c.params().threshold().map {
            if (c.method() == QuantizationMethod.POWER_OF_TWO) PowerOfTwo.roundUp(maxOf(it, c.minThreshold())) else it
        }
        quantizers = candidates.map { (bits, shift) ->
            val spec = c.spec().let { QuantizerSpec(it.target(), it.method(), bits, it.signed(), it.channelAxis(), it.rounding()) }
            InferableQuantizers.symmetric(spec, base.map { it / (1 shl shift) }.toFloatArray())
        }
        logits = Tensor.zeros(candidates.size).requiresGrad(true)
        step = Tensor.vector(0f)
        addQuantizerVariable(host, "${name}_hmq_logits", logits)
        addQuantizerVariable(host, "${name}_hmq_step", step)
        // Every layer's weights are named "weight": the shape and thresholds tell layers apart, the same on every run.
        noiseSeed = 31L * (shape?.toString()?.hashCode() ?: 0) + base.hashCode()
    }

    override fun forward(x: Tensor, training: Boolean): Tensor {
        if (!training) return chosen().quantize(x)
        val t = step.item().toInt()
        val noise = Tensor.vector(*gumbel(t)).to(logits.device())
        val pi = logits.mul(logitScale).add(noise).div(temperature(t)).softmax(0)
        var y: Tensor? = null
        for (i in quantizers.indices) {
            val qi = Tensor.straightThrough(quantizers[i].quantize(x), x).mul(pi.narrow(0, i, 1))
            y = y?.add(qi) ?: qi
        }
        step.assign(Tensor.vector(t + 1f))
        return y!!
    }

    /** `sum_i softmax(s * logits / tau)_i * bits_i` at the current temperature, without the sampling noise. */
    override fun expectedBits(): Tensor =
        logits.mul(logitScale).div(temperature(step.item().toInt())).softmax(0)
            .mul(bitsPerCandidate.to(logits.device())).sum()

    /**
     * Each width's share of `softmax(s * logits)`, summed over its thresholds: at temperature 1, whose preferences stay
     * graded where the annealed softmax is all or nothing.
     */
    override fun widthLogProbabilities(): Map<Int, Double> {
        val a = logits.toFloatArray().map { it.toDouble() * logitScale }
        val all = logSumExp(a)
        return widths.associateWith { b -> logSumExp(a.filterIndexed { i, _ -> candidates[i].first == b }) - all }
    }

    private fun logSumExp(values: List<Double>): Double {
        val max = values.max()
        return max + ln(values.sumOf { exp(it - max) })
    }

    /** Rules out the other widths' candidates by pushing their logits far below the rest. */
    override fun chooseBits(bits: Int) {
        require(bits in widths) { "HMQ has no $bits-bit candidate; its widths are $widths" }
        val values = logits.toFloatArray()
        candidates.forEachIndexed { i, (b, _) -> if (b != bits) values[i] = RULED_OUT }
        logits.assign(Tensor.vector(*values))
    }

    override fun convertToInferable(): InferableQuantizer = chosen()

    /** The candidate of the largest logit (the first of equals). */
    private fun chosen(): InferableQuantizer {
        val values = logits.toFloatArray()
        return quantizers[values.indices.maxByOrNull { values[it] }!!]
    }

    private fun temperature(t: Int): Float =
        finalTemperature.pow(minOf(t, annealSteps).toDouble() / annealSteps).toFloat()

    /** Gumbel(0, 1) noise for step [t], the same on every run and after a resume. */
    private fun gumbel(t: Int): FloatArray {
        val random = SplittableRandom(noiseSeed * 1_000_003L + t)
        return FloatArray(candidates.size) { -ln(-ln(random.nextDouble(1e-12, 1.0))).toFloat() }
    }

    private companion object {
        val CANDIDATE_BITS = listOf(8, 4, 2)   // widest first: equal logits choose 8 bits at the PTQ threshold
        val SHIFTS = listOf(0, 1, 2)
        const val RULED_OUT = -1e4f
    }
}
