package io.jqi.dsl

import io.jqi.qat.QatConfig
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
 *     mixedPrecision { weightsMemory = 0.5 }   // optional
 * }
 * ```
 * The blocks fill a [QatConfig.Builder], so the DSL and the Java builder keep the same rules with the same
 * messages (a block or an option given twice, a grid set on disabled settings), and the config goes through
 * [QatConfig]'s constructor: a training method that [registry] cannot serve for the chosen grid fails here, naming
 * the quantizers that are registered.
 */
fun qat(registry: QuantizerRegistry = QuantizerRegistry.global(), block: QatScope.() -> Unit): QatConfig =
    QatConfig.builder().registry(registry).also { QatScope(it).block() }.build()

/** Weights and activations settings, at the config's level or in one layer rule; each block is given once. */
@QuantizationDsl
sealed class SettingsScope(private val blocks: QatConfig.BlocksBuilder<*>) {
    /** How kernels are quantized and trained; only weight grids are offered inside. */
    fun weights(block: WeightsScope.() -> Unit) {
        blocks.weights { WeightsScope(it).block() }
    }

    /** How output activations are quantized and trained; only activation grids are offered inside. */
    fun activations(block: ActivationsScope.() -> Unit) {
        blocks.activations { ActivationsScope(it).block() }
    }
}

/** The body of [qat]: config-wide settings, layer rules in order (a later rule wins), PTQ and mixed precision. */
class QatScope internal constructor(private val builder: QatConfig.Builder) : SettingsScope(builder) {
    /** A rule for the nodes [selector] names: a node name, a dotted path such as `"stem.conv"`, or an op kind. */
    fun layer(selector: String, block: LayerScope.() -> Unit) {
        builder.layer(selector) { LayerScope(it).block() }
    }

    /** Leaves the nodes [selector] names entirely float. */
    fun skip(selector: String) {
        builder.skip(selector)
    }

    /** How post-training quantization picks the thresholds the quantizers start from. */
    fun ptq(block: PtqScope.() -> Unit) {
        builder.ptq(PtqScope().apply(block).build())
    }

    /** Mixed precision: each quantized kernel's width chosen within a weights memory or bit-operations budget. */
    fun mixedPrecision(block: MixedPrecisionScope.() -> Unit) {
        builder.mixedPrecision(MixedPrecisionScope().apply(block).settings())
    }
}

/** The body of `layer(selector) { }`: what differs for the matched nodes. */
class LayerScope internal constructor(builder: QatConfig.LayerBuilder) : SettingsScope(builder)
