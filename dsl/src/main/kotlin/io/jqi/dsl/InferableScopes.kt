package io.jqi.dsl

import io.jqi.quant.QuantizationMethod
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.InferableQuantizer

/** A block that picks exactly one grid [G] for one inferable quantizer, as `weight("weight") { }` does. */
@QuantizationDsl
sealed class InferableQuantizerScope<G : InferableGridScope>(internal val where: String) {
    private var grid: G? = null

    internal fun <H : G> choose(grid: H, block: H.() -> Unit) {
        require(this.grid == null) {
            "$where: the grid is already ${this.grid?.method}; give one of powerOfTwo, symmetric or uniform"
        }
        this.grid = grid.apply(block)
    }

    internal fun build(): InferableQuantizer =
        (grid ?: throw IllegalArgumentException("$where: no grid; give one of powerOfTwo, symmetric or uniform"))
            .build()
}

/** A grid block of an inferable quantizer: its parameters are fixed, so they are given here (or measured). */
@QuantizationDsl
sealed class InferableGridScope(internal val method: QuantizationMethod, internal val bits: Int,
                                private val where: String) {
    /** How values round onto the grid. */
    var rounding: RoundingMode = RoundingMode.HALF_EVEN

    internal abstract fun make(): InferableQuantizer

    /** The quantizer; the core's checks and this block's own name the block in their message. */
    internal fun build(): InferableQuantizer =
        try {
            make()
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("$where, $method grid: ${e.message}", e)
        }
}
