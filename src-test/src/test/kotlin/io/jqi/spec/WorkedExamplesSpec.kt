package io.jqi.spec

import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.WeightThresholds
import io.jqi.grid.PowerOfTwo
import io.jqi.quant.QuantizationMethod
import io.jqi.grid.RoundingMode
import io.jqi.grid.UniformRange
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.tensor.Tensor
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.spec.style.scopes.FunSpecContainerScope
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.abs

/**
 * The reference's worked examples that concern the inferable quantizers and the core math (T2, T5, T6, T7, T9, T12,
 * T17, T18; docs/quantizer-contract.md#worked-examples), plus exact ties that tell the two rounding modes apart.
 *
 * Expected values are float32 values computed by the contract's formulas; HALF_EVEN results are compared bit for
 * bit. TF_NUDGE_HALF_UP gives the same values in these examples, so it is compared bit for bit too, except in T5,
 * where it agrees with HALF_EVEN only to float32 rounding (1e-6).
 */
class WorkedExamplesSpec : FunSpec({

    context("T2: weights symmetric per channel, n=2, T=[3,6,2] on the last axis") {
        val input = floatArrayOf(-4f, 2f, 1.2f, 3f, -7f, 0.74f)
        // δ = [1.5, 3, 1]; integers -2..1. Rows: [-2·1.5 (clamped), 1·3, 1·1], [1·1.5 (clamped), -2·3, 1·1].
        val expected = floatArrayOf(-3f, 3f, 1f, 1.5f, -6f, 1f)
        for (mode in RoundingMode.entries) {
            test("quantizes [[-4,2,1.2],[3,-7,0.74]] to [[-3,3,1],[1.5,-6,1]] with $mode") {
                val q = WeightsSymmetricInferableQuantizer(2, floatArrayOf(3f, 6f, 2f), true, -1, null, mode)
                val out = q.quantize(Tensor.of(input, 2, 3))
                out.shape().toArray().toList() shouldBe listOf(2, 3)
                out.toFloatArray() shouldBeBitwise expected
            }
        }
        test("gives the same result with the last axis named positively (channel axis 1, input rank 2)") {
            val q = WeightsSymmetricInferableQuantizer(2, floatArrayOf(3f, 6f, 2f), true, 1, 2, RoundingMode.HALF_EVEN)
            q.quantize(Tensor.of(input, 2, 3)).toFloatArray() shouldBeBitwise expected
        }
    }

    context("T5: uniform n=2, min=-0.3, max=1.0") {
        // A, the range adjustment, in float32 in the order of docs/quantizer-contract.md#uniform-range-adjustment:
        // sc = (max - min)/(2^n - 1); min' = sc·round_even(min/sc); max' = max - min + min'.
        val sc = (1.0f - (-0.3f)) / 3f
        val adjMin = sc * Math.rint((-0.3f / sc).toDouble()).toFloat()
        val adjMax = (1.0f - (-0.3f)) + adjMin
        val input = floatArrayOf(-0.5f, -0.2f, 0.1f, 0.3f, 0.7f, 0.9f, 2.0f)
        val integers = floatArrayOf(0f, 1f, 1f, 2f, 3f, 3f, 3f) // q, with zp = 1
        val specValues = doubleArrayOf(-0.43333, 0.0, 0.0, 0.43333, 0.86667, 0.86667, 0.86667)

        test("A adjusts the range to min'=-0.4333333, max'=0.8666667 (float32 of the contract's formula)") {
            UniformRange.adjust(-0.3f, 1.0f, 2) shouldBeBitwise floatArrayOf(adjMin, adjMax)
            adjMin.toDouble() shouldBe (-0.4333333 plusOrMinus 1e-7)
            adjMax.toDouble() shouldBe (0.8666667 plusOrMinus 1e-7)
        }

        test("the weights and activation quantizers report the adjusted range") {
            val w = WeightsUniformInferableQuantizer(2, floatArrayOf(-0.3f), floatArrayOf(1.0f), false, null, null,
                RoundingMode.HALF_EVEN)
            w.minRange() shouldBeBitwise floatArrayOf(adjMin)
            w.maxRange() shouldBeBitwise floatArrayOf(adjMax)
            val a = ActivationUniformInferableQuantizer.of(2, -0.3f, 1.0f)
            floatArrayOf(a.minRange(), a.maxRange()) shouldBeBitwise floatArrayOf(adjMin, adjMax)
        }

        test("the adjusted grid has δ=0.4333333 and the integral zero point 1") {
            val step = (adjMax - adjMin) / 3f
            step.toDouble() shouldBe (0.4333333 plusOrMinus 1e-7)
            val zp = -adjMin / step
            zp.toDouble() shouldBe (1.0 plusOrMinus 1e-6)
        }

        for ((name, make) in uniformQuantizers(-0.3f, 1.0f, 2)) {
            test("$name with HALF_EVEN gives (q - zp)·δ for q=[0,1,1,2,3,3,3], bit for bit") {
                val q = make(RoundingMode.HALF_EVEN)
                val (min, max) = q.adjustedRange()
                val step = (max - min) / 3f
                val zp = Math.rint((-min / step).toDouble()).toFloat()
                zp shouldBe 1f
                val expected = FloatArray(integers.size) { (integers[it] - zp) * step }
                val out = q.quantize(Tensor.vector(*input)).toFloatArray()
                out shouldBeBitwise expected
                out shouldBeCloseTo specValues
            }
            test("$name with TF_NUDGE_HALF_UP gives the same values to float32 rounding (1e-6)") {
                val he = make(RoundingMode.HALF_EVEN).quantize(Tensor.vector(*input)).toFloatArray()
                val tf = make(RoundingMode.TF_NUDGE_HALF_UP).quantize(Tensor.vector(*input)).toFloatArray()
                for (i in he.indices) {
                    withClue("element $i (x=${input[i]}): HALF_EVEN ${he[i]}, TF ${tf[i]}") {
                        abs(tf[i] - he[i]).toDouble() shouldBe (0.0 plusOrMinus 1e-6)
                    }
                }
                tf shouldBeCloseTo specValues
            }
        }
    }

    context("T6: uniform with min > 0, n=2, min=[3], max=[10]") {
        val input = floatArrayOf(-1f, 1.6f, 1.7f, 5f, 8.4f, 12f)
        test("A keeps max and moves min to 0: (0, 10)") {
            UniformRange.adjust(3f, 10f, 2) shouldBeBitwise floatArrayOf(0f, 10f)
        }
        for ((name, make) in uniformQuantizers(3f, 10f, 2)) {
            for (mode in RoundingMode.entries) {
                test("$name with $mode quantizes [-1,1.6,1.7,5,8.4,12] to [0,0,δ,2δ,3δ,3δ] with δ=10/3") {
                    val q = make(mode)
                    val (min, max) = q.adjustedRange()
                    floatArrayOf(min, max) shouldBeBitwise floatArrayOf(0f, 10f)
                    val step = (max - min) / 3f
                    // 5/δ is the exact tie 1.5 in float32: even and half-up agree on 2.
                    (5f / step) shouldBe 1.5f
                    val expected = floatArrayOf(0f, 0f, step, 2f * step, 3f * step, 3f * step)
                    val out = q.quantize(Tensor.vector(*input)).toFloatArray()
                    out shouldBeBitwise expected
                    out shouldBeCloseTo doubleArrayOf(0.0, 0.0, 3.33333, 6.66667, 10.0, 10.0)
                }
            }
        }
    }

    context("T7: corner cases of the range adjustment A, n=2") {
        val mins = floatArrayOf(0.1f, 0.1f, 1f, 0f)
        val maxs = floatArrayOf(0.5f, 0.25f, 2f, 1f)
        test("min=[0.1,0.1,1,0], max=[0.5,0.25,2,1] adjusts to min'=[0,0,0,0] with max unchanged") {
            for (c in mins.indices) {
                withClue("channel $c: A(${mins[c]}, ${maxs[c]})") {
                    UniformRange.adjust(mins[c], maxs[c], 2) shouldBeBitwise floatArrayOf(0f, maxs[c])
                }
            }
        }
        test("a per-channel weights quantizer on the same ranges reports min'=[0,0,0,0] and max'=max") {
            val q = WeightsUniformInferableQuantizer(2, mins, maxs, true, 0, null, RoundingMode.HALF_EVEN)
            q.minRange() shouldBeBitwise floatArrayOf(0f, 0f, 0f, 0f)
            q.maxRange() shouldBeBitwise maxs
        }
        test("min=-10, max=-3 adjusts to (-10, 0)") {
            UniformRange.adjust(-10f, -3f, 2) shouldBeBitwise floatArrayOf(-10f, 0f)
        }
    }

    context("T9: activation POT signed, n=8, T=1 (δ=1/128)") {
        val input = floatArrayOf(-1.5f, -1f, -0.00390625f, 0.001953125f, 0.005859375f, 0.99f, 1.0f)
        val expected = floatArrayOf(-1f, -1f, 0f, 0f, 0.0078125f, 0.9921875f, 0.9921875f)
        for (mode in RoundingMode.entries) {
            test("quantizes [-1.5,-1,-δ/2,δ/4,3δ/4,0.99,1] to [-1,-1,0,0,δ,1-δ,1-δ] with $mode") {
                val q = ActivationPOTInferableQuantizer(8, floatArrayOf(1f), true, mode)
                q.quantize(Tensor.vector(*input)).toFloatArray() shouldBeBitwise expected
            }
        }
    }

    context("T12: weights LUT, lut=[-96,-32,0,32,96], T=[2], b=8, n=3 (no rounding mode: nearest level)") {
        val lut = floatArrayOf(-96f, -32f, 0f, 32f, 96f)
        val input = floatArrayOf(-3f, -1.2f, -0.5f, -0.24f, 0.26f, 0.74f, 1.6f, 2.5f)
        val expected = floatArrayOf(-1.5f, -1.5f, -0.5f, 0f, 0.5f, 0.5f, 1.5f, 1.5f)
        test("WeightsLUTSymmetric quantizes the input to [-1.5,-1.5,-0.5,0,0.5,0.5,1.5,1.5]") {
            val q = WeightsLUTSymmetricInferableQuantizer(3, lut, floatArrayOf(2f), false, null, null, 8, 1e-8f)
            q.quantize(Tensor.vector(*input)).toFloatArray() shouldBeBitwise expected
        }
        test("WeightsLUTPOT (T=2 is a power of two) gives the same values") {
            val q = WeightsLUTPOTInferableQuantizer(3, lut, floatArrayOf(2f), false, null, null, 8, 1e-8f)
            q.quantize(Tensor.vector(*input)).toFloatArray() shouldBeBitwise expected
        }
    }

    context("extra: LUT ties go to the first level in the given order (the reference's quirk), T=[2], b=8, n=1") {
        // v = x/(T+eps)·128; x = 0 is equidistant from -25 and 25 (docs/quantizer-contract.md#lut-quantization).
        test("lut=[-25,25] maps 0 to -25/128·2 = -0.390625") {
            val q = WeightsLUTSymmetricInferableQuantizer(1, floatArrayOf(-25f, 25f), floatArrayOf(2f), false, null,
                null, 8, 1e-8f)
            q.quantize(Tensor.vector(0f)).toFloatArray() shouldBeBitwise floatArrayOf(-0.390625f)
        }
        test("lut=[25,-25] maps 0 to 25/128·2 = 0.390625") {
            val q = WeightsLUTSymmetricInferableQuantizer(1, floatArrayOf(25f, -25f), floatArrayOf(2f), false, null,
                null, 8, 1e-8f)
            q.quantize(Tensor.vector(0f)).toFloatArray() shouldBeBitwise floatArrayOf(0.390625f)
        }
    }

    context("T17: rounding a threshold up to a power of two at convert time") {
        val thresholds = floatArrayOf(0.3f, 0.25f, 1.0000001f, 0.7f, 3.0f)
        val expected = floatArrayOf(0.5f, 0.25f, 2.0f, 1.0f, 4.0f)
        test("roundUp maps [0.3,0.25,1.0000001,0.7,3.0] to [0.5,0.25,2,1,4]") {
            FloatArray(thresholds.size) { PowerOfTwo.roundUp(thresholds[it]) } shouldBeBitwise expected
        }
        test("every rounded-up threshold is a power of two, and only 0.25 was one already") {
            expected.forEach { PowerOfTwo.isPowerOfTwo(it).shouldBeTrue() }
            thresholds.map { PowerOfTwo.isPowerOfTwo(it) } shouldBe listOf(false, true, false, false, false)
        }
    }

    context("T18: no-clipping thresholds from tensor_max (weights, signed)") {
        // (x, n) -> tensor_max = SYMMETRIC threshold, POWER_OF_TWO threshold
        val cases = listOf(
            Triple(floatArrayOf(-0.2f, 0.7f), 8, 0.7055118f to 1.0f),
            Triple(floatArrayOf(-0.3f, 1.9f), 4, 2.1714286f to 4.0f),
            Triple(floatArrayOf(0f, 3f), 2, 6.0f to 8.0f),
        )
        for ((x, n, expected) in cases) {
            val w = Tensor.vector(*x)
            test("x=${x.toList()}, n=$n gives SYMMETRIC ${expected.first} (within one float step) and POT ${expected.second}") {
                val sym = WeightThresholds.threshold(w, QuantizationMethod.SYMMETRIC, ErrorMethod.NOCLIPPING, n,
                    false, 0, 2.0, PtqConfig.DEFAULT_MIN_THRESHOLD)[0]
                val pot = WeightThresholds.threshold(w, QuantizationMethod.POWER_OF_TWO, ErrorMethod.NOCLIPPING, n,
                    false, 0, 2.0, PtqConfig.DEFAULT_MIN_THRESHOLD)[0]
                sym.toDouble() shouldBe (expected.first.toDouble() plusOrMinus Math.ulp(expected.first).toDouble())
                pot shouldBe expected.second
            }
        }
    }

    context("exact ties tell HALF_EVEN from TF_NUDGE_HALF_UP (symmetric, n=8, T=1, δ=1/128)") {
        val d = 1f / 128f
        // TF: nmin = -1, out = floor((x + 1)/δ + 0.5)·δ - 1, i.e. half-up on x/δ + 128.
        val ties = listOf(
            Tie(0.5f * d, 0f, d, "x = δ/2: even rounds 0.5 to 0, TF rounds 128.5 up to 129"),
            Tie(1.5f * d, 2f * d, 2f * d, "x = 1.5δ: both give 2δ (2 is even; 129.5 rounds up to 130)"),
            Tie(-0.5f * d, 0f, 0f, "x = -δ/2: even rounds -0.5 to 0, TF rounds 127.5 up to 128, i.e. 0"),
            Tie(-1.5f * d, -2f * d, -d, "x = -1.5δ: even gives -2δ, TF rounds 126.5 up to 127, i.e. -δ"),
            Tie(2.5f * d, 2f * d, 3f * d, "x = 2.5δ: even gives 2δ, TF gives 3δ"),
        )
        val quantizers: List<Pair<String, (RoundingMode) -> InferableQuantizer>> = listOf(
            "WeightsSymmetric" to { m ->
                WeightsSymmetricInferableQuantizer(8, floatArrayOf(1f), false, null, null, m)
            },
            "ActivationSymmetric (signed)" to { m ->
                ActivationSymmetricInferableQuantizer(8, floatArrayOf(1f), true, m)
            },
        )
        tieTests(quantizers, ties)
    }

    context("extra: an unsigned symmetric activation covers [0, T - δ] (n=8, T=1, δ=1/256)") {
        // The unsigned grid of docs/quantizer-contract.md#symmetric-grids.
        val input = floatArrayOf(-0.3f, 0.5f, 0.999f, 1.5f, 2f, Float.POSITIVE_INFINITY)
        val top = 255f / 256f
        val expected = floatArrayOf(0f, 0.5f, top, top, top, top)
        test("TF_NUDGE_HALF_UP saturates at T - δ = 0.99609375") {
            ActivationSymmetricInferableQuantizer(8, floatArrayOf(1f), false, RoundingMode.TF_NUDGE_HALF_UP)
                .quantize(Tensor.vector(*input)).toFloatArray() shouldBeBitwise expected
        }
        test("HALF_EVEN saturates at T - δ = 0.99609375") {
            ActivationSymmetricInferableQuantizer(8, floatArrayOf(1f), false, RoundingMode.HALF_EVEN)
                .quantize(Tensor.vector(*input)).toFloatArray() shouldBeBitwise expected
        }
    }

    context("exact ties on a uniform grid with an odd zero point (n=3, min=-1, max=6: δ=1, zp=1)") {
        // jqi decision: q = clamp(round_half_even(x/δ) + zp, 0, 2^n-1), the ONNX QuantizeLinear order, so ties
        // are decided on x/δ, not on (x - min')/δ. TF decides them half-up on (x - nmin)/δ.
        val ties = listOf(
            Tie(0.5f, 0f, 1f, "x = 0.5: even rounds x/δ = 0.5 to 0 (not (x-min')/δ = 1.5 to 2); TF gives 1"),
            Tie(-0.5f, 0f, 0f, "x = -0.5: even rounds -0.5 to 0; TF rounds 0.5 up to 1, i.e. 0"),
            Tie(1.5f, 2f, 2f, "x = 1.5: both give 2"),
            Tie(2.5f, 2f, 3f, "x = 2.5: even gives 2, TF gives 3"),
        )
        test("A leaves the range [-1, 6] unchanged") {
            UniformRange.adjust(-1f, 6f, 3) shouldBeBitwise floatArrayOf(-1f, 6f)
        }
        tieTests(uniformQuantizers(-1f, 6f, 3), ties)
    }
})

