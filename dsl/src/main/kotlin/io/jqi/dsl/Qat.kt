package io.jqi.dsl

import io.jqi.ptq.PtqConfig
import io.jqi.qat.ActivationsSettings
import io.jqi.qat.LayerRule
import io.jqi.qat.QatConfig
import io.jqi.qat.WeightsSettings
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.TrainingMethod

/** The straight-through estimator, for `training = STE`. */
const val STE: String = TrainingMethod.STE

/** Learned step-size quantization, for `training = LSQ`. */
const val LSQ: String = TrainingMethod.LSQ

/**
 * A [QatConfig] from typed blocks:
 * ```
 * qat {
 *     weights { training = LSQ; symmetric(bits = 4) { perChannel() } }
 *     activations { powerOfTwo(bits = 8) }
 *     layer("classifier") { weights { uniform(bits = 8) } }
 *     skip("stem.conv")
 * }
 * ```
 * The config goes through [QatConfig]'s constructor, so a training method that [registry] cannot serve for the
 * chosen grid fails here, naming the quantizers that are registered.
 */
fun qat(registry: QuantizerRegistry = QuantizerRegistry.global(), block: QatScope.() -> Unit): QatConfig =
    QatScope().apply(block).build(registry)

/** Weights and activations settings, at the config's level or in one layer rule. */
@QuantizationDsl
sealed class SettingsScope(private val owner: String) {
    internal var weights: WeightsSettings? = null
        private set
    internal var activations: ActivationsSettings? = null
        private set

    /** How kernels are quantized and trained; only weight grids are offered inside. */
    fun weights(block: WeightsScope.() -> Unit) {
        require(weights == null) { "${owner}weights { } is given twice; put its settings in one block" }
        weights = WeightsScope("${owner}weights").apply(block).build()
    }

    /** How output activations are quantized and trained; only activation grids are offered inside. */
    fun activations(block: ActivationsScope.() -> Unit) {
        require(activations == null) { "${owner}activations { } is given twice; put its settings in one block" }
        activations = ActivationsScope("${owner}activations").apply(block).build()
    }
}

/** The body of [qat]: config-wide settings, layer rules in order (a later rule wins) and PTQ settings. */
class QatScope internal constructor() : SettingsScope("") {
    private val layers = ArrayList<LayerRule>()
    private var ptq: PtqConfig? = null

    /** A rule for the nodes [selector] names: a node name, a dotted path such as `"stem.conv"`, or an op kind. */
    fun layer(selector: String, block: LayerScope.() -> Unit) {
        val rule = LayerScope(selector).apply(block)
        layers += LayerRule(selector, false, rule.weights, rule.activations)
    }

    /** Leaves the nodes [selector] names entirely float. */
    fun skip(selector: String) {
        layers += LayerRule(selector, true, null, null)
    }

    /** How post-training quantization picks the thresholds the quantizers start from. */
    fun ptq(block: PtqScope.() -> Unit) {
        require(ptq == null) { "ptq { } is given twice; put its settings in one block" }
        ptq = PtqScope().apply(block).build()
    }

    internal fun build(registry: QuantizerRegistry) = QatConfig(weights, activations, layers, ptq, registry)
}

/** The body of `layer(selector) { }`: what differs for the matched nodes. */
class LayerScope internal constructor(selector: String) : SettingsScope("layer '$selector' ")
