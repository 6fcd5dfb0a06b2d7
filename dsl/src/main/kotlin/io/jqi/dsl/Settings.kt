package io.jqi.dsl

import io.jqi.ptq.Signedness
import io.jqi.qat.QatConfig

/**
 * What `weights { }` and `activations { }` share: the training method, one grid and its block of options [G],
 * parameter overrides, and switching quantization off. Anything not set is inherited from the level above. Each
 * call goes to the Java builder [settings], whose rules (each option once, nothing else with `disabled()`) apply.
 */
@QuantizationDsl
sealed class GridSettingsScope<G : Any>(private val settings: QatConfig.GridSettingsBuilder<*>) {
    /** The training-method identifier: [STE], [LSQ] or a registered quantizer's own. Unset: inherited (STE at top). */
    var training: String? = null
        set(value) {
            settings.training(value)
            field = value
        }

    /** A symmetric grid whose threshold is a power of two. */
    fun powerOfTwo(bits: Int, block: G.() -> Unit = {}) {
        settings.powerOfTwo(bits)
        newGrid().block()
    }

    /** A symmetric grid with any positive threshold. */
    fun symmetric(bits: Int, block: G.() -> Unit = {}) {
        settings.symmetric(bits)
        newGrid().block()
    }

    /** An asymmetric grid on a range that contains zero. */
    fun uniform(bits: Int, block: G.() -> Unit = {}) {
        settings.uniform(bits)
        newGrid().block()
    }

    /** Keeps these tensors float; nothing else may then be set in this block. */
    fun disabled() {
        settings.disabled()
    }

    /**
     * A named option for the trainable quantizer's constructor, enums kept by name; a name the quantizer never reads
     * is an error (docs/quantizer-contract.md#trainable-base-class).
     */
    fun override(name: String, value: Any) {
        settings.override(name, value)
    }

    internal abstract fun newGrid(): G
}

/** The body of `weights { }`: weight grids, whose blocks choose per-channel or per-tensor. */
class WeightsScope internal constructor(private val weights: QatConfig.WeightsBuilder) :
    GridSettingsScope<WeightsGridScope>(weights) {
    override fun newGrid() = WeightsGridScope(weights)
}

/**
 * The options of a weight grid: one of per-channel or per-tensor. Unset: the level above decides (the default
 * platform: per channel on axis 0).
 */
@QuantizationDsl
class WeightsGridScope internal constructor(private val weights: QatConfig.WeightsBuilder) {
    /** One threshold or range per output channel, on the target platform's channel axis. */
    fun perChannel() {
        weights.perChannel()
    }

    /** One threshold or range per channel along [axis] of the kernel (jqi kernels are `[out, in, ...]`). */
    fun perChannel(axis: Int) {
        weights.perChannel(axis)
    }

    /** One threshold or range for the whole kernel. */
    fun perTensor() {
        weights.perTensor()
    }
}

/** The body of `activations { }`: activation grids, whose blocks choose the signedness. */
class ActivationsScope internal constructor(private val activations: QatConfig.ActivationsBuilder) :
    GridSettingsScope<ActivationsGridScope>(activations) {
    override fun newGrid() = ActivationsGridScope(activations)
}

/**
 * The options of an activation grid: one signedness. Unset: decided from the statistics
 * (docs/quantizer-contract.md#activation-signedness).
 */
@QuantizationDsl
class ActivationsGridScope internal constructor(private val activations: QatConfig.ActivationsBuilder) {
    /** The grid has negative levels, whatever the statistics show. */
    fun signed() {
        activations.signedness(Signedness.SIGNED)
    }

    /** The grid has no negative levels: negative values clip to zero. */
    fun unsigned() {
        activations.signedness(Signedness.UNSIGNED)
    }
}
