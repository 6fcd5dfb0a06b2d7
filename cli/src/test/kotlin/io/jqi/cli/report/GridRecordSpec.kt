package io.jqi.cli.report

import io.jqi.grid.RoundingMode.HALF_EVEN
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe

class GridRecordSpec : FunSpec({

    val quantizers = listOf(
        "a symmetric 3-bit per-tensor quantizer" to
            WeightsSymmetricInferableQuantizer(3, floatArrayOf(0.6f), false, null, null, HALF_EVEN),
        "a power-of-two 4-bit per-channel quantizer" to
            WeightsPOTInferableQuantizer(4, floatArrayOf(0.5f, 1f, 0.25f), true, 0, null, HALF_EVEN),
        "a uniform 4-bit per-channel quantizer" to WeightsUniformInferableQuantizer(4,
            floatArrayOf(-0.3f, -1f, 0.1f), floatArrayOf(0.7f, 0.5f, 0.9f), true, 0, null, HALF_EVEN),
        "a LUT 3-bit per-channel quantizer" to WeightsLUTSymmetricInferableQuantizer(3,
            floatArrayOf(-128f, -40f, -8f, 0f, 16f, 60f, 127f), floatArrayOf(1f, 0.5f, 2f), true, 0, 2, 8, 1e-8f),
        "a user's own ternary quantizer" to TernaryWeights(floatArrayOf(0.2f, 0.8f, 0.4f)),
    )

    for ((name, quantizer) in quantizers) {
        test("the grid lines of $name are exactly the values it outputs for its plotted channel") {
            val grid = Fixtures.weightRecordOf(quantizer).grid.shouldNotBeNull()
            val span = grid.values.last() - grid.values.first()
            val swept = outputs(quantizer, grid.channel ?: 0, grid.values.first() - span, grid.values.last() + span)
            grid.values shouldContainExactly swept
            grid.levels shouldBe swept.size
        }
    }

    test("a per-channel grid is plotted for the channel of median threshold, the lower median for an even count") {
        val q = WeightsSymmetricInferableQuantizer(2, floatArrayOf(0.8f, 0.1f, 0.4f, 0.2f), true, 0, null, HALF_EVEN)
        Fixtures.weightRecordOf(q, channels = 4).grid.shouldNotBeNull().channel shouldBe 3
    }

    test("a per-tensor grid names no channel") {
        val q = WeightsSymmetricInferableQuantizer(2, floatArrayOf(0.8f), false, null, null, HALF_EVEN)
        Fixtures.weightRecordOf(q).grid.shouldNotBeNull().channel.shouldBeNull()
    }

    test("a LUT that repeats a level lists it once") {
        val q = WeightsLUTSymmetricInferableQuantizer(2, floatArrayOf(-64f, 0f, 0f, 64f), floatArrayOf(1f), false,
            null, 2, 8, 1e-8f)
        Fixtures.weightRecordOf(q).grid shouldBe GridRecord(null, 3, listOf(-0.5f, 0f, 0.5f))
    }

    test("a grid of more than ${LayerRecords.MAX_GRID_VALUES} levels is recorded as its clipping range and its count") {
        val q = WeightsSymmetricInferableQuantizer(8, floatArrayOf(1f), false, null, null, HALF_EVEN)
        val grid = Fixtures.weightRecordOf(q).grid.shouldNotBeNull()
        grid.levels shouldBe 256
        grid.values shouldContainExactly q.quantize(Tensor.of(floatArrayOf(-10f, 10f), 1, 2)).toFloatArray().toList()
        grid.complete shouldBe false
    }
})

/** The distinct values [q] outputs on channel [channel] (axis 0) of a dense sweep of `[from, to]`, ascending. */
private fun outputs(q: InferableQuantizer, channel: Int, from: Float, to: Float): List<Float> {
    val channels = q.grid().channels()
    val n = 100_001
    val x = FloatArray(channels * n)
    for (i in 0 until n) x[channel * n + i] = from + (to - from) * i / (n - 1)
    val out = q.quantize(Tensor.of(x, channels, n)).toFloatArray()
    return out.copyOfRange(channel * n, (channel + 1) * n).distinct().sorted()
}