/** An input at an exact rounding tie and what each rounding mode makes of it. */
private data class Tie(val x: Float, val halfEven: Float, val tf: Float, val why: String)

/** One test per quantizer and tie, checking both rounding modes bit for bit. */
private suspend fun FunSpecContainerScope.tieTests(
    quantizers: List<Pair<String, (RoundingMode) -> InferableQuantizer>>, ties: List<Tie>,
) {
    for ((name, make) in quantizers) {
        for (tie in ties) {
            test("$name: ${tie.why}") {
                make(RoundingMode.HALF_EVEN).quantize(Tensor.vector(tie.x)).toFloatArray() shouldBeBitwise
                    floatArrayOf(tie.halfEven)
                make(RoundingMode.TF_NUDGE_HALF_UP).quantize(Tensor.vector(tie.x)).toFloatArray() shouldBeBitwise
                    floatArrayOf(tie.tf)
            }
        }
    }
}

/** The two per-tensor uniform quantizers (weights and activation) on one range, by rounding mode. */
private fun uniformQuantizers(min: Float, max: Float, bits: Int): List<Pair<String, (RoundingMode) -> InferableQuantizer>> =
    listOf(
        "WeightsUniform" to { m ->
            WeightsUniformInferableQuantizer(bits, floatArrayOf(min), floatArrayOf(max), false, null, null, m)
        },
        "ActivationUniform" to { m ->
            ActivationUniformInferableQuantizer(bits, floatArrayOf(min), floatArrayOf(max), m)
        },
    )

/** The adjusted (min', max') of a per-tensor uniform quantizer. */
private fun InferableQuantizer.adjustedRange(): Pair<Float, Float> = when (this) {
    is WeightsUniformInferableQuantizer -> minRange()[0] to maxRange()[0]
    is ActivationUniformInferableQuantizer -> minRange() to maxRange()
    else -> error("not a uniform quantizer: $this")
}

/** Bit equality of float32 arrays (so -0.0 != 0.0 and NaN == NaN), with a readable failure message. */
internal infix fun FloatArray.shouldBeBitwise(expected: FloatArray) {
    withClue("expected ${expected.contentToString()} but was ${this.contentToString()}") {
        this.map { it.toRawBits() } shouldBe expected.map { it.toRawBits() }
    }
}

/** Agreement with the reference example's values, printed to five decimals. */
private infix fun FloatArray.shouldBeCloseTo(expected: DoubleArray) {
    size shouldBe expected.size
    for (i in indices) {
        withClue("element $i of ${contentToString()}") {
            this[i].toDouble() shouldBe (expected[i] plusOrMinus 1e-5)
        }
    }
}
