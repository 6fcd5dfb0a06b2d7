package io.jqi.cli.report

import io.jqi.grid.Grid
import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.ptq.QuantizationPlan
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.QuantizerConfig
import io.jqi.quant.trainable.TrainableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor

/**
 * Reads the quantizers of a quantized [GraphModel] into [LayerRecord]s. Every inferable quantizer, jqi's or a user's
 * own, is read the same way: method, bits and channels from its `spec()`, thresholds and ranges from its configuration
 * under the reference's keys (docs/quantizer-contract.md#inferable-json-config), grid lines from its `grid()`.
 */
object LayerRecords {
    /** Bins of the kernel histograms. */
    const val HISTOGRAM_BINS = 60

    /** The most values a [GridRecord] lists; a channel with more is recorded by its lowest and highest. */
    const val MAX_GRID_VALUES = 64

    /** The kind of a record for a quantized model input. */
    const val INPUT_KIND = "input"

    // The configuration keys the records read: the reference's, which any quantizer may write.
    private const val THRESHOLD = "threshold"
    private const val MIN_RANGE = "min_range"
    private const val MAX_RANGE = "max_range"

    /**
     * One record per quantized node of [model], in execution order: each [QuantizationWrapper] with its kernel's
     * quantizer and a histogram of its float kernel, and each [ActivationQuantizationHolder] attached to the record
     * of the node it follows (a holder after a model input is a record of its own, of kind [INPUT_KIND]).
     *
     * Meant for a finalized model (inferable quantizers); a trainable quantizer is read through its current
     * inferable form, and a quantizer that has none is recorded by class name with null parameters.
     */
    @JvmStatic
    fun of(model: GraphModel): List<LayerRecord> {
        val records = LinkedHashMap<String, LayerRecord>()
        for (name in model.nodeNames()) {
            when (val module = model.node(name)) {
                is QuantizationWrapper -> {
                    val record = records[name] ?: LayerRecord(name, kindOf(module))
                    records[name] = record.copy(weights = weights(module))
                }
                is ActivationQuantizationHolder -> {
                    val follows = model.nodeInputs(name).first()
                    val target = if (name.endsWith(QuantizationPlan.HOLDER_SUFFIX)) follows else name
                    val kind = when {
                        model.inputNames().contains(target) -> INPUT_KIND
                        target == name -> kindOf(module)
                        else -> kindOf(model.node(target))
                    }
                    val record = records[target] ?: LayerRecord(target, kind)
                    records[target] = record.copy(activation = activation(module.quantizer()))
                }
                else -> {}
            }
        }
        // Inputs' records first, then nodes in execution order.
        val order = model.inputNames() + model.nodeNames()
        return order.mapNotNull { records[it] }
    }

    private fun kindOf(module: Module): String = when (module) {
        is QuantizationWrapper -> module.layer().javaClass.simpleName
        else -> module.javaClass.simpleName
    }

    private fun weights(wrapper: QuantizationWrapper): WeightRecord? {
        val quantizers = wrapper.weightQuantizers()
        if (quantizers.isEmpty()) return null
        val attribute = if ("weight" in quantizers) "weight" else quantizers.keys.first()
        val kernel = wrapper.layer().namedParameters()[attribute]
        val histogram = kernel?.let { histogram(it.toFloatArray()) }
        val quantizer = quantizers.getValue(attribute)
        val q = inferable(quantizer) ?: return WeightRecord(method = quantizer.javaClass.name, histogram = histogram)
        val spec = q.spec()
        val config = ConfigValues.of(q)
        return WeightRecord(
            method = spec.method().name, bits = spec.bits(), perChannel = spec.perChannel(),
            channelAxis = spec.channelAxis(), thresholds = config.numbers(THRESHOLD),
            rangeMin = config.numbers(MIN_RANGE), rangeMax = config.numbers(MAX_RANGE), grid = grid(q.grid()),
            histogram = histogram,
        )
    }

