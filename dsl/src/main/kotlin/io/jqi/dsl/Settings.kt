package io.jqi.dsl

import io.jqi.ptq.Signedness
import io.jqi.qat.ActivationsSettings
import io.jqi.qat.WeightsSettings
import io.jqi.quant.QuantizationMethod

/**
 * What `weights { }` and `activations { }` share: the training method, one grid and its block of options [G],
 * parameter overrides, and switching quantization off. Anything not set is inherited from the level above.
 */
@QuantizationDsl
sealed class GridSettingsScope<G : Any>(private val where: String) {
    /** The training-method identifier: [STE], [LSQ] or a registered quantizer's own. Unset: inherited (STE at top). */
    var training: String? = null

    internal var method: QuantizationMethod? = null
        private set
    internal var bits: Int? = null
        private set
    internal var grid: G? = null
        private set
    internal var enabled: Boolean? = null
        private set
    internal val overrides = LinkedHashMap<String, String>()

    /** A symmetric grid whose threshold is a power of two. */
    fun powerOfTwo(bits: Int, block: G.() -> Unit = {}) = choose(QuantizationMethod.POWER_OF_TWO, bits, block)

    /** A symmetric grid with any positive threshold. */
    fun symmetric(bits: Int, block: G.() -> Unit = {}) = choose(QuantizationMethod.SYMMETRIC, bits, block)

    /** An asymmetric grid on a range that contains zero. */
    fun uniform(bits: Int, block: G.() -> Unit = {}) = choose(QuantizationMethod.UNIFORM, bits, block)

    /** Keeps these tensors float. */
    fun disabled() {
        enabled = false
    }

    /** A named option for the trainable quantizer's constructor (spec 8.1); enums are kept by name. */
    fun override(name: String, value: Any) {
        overrides[name] = if (value is Enum<*>) value.name else value.toString()
    }

    internal abstract fun newGrid(): G

    /** Builds a settings record, naming this block in any error the record's checks raise. */
    internal fun <T> checked(make: () -> T): T {
        require(enabled != false || method == null) {
            "$where: disabled() keeps them float, so the $method grid has no effect; remove one of the two"
        }
        return try {
            make()
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("$where: ${e.message}", e)
        }
    }

    private fun choose(method: QuantizationMethod, bits: Int, block: G.() -> Unit) {
        require(this.method == null) {
            "$where: the grid is already ${this.method}; give one of powerOfTwo, symmetric or uniform"
        }
        this.method = method
        this.bits = bits
        this.grid = newGrid().apply(block)
    }
}

/** The body of `weights { }`: weight grids, whose blocks choose per-channel or per-tensor. */
class WeightsScope internal constructor(where: String) : GridSettingsScope<WeightsGridScope>(where) {
    override fun newGrid() = WeightsGridScope()

    internal fun build() = checked {
        WeightsSettings(training, method, bits, grid?.perChannel, grid?.axis, enabled, overrides)
    }
}

/** The options of a weight grid. Unset: the level above decides (the default platform: per channel on axis 0). */
@QuantizationDsl
class WeightsGridScope internal constructor() {
    internal var perChannel: Boolean? = null
        private set
    internal var axis: Int? = null
        private set

    /** One threshold or range per output channel, on the target platform's channel axis. */
    fun perChannel() {
        perChannel = true
        axis = null
    }

    /** One threshold or range per channel along [axis] of the kernel (jqi kernels are `[out, in, ...]`). */
    fun perChannel(axis: Int) {
        perChannel = true
        this.axis = axis
    }

    /** One threshold or range for the whole kernel. */
    fun perTensor() {
        perChannel = false
        axis = null
    }
}

/** The body of `activations { }`: activation grids, whose blocks choose the signedness. */
class ActivationsScope internal constructor(where: String) : GridSettingsScope<ActivationsGridScope>(where) {
    override fun newGrid() = ActivationsGridScope()

    internal fun build() = checked {
        ActivationsSettings(training, method, bits, grid?.signedness, enabled, overrides)
    }
}

/** The options of an activation grid. Unset: decided from the statistics (spec 9.4). */
@QuantizationDsl
class ActivationsGridScope internal constructor() {
    internal var signedness: Signedness? = null
        private set

    /** The grid has negative levels, whatever the statistics show. */
    fun signed() {
        signedness = Signedness.SIGNED
    }

    /** The grid has no negative levels: negative values clip to zero. */
    fun unsigned() {
        signedness = Signedness.UNSIGNED
    }
}
