package io.jqi.cli.report

import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.ptq.QuantizationPlan
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.WeightsInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.quant.trainable.TrainableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor

/** Reads the quantizers of a quantized [GraphModel] into [LayerRecord]s. */
object LayerRecords {
    /** Bins of the kernel histograms. */
    const val HISTOGRAM_BINS = 60

    /** The kind of a record for a quantized model input. */
    const val INPUT_KIND = "input"

    /**
     * One record per quantized node of [model], in execution order: each [QuantizationWrapper] with its kernel's
     * quantizer and a histogram of its float kernel, and each [ActivationQuantizationHolder] attached to the record
     * of the node it follows (a holder after a model input is a record of its own, of kind [INPUT_KIND]).
     *
     * Meant for a finalized model (inferable quantizers); a trainable quantizer is read through its current
     * inferable form, and a quantizer of any other class is recorded by class name with null parameters.
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
        return when (val q = inferable(quantizers.getValue(attribute))) {
            is WeightsSymmetricInferableQuantizer -> weightRecord(q, histogram, thresholds = q.threshold().toList())
            is WeightsLUTSymmetricInferableQuantizer -> weightRecord(q, histogram, thresholds = q.threshold().toList())
            is WeightsUniformInferableQuantizer ->
                weightRecord(q, histogram, rangeMin = q.minRange().toList(), rangeMax = q.maxRange().toList())
            is WeightsInferableQuantizer -> weightRecord(q, histogram)
            else -> WeightRecord(method = quantizers.getValue(attribute).javaClass.name, histogram = histogram)
        }
    }

    private fun weightRecord(
        q: WeightsInferableQuantizer, histogram: HistogramRecord?, thresholds: List<Float>? = null,
        rangeMin: List<Float>? = null, rangeMax: List<Float>? = null,
    ) = WeightRecord(
        method = q.method().name, bits = q.numBits(), perChannel = q.perChannel(),
        channelAxis = if (q.channelAxis().isPresent) q.channelAxis().asInt else null,
        thresholds = thresholds, rangeMin = rangeMin, rangeMax = rangeMax, histogram = histogram,
    )

    private fun activation(quantizer: FakeQuantizer): ActivationRecord =
        when (val q = inferable(quantizer)) {
            is ActivationSymmetricInferableQuantizer ->
                ActivationRecord(q.method().name, q.numBits(), signed = q.signed(), threshold = q.threshold())
            is ActivationLutPOTInferableQuantizer ->
                ActivationRecord(q.method().name, q.numBits(), signed = q.signed(), threshold = q.threshold())
            is ActivationUniformInferableQuantizer ->
                ActivationRecord(q.method().name, q.numBits(), rangeMin = q.minRange(), rangeMax = q.maxRange())
            is InferableQuantizer -> ActivationRecord(q.method().name, q.numBits())
            else -> ActivationRecord(method = quantizer.javaClass.name)
        }

    /** [q] itself, a trainable quantizer's current inferable form, or [q] unchanged when it has none. */
    private fun inferable(q: FakeQuantizer): FakeQuantizer = when (q) {
        is TrainableQuantizer -> try {
            Tensor.noGrad().use { q.convertToInferable() }
        } catch (e: RuntimeException) {
            q
        }
        else -> q
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