    /**
     * The values of [grid]'s median channel, the one whose output range is the median width (for a symmetric or LUT
     * grid, the channel of median threshold); a per-tensor grid's only channel has no index. Distinct, as a LUT may
     * repeat a level.
     */
    private fun grid(grid: Grid): GridRecord {
        val perChannel = grid.channels() > 1
        val widths = List(grid.channels()) { c -> grid.values(c).let { it.last().toDouble() - it.first() } }
        val channel = if (perChannel) medianIndex(widths) else 0
        val values = grid.values(channel).distinct()
        val drawn = if (values.size <= MAX_GRID_VALUES) values else listOf(values.first(), values.last())
        return GridRecord(channel = if (perChannel) channel else null, levels = values.size, values = drawn)
    }

    /** The index of the median of [values] (the lower median for an even count). */
    private fun medianIndex(values: List<Double>): Int = values.indices.sortedBy { values[it] }[(values.size - 1) / 2]

    /**
     * The record of an activation quantizer: [ActivationRecord.signed] goes with a threshold, saying whether the grid
     * spans `[-T, T)` or `[0, T)`; a range carries its own sign.
     */
    private fun activation(quantizer: FakeQuantizer): ActivationRecord {
        val q = inferable(quantizer) ?: return ActivationRecord(method = quantizer.javaClass.name)
        val spec = q.spec()
        val config = ConfigValues.of(q)
        val threshold = config.numbers(THRESHOLD)?.singleOrNull()
        return ActivationRecord(
            method = spec.method().name, bits = spec.bits(), signed = spec.signed().takeIf { threshold != null },
            threshold = threshold, rangeMin = config.numbers(MIN_RANGE)?.singleOrNull(),
            rangeMax = config.numbers(MAX_RANGE)?.singleOrNull(),
        )
    }

    /** [q] itself, a trainable quantizer's current inferable form, or null for a quantizer that has neither. */
    private fun inferable(q: FakeQuantizer): InferableQuantizer? = when (q) {
        is InferableQuantizer -> q
        is TrainableQuantizer -> try {
            Tensor.noGrad().use { q.convertToInferable() }
        } catch (e: RuntimeException) {
            null
        }
        else -> null
    }

    /**
     * A histogram of the finite values among [values] in [bins] equal bins over their range (widened to a unit
     * interval around a constant), or null when there are none.
     */
    @JvmStatic
    @JvmOverloads
    fun histogram(values: FloatArray, bins: Int = HISTOGRAM_BINS): HistogramRecord? {
        require(bins >= 1) { "a histogram needs at least one bin, got $bins" }
        var lo = Float.POSITIVE_INFINITY
        var hi = Float.NEGATIVE_INFINITY
        for (v in values) {
            if (v.isFinite()) {
                if (v < lo) lo = v
                if (v > hi) hi = v
            }
        }
        if (lo > hi) return null
        if (lo == hi) {
            val pad = maxOf(kotlin.math.abs(lo) * 0.05f, 0.5f)
            lo -= pad
            hi += pad
        }
        val width = (hi.toDouble() - lo.toDouble()) / bins
        val counts = LongArray(bins)
        for (v in values) {
            if (v.isFinite()) {
                val i = ((v.toDouble() - lo) / width).toInt().coerceIn(0, bins - 1)
                counts[i]++
            }
        }
        val edges = List(bins + 1) { i -> if (i == bins) hi else (lo + i * width).toFloat() }
        return HistogramRecord(edges, counts.toList())
    }
}

/** A quantizer's configuration captured by key, for reading back the values the records hold. */
private class ConfigValues : QuantizerConfig.Writer {
    private val values = HashMap<String, Any?>()

    override fun put(key: String, value: Int) {
        values[key] = value
    }

    override fun putOptional(key: String, value: Int?) {
        values[key] = value
    }

    override fun put(key: String, value: Boolean) {
        values[key] = value
    }

    override fun put(key: String, value: Float) {
        values[key] = value
    }

    override fun put(key: String, value: FloatArray) {
        values[key] = value.clone()
    }

    override fun put(key: String, value: Enum<*>) {
        values[key] = value
    }

    /** The numbers under [key] (a single number as a list of one), or null when it holds none. */
    fun numbers(key: String): List<Float>? = when (val v = values[key]) {
        is FloatArray -> v.toList()
        is Float -> listOf(v)
        else -> null
    }

    companion object {
        fun of(q: InferableQuantizer): ConfigValues = ConfigValues().also(q::writeConfig)
    }
}
