package io.jqi.cli.report

import io.jqi.grid.AffineGrid
import io.jqi.grid.Grid
import io.jqi.grid.RoundingMode
import io.jqi.quant.MarkQuantizer
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.QuantizerId
import io.jqi.quant.inferable.QuantizerConfig
import io.jqi.quant.inferable.WeightsInferableQuantizer

/**
 * A user's own inferable quantizer: ternary weights per channel on axis 0, channel c outputting `-T[c]`, 0 or `T[c]`.
 * A 2-bit symmetric quantizer as far as its spec goes, but its grid has three levels, not four.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = [QuantizationMethod.SYMMETRIC],
    identifier = QuantizerId.INFERABLE)
class TernaryWeights(private val threshold: FloatArray) :
    WeightsInferableQuantizer(2, true, true, 0, null, false, RoundingMode.HALF_EVEN) {
    private val grid = AffineGrid(threshold, FloatArray(threshold.size), -1f, 1f)

    override fun grid(): Grid = grid

    override fun writeConfig(out: QuantizerConfig.Writer) {
        out.put("num_bits", numBits())
        out.put("threshold", threshold)
        writeChannels(out)
    }
}
