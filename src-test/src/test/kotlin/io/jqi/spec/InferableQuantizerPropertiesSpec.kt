package io.jqi.spec

import io.jqi.grid.RoundingMode
import io.jqi.grid.UniformRange
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.spec.Family.LUT
import io.jqi.spec.Family.SYMMETRIC
import io.jqi.spec.Family.UNIFORM
import io.jqi.tensor.Tensor
import io.kotest.assertions.fail
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.property.Arb
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.numericFloat
import io.kotest.property.checkAll
import kotlin.math.abs
import kotlin.math.max

/** Samples per property; raise it for a soak run with `-Djqi.spec.iterations=20000`. */
private val ITERATIONS: Int = System.getProperty("jqi.spec.iterations")?.toIntOrNull() ?: 300

/** How far from an integer a TF-mode (or uniform) output may sit, in grid steps: float32 error only. */
private const val GRID_TOLERANCE = 1e-3

/**
 * Properties every inferable quantizer has, checked on random parameters (2..8 bits, thresholds, ranges, signed and
 * unsigned, per-channel on positive and negative axes, ranks 1..4) in both rounding modes, and the construction-time
 * validation of docs/quantizer-contract.md#inferable-validation.
 */
class InferableQuantizerPropertiesSpec : FunSpec({

    /**
     * Every (class, rounding, signedness) variant: the LUT classes have no rounding mode and appear once per
     * signedness; weights are always signed; the activation classes with a `signed` flag get both.
     */
    fun variants(filter: (Kind) -> Boolean = { true }): List<Variant> =
        Kind.entries.filter(filter).flatMap { k ->
            val modes = if (k.family == LUT) listOf(RoundingMode.HALF_EVEN) else RoundingMode.entries
            val signs = if (k.hasSignedFlag) listOf(true, false) else listOf(null)
            modes.flatMap { m -> signs.map { s -> Variant(k, m, s) } }
        }

    context("idempotence: Q(Q(x)) == Q(x) bit for bit") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val q = c.quantizer()
                    val once = c.run(q, c.x)
                    val twice = c.run(q, once)
                    twice shouldBeBitwise once
                }
            }
        }
    }

    context("every output is on the grid and inside the representable range") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val q = c.quantizer()
                    val grids = c.grids(q)
                    val out = c.run(q, c.x)
                    for (i in out.indices) {
                        val why = grids[c.channelOf(i)].violation(out[i])
                        if (why != null) fail("element $i: x=${c.x[i]} -> ${out[i]}: $why")
                    }
                }
            }
        }
    }

    context("monotone: x1 <= x2 implies Q(x1) <= Q(x2), channel by channel") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val q = c.quantizer()
                    val x2 = FloatArray(c.x.size) { c.x[it] + c.d[it] }
                    val out1 = c.run(q, c.x)
                    val out2 = c.run(q, x2)
                    for (i in out1.indices) {
                        if (!(out1[i] <= out2[i])) {
                            fail("element $i: Q(${c.x[i]}) = ${out1[i]} > Q(${x2[i]}) = ${out2[i]}")
                        }
                    }
                }
            }
        }
    }

    context("per channel equals per tensor applied channel by channel") {
        for (v in variants { it.weights }) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb(perChannel = true)) { c ->
                    val out = c.run(c.quantizer(), c.x)
                    val axis = c.normalizedAxis()
                    val sliceDims = c.dims.filterIndexed { a, _ -> a != axis }.toIntArray()
                    for (ch in 0 until c.channels) {
                        val idx = c.x.indices.filter { c.channelOf(it) == ch }
                        val slice = FloatArray(idx.size) { c.x[idx[it]] }
                        val perTensor = c.perTensorQuantizer(ch).quantize(Tensor.of(slice, *sliceDims)).toFloatArray()
                        withClue("channel $ch (flat indexes $idx)") {
                            FloatArray(idx.size) { out[idx[it]] } shouldBeBitwise perTensor
                        }
                    }
                }
            }
        }
    }

    context("NaN input gives NaN output, and leaves the other elements alone") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val q = c.quantizer()
                    val nanAt = c.x.indices.filter { it % 3 == 0 }.toSet()
                    val withNaN = FloatArray(c.x.size) { if (it in nanAt) Float.NaN else c.x[it] }
                    val out = c.run(q, withNaN)
                    val clean = c.run(q, c.x)
                    for (i in out.indices) {
                        if (i in nanAt) {
                            withClue("element $i") { out[i].isNaN().shouldBeTrue() }
                        } else {
                            withClue("element $i") { out[i].toRawBits() shouldBe clean[i].toRawBits() }
                        }
                    }
                }
            }
        }
    }

    context("+Infinity gives the largest grid value (LUT: the level nearest to hi)") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c -> c.checkSaturation(Float.POSITIVE_INFINITY) }
            }
        }
    }

    context("-Infinity gives the smallest grid value (LUT: the level nearest to lo)") {
        for (v in variants()) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c -> c.checkSaturation(Float.NEGATIVE_INFINITY) }
            }
        }
    }

    context("-0.0 and 0.0 both map to 0 on symmetric grids") {
        for (v in variants { it.family == SYMMETRIC }) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val zeros = FloatArray(c.x.size) { if (it % 2 == 0) 0f else -0f }
                    val out = c.run(c.quantizer(), zeros)
                    for (i in out.indices) withClue("element $i (input ${zeros[i]})") { (out[i] == 0f).shouldBeTrue() }
                }
            }
        }
    }

    context("the adjusted uniform range contains 0, puts it on the grid, and 0.0 and -0.0 map to exactly 0") {
        for (v in variants { it.family == UNIFORM }) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val q = c.quantizer()
                    for (g in c.grids(q)) {
                        g as UniformModel
                        withClue("adjusted range [${g.min}, ${g.max}]") {
                            (g.min <= 0f && 0f <= g.max).shouldBeTrue()
                            val zp = -g.min.toDouble() / g.step
                            (abs(zp - Math.rint(zp)) <= GRID_TOLERANCE).shouldBeTrue()
                        }
                    }
                    val zeros = FloatArray(c.x.size) { if (it % 2 == 0) 0f else -0f }
                    val out = c.run(q, zeros)
                    for (i in out.indices) withClue("element $i") { (out[i] == 0f).shouldBeTrue() }
                }
            }
        }
    }

    context("the uniform quantizers report the adjusted range A(min, max) of every channel") {
        for (v in variants { it.family == UNIFORM }) {
            test(v.label) {
                checkAll(ITERATIONS, v.arb()) { c ->
                    val grids = c.grids(c.quantizer())
                    for (ch in 0 until c.channels) {
                        val grid = grids[ch] as UniformModel
                        floatArrayOf(grid.min, grid.max) shouldBeBitwise UniformRange.adjust(c.mins[ch], c.maxs[ch], c.bits)
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Validation at construction (docs/quantizer-contract.md#inferable-validation): clear IllegalArgumentExceptions.
    // ------------------------------------------------------------------------------------------------------------

    val he = RoundingMode.HALF_EVEN
    val lut = floatArrayOf(-64f, 0f, 64f)

    context("validation: a per-tensor threshold of length 2 is rejected") {
        val makers: List<Pair<String, () -> Any>> = listOf(
            "WeightsPOT" to { WeightsPOTInferableQuantizer(8, floatArrayOf(1f, 2f), false, null, null, he) },
            "WeightsSymmetric" to { WeightsSymmetricInferableQuantizer(8, floatArrayOf(1f, 2f), false, null, null, he) },
            "WeightsLUTSymmetric" to {
                WeightsLUTSymmetricInferableQuantizer(2, lut, floatArrayOf(1f, 2f), false, null, null, 8, 1e-8f)
            },
            "WeightsLUTPOT" to {
                WeightsLUTPOTInferableQuantizer(2, lut, floatArrayOf(1f, 2f), false, null, null, 8, 1e-8f)
            },
            "ActivationPOT" to { ActivationPOTInferableQuantizer(8, floatArrayOf(1f, 2f), true, he) },
            "ActivationSymmetric" to { ActivationSymmetricInferableQuantizer(8, floatArrayOf(1f, 2f), true, he) },
            "ActivationLutPOT" to {
                ActivationLutPOTInferableQuantizer(2, lut, floatArrayOf(1f, 2f), true, 8, 1e-8f)
            },
        )
        for ((name, make) in makers) {
            test("$name: \"In per-tensor quantization threshold should be of length 1 but is 2\"") {
                shouldThrow<IllegalArgumentException> { make() }.message shouldContain
                    "In per-tensor quantization threshold should be of length 1 but is 2"
            }
        }
        test("WeightsUniform: \"In per-tensor quantization min/max should be of length 1 but is 2\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsUniformInferableQuantizer(8, floatArrayOf(-1f, -2f), floatArrayOf(1f, 2f), false, null, null, he)
            }.message shouldContain "In per-tensor quantization min/max should be of length 1 but is 2"
        }
        test("ActivationUniform: \"In per-tensor quantization min/max should be of length 1 but is 2\"") {
            shouldThrow<IllegalArgumentException> {
                ActivationUniformInferableQuantizer(8, floatArrayOf(-1f, -2f), floatArrayOf(1f, 2f), he)
            }.message shouldContain "In per-tensor quantization min/max should be of length 1 but is 2"
        }
    }

    context("validation: per-channel quantization without a channel axis is rejected") {
        val th = floatArrayOf(1f, 2f)
        val makers: List<Pair<String, () -> Any>> = listOf(
            "WeightsPOT" to { WeightsPOTInferableQuantizer(8, th, true, null, 2, he) },
            "WeightsSymmetric" to { WeightsSymmetricInferableQuantizer(8, th, true, null, 2, he) },
            "WeightsUniform" to { WeightsUniformInferableQuantizer(8, floatArrayOf(-1f, -1f), th, true, null, 2, he) },
            "WeightsLUTSymmetric" to { WeightsLUTSymmetricInferableQuantizer(2, lut, th, true, null, 2, 8, 1e-8f) },
            "WeightsLUTPOT" to { WeightsLUTPOTInferableQuantizer(2, lut, th, true, null, 2, 8, 1e-8f) },
        )
        for ((name, make) in makers) {
            test("$name: \"Channel axis is missing in per channel quantization\"") {
                shouldThrow<IllegalArgumentException> { make() }.message shouldContain
                    "Channel axis is missing in per channel quantization"
            }
        }
        test("a channel axis outside the input rank is rejected: \"Channel axis out of range. Must be -4 <= channel_axis < 4\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsSymmetricInferableQuantizer(8, th, true, 4, 4, he)
            }.message shouldContain "Channel axis out of range. Must be -4 <= channel_axis < 4"
        }
        test("the per-channel LUT quantizers need the input rank: \"Input rank is missing in per channel quantization\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsLUTSymmetricInferableQuantizer(2, lut, th, true, 0, null, 8, 1e-8f)
            }.message shouldContain "Input rank is missing in per channel quantization"
        }
    }

    context("validation: a POT quantizer rejects a threshold that is not a power of two") {
        val makers: List<Pair<String, () -> Any>> = listOf(
            "WeightsPOT" to { WeightsPOTInferableQuantizer(8, floatArrayOf(3f), false, null, null, he) },
            "WeightsLUTPOT" to { WeightsLUTPOTInferableQuantizer(2, lut, floatArrayOf(3f), false, null, null, 8, 1e-8f) },
            "ActivationPOT" to { ActivationPOTInferableQuantizer(8, floatArrayOf(3f), true, he) },
            "ActivationLutPOT" to { ActivationLutPOTInferableQuantizer(2, floatArrayOf(0f, 64f), floatArrayOf(3f), false, 8, 1e-8f) },
        )
        for ((name, make) in makers) {
            test("$name: \"Expected threshold to be power of 2 but is [3.0]\"") {
                shouldThrow<IllegalArgumentException> { make() }.message shouldContain
                    "Expected threshold to be power of 2 but is [3.0]"
            }
        }
        test("WeightsPOT per channel names every threshold: [1.0, 0.3]") {
            shouldThrow<IllegalArgumentException> {
                WeightsPOTInferableQuantizer(8, floatArrayOf(1f, 0.3f), true, 0, null, he)
            }.message shouldContain "Expected threshold to be power of 2 but is [1.0, 0.3]"
        }
        for (t in listOf(0f, -2f)) {
            test("WeightsPOT rejects the non-positive threshold $t") {
                shouldThrow<IllegalArgumentException> {
                    WeightsPOTInferableQuantizer(8, floatArrayOf(t), false, null, null, he)
                }.message shouldContain "threshold"
            }
        }
        // jqi checks positivity before the POT rule, so the message says what is actually wrong (docs/numerics.md).
        test("WeightsPOT names a zero threshold as non-positive rather than as not a power of two") {
            shouldThrow<IllegalArgumentException> {
                WeightsPOTInferableQuantizer(8, floatArrayOf(0f), false, null, null, he)
            }.message shouldBe "threshold[0] must be a positive finite number, got 0.0"
        }
    }

    context("validation: a uniform range with min >= max is rejected before adjustment") {
        for ((min, max) in listOf(1f to 1f, 2f to 1f, -0.5f to -0.5f)) {
            test("WeightsUniform [$min, $max]") {
                shouldThrow<IllegalArgumentException> {
                    WeightsUniformInferableQuantizer(8, floatArrayOf(min), floatArrayOf(max), false, null, null, he)
                }.message shouldContain "min_range must be smaller than max_range"
            }
            test("ActivationUniform [$min, $max]") {
                shouldThrow<IllegalArgumentException> {
                    ActivationUniformInferableQuantizer(8, floatArrayOf(min), floatArrayOf(max), he)
                }.message shouldContain "min_range must be smaller than max_range"
            }
        }
        test("WeightsUniform per channel names the offending channel") {
            shouldThrow<IllegalArgumentException> {
                WeightsUniformInferableQuantizer(8, floatArrayOf(-1f, 3f), floatArrayOf(1f, 2f), true, 0, null, he)
            }.message shouldContain "channel 1"
        }
    }

    context("validation: LUT rules") {
        test("more distinct values than 2^n: \"Expected num of lut values to be less or equal than 4 but got 5\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsLUTSymmetricInferableQuantizer(2, floatArrayOf(-2f, -1f, 0f, 1f, 2f), floatArrayOf(1f), false,
                    null, null, 8, 1e-8f)
            }.message shouldContain "Expected num of lut values to be less or equal than 4 but got 5"
        }
        test("repeated values count once: 4 distinct among 6 values is fine for n=2") {
            WeightsLUTSymmetricInferableQuantizer(2, floatArrayOf(-2f, -1f, 0f, 1f, 1f, 0f), floatArrayOf(1f), false,
                null, null, 8, 1e-8f)
        }
        test("non-integer values: \"Expected lut values to be integers\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsLUTSymmetricInferableQuantizer(2, floatArrayOf(-1f, 0.5f), floatArrayOf(1f), false, null,
                    null, 8, 1e-8f)
            }.message shouldContain "Expected lut values to be integers"
        }
        for (v in listOf(128f, -129f)) {
            test("signed values outside [-128, 127] for b=8 ($v): \"Expected lut values in the quantization range\"") {
                shouldThrow<IllegalArgumentException> {
                    WeightsLUTSymmetricInferableQuantizer(2, floatArrayOf(0f, v), floatArrayOf(1f), false, null,
                        null, 8, 1e-8f)
                }.message shouldContain "Expected lut values in the quantization range"
            }
        }
        test("a negative value for unsigned activations: \"Expected unsigned lut values in unsigned activation quantization\"") {
            shouldThrow<IllegalArgumentException> {
                ActivationLutPOTInferableQuantizer(2, floatArrayOf(-1f, 0f), floatArrayOf(1f), false, 8, 1e-8f)
            }.message shouldContain "Expected unsigned lut values in unsigned activation quantization"
        }
        test("signed activations accept negative values") {
            ActivationLutPOTInferableQuantizer(2, floatArrayOf(-128f, 0f, 127f), floatArrayOf(1f), true, 8, 1e-8f)
        }
        test("num_bits above the LUT bit width: \"Look-Up-Table bit configuration has 10 bits\"") {
            shouldThrow<IllegalArgumentException> {
                WeightsLUTSymmetricInferableQuantizer(10, floatArrayOf(-1f, 0f, 1f), floatArrayOf(1f), false, null,
                    null, 8, 1e-8f)
            }.message shouldContain "Look-Up-Table bit configuration has 10 bits"
        }
        test("num_bits equal to the LUT bit width is accepted (the reference only warns)") {
            WeightsLUTSymmetricInferableQuantizer(8, floatArrayOf(-1f, 0f, 1f), floatArrayOf(1f), false, null, null,
                8, 1e-8f)
        }
        test("num_bits above the LUT bit width says the limit in the reference's words, more clearly") {
            shouldThrow<IllegalArgumentException> {
                WeightsLUTSymmetricInferableQuantizer(10, floatArrayOf(-1f, 0f, 1f), floatArrayOf(1f), false,
                    null, null, 8, 1e-8f)
            }.message shouldBe "Look-Up-Table bit configuration has 10 bits. It must be at most lut_values_bitwidth (8)"
        }
        // jqi decision (docs/numerics.md): the reference accepts 2^b for unsigned LUTs (off by one,
        // docs/quantizer-contract.md#quirk-lut-details); such a level does not fit in b bits and would put outputs
        // at T, outside [0, T - step], so jqi rejects it.
        test("unsigned activations reject the value 2^b that the reference's off-by-one check lets through") {
            shouldThrow<IllegalArgumentException> {
                ActivationLutPOTInferableQuantizer(2, floatArrayOf(0f, 256f), floatArrayOf(1f), false, 8, 1e-8f)
            }.message shouldBe "Expected unsigned lut values in unsigned activation quantization [0, 255] of 8 bits, got 256.0"
        }
        test("unsigned activations accept 2^b - 1") {
            ActivationLutPOTInferableQuantizer(2, floatArrayOf(0f, 255f), floatArrayOf(1f), false, 8, 1e-8f)
        }
    }

    context("validation: a per-channel quantizer applied to the wrong channel count names both counts") {
        val th = floatArrayOf(1f, 2f, 4f)
        val makers: List<Pair<String, () -> InferableQuantizer>> = listOf(
            "WeightsPOT" to { WeightsPOTInferableQuantizer(8, th, true, 0, null, he) },
            "WeightsSymmetric" to { WeightsSymmetricInferableQuantizer(8, th, true, 0, null, he) },
            "WeightsUniform" to { WeightsUniformInferableQuantizer(8, floatArrayOf(-1f, -1f, -1f), th, true, 0, null, he) },
            "WeightsLUTSymmetric" to { WeightsLUTSymmetricInferableQuantizer(2, lut, th, true, 0, 2, 8, 1e-8f) },
            "WeightsLUTPOT" to { WeightsLUTPOTInferableQuantizer(2, lut, th, true, 0, 2, 8, 1e-8f) },
        )
        for ((name, make) in makers) {
            test("$name with 3 thresholds on a [2, 4] input (axis 0)") {
                val q = make()
                val message = shouldThrow<IllegalArgumentException> {
                    q.quantize(Tensor.zeros(2, 4))
                }.message
                message shouldContain "3 per-channel parameters"
                message shouldContain "2 channels"
            }
        }
    }
})

// ----------------------------------------------------------------------------------------------------------------
// Random cases
// ----------------------------------------------------------------------------------------------------------------

private enum class Family { SYMMETRIC, UNIFORM, LUT }

/** The nine inferable quantizer classes. */
private enum class Kind(val family: Family, val weights: Boolean, val powerOfTwo: Boolean) {
    WeightsPOT(SYMMETRIC, true, true),
    WeightsSymmetric(SYMMETRIC, true, false),
    WeightsUniform(UNIFORM, true, false),
    WeightsLUTSymmetric(LUT, true, false),
    WeightsLUTPOT(LUT, true, true),
    ActivationPOT(SYMMETRIC, false, true),
    ActivationSymmetric(SYMMETRIC, false, false),
    ActivationUniform(UNIFORM, false, false),
    ActivationLutPOT(LUT, false, true);

    val className: String get() = name + "InferableQuantizer"

    /** The activation classes whose constructor takes `signed` (weights are always signed; uniform has none). */
    val hasSignedFlag: Boolean get() = !weights && family != UNIFORM
}

/** One quantizer class in one rounding mode (ignored for LUT) and, where the class has the flag, one signedness. */
private data class Variant(val kind: Kind, val mode: RoundingMode, val signed: Boolean?) {
    val label: String
        get() = listOfNotNull(
            kind.className,
            mode.name.takeIf { kind.family != LUT },
            signed?.let { if (it) "signed" else "unsigned" },
        ).joinToString(", ")

    fun arb(perChannel: Boolean? = null): Arb<Case> = caseArb(kind, mode, perChannel, signed)
}

/**
 * One random quantizer configuration with an input `x` of shape `dims` and a non-negative increment
 * `d` (for monotonicity). Parameters are per channel (`channels` entries) or per tensor (one).
 */
private class Case(
    val kind: Kind,
    val bits: Int,
    val rounding: RoundingMode,
    val signed: Boolean,
    val dims: IntArray,
    val perChannel: Boolean,
    val axis: Int?,
    val inputRank: Int?,
    val thresholds: FloatArray,
    val mins: FloatArray,
    val maxs: FloatArray,
    val lut: FloatArray,
    val lutBits: Int,
    val x: FloatArray,
    val d: FloatArray,
) {
    val channels: Int get() = if (kind.family == UNIFORM) mins.size else thresholds.size

    fun normalizedAxis(): Int = axis?.let { if (it < 0) it + dims.size else it } ?: 0

    /** The channel of a row-major flat index. */
    fun channelOf(i: Int): Int {
        if (!perChannel) return 0
        val a = normalizedAxis()
        var inner = 1
        for (k in a + 1 until dims.size) inner *= dims[k]
        return (i / inner) % dims[a]
    }

    fun quantizer(): InferableQuantizer = build(thresholds, mins, maxs, perChannel, axis, inputRank)

    /** The per-tensor quantizer of channel `c`'s parameters. */
    fun perTensorQuantizer(c: Int): InferableQuantizer = build(
        if (thresholds.isEmpty()) thresholds else floatArrayOf(thresholds[c]),
        if (mins.isEmpty()) mins else floatArrayOf(mins[c]),
        if (maxs.isEmpty()) maxs else floatArrayOf(maxs[c]),
        false, null, null,
    )

    fun run(q: InferableQuantizer, values: FloatArray): FloatArray {
        val out = q.quantize(Tensor.of(values, *dims))
        out.shape().toArray().toList() shouldBe dims.toList()
        return out.toFloatArray()
    }

    private fun build(th: FloatArray, mn: FloatArray, mx: FloatArray, pc: Boolean, ax: Int?, rk: Int?): InferableQuantizer =
        when (kind) {
            Kind.WeightsPOT -> WeightsPOTInferableQuantizer(bits, th, pc, ax, rk, rounding)
            Kind.WeightsSymmetric -> WeightsSymmetricInferableQuantizer(bits, th, pc, ax, rk, rounding)
            Kind.WeightsUniform -> WeightsUniformInferableQuantizer(bits, mn, mx, pc, ax, rk, rounding)
            Kind.WeightsLUTSymmetric -> WeightsLUTSymmetricInferableQuantizer(bits, lut, th, pc, ax, rk, lutBits, EPS)
            Kind.WeightsLUTPOT -> WeightsLUTPOTInferableQuantizer(bits, lut, th, pc, ax, rk, lutBits, EPS)
            Kind.ActivationPOT -> ActivationPOTInferableQuantizer(bits, th, signed, rounding)
            Kind.ActivationSymmetric -> ActivationSymmetricInferableQuantizer(bits, th, signed, rounding)
            Kind.ActivationUniform -> ActivationUniformInferableQuantizer(bits, mn, mx, rounding)
            Kind.ActivationLutPOT -> ActivationLutPOTInferableQuantizer(bits, lut, th, signed, lutBits, EPS)
        }

    /**
     * The model of each channel's grid, built from the formulas of docs/quantizer-contract.md#core-math (uniform: from
     * the reported adjusted range).
     */
    fun grids(q: InferableQuantizer): List<GridModel> = when (kind.family) {
        SYMMETRIC -> thresholds.map { SymmetricModel(it, bits, signed, rounding) }
        LUT -> thresholds.map { LutModel(lut, it, lutBits, signed) }
        UNIFORM -> {
            val (mn, mx) = when (q) {
                is WeightsUniformInferableQuantizer -> q.minRange() to q.maxRange()
                is ActivationUniformInferableQuantizer -> floatArrayOf(q.minRange()) to floatArrayOf(q.maxRange())
                else -> error("not uniform: $q")
            }
            mn.indices.map { UniformModel(mn[it], mx[it], bits, rounding) }
        }
    }

    /** All-infinite input: each element goes to its channel's end of the grid, and to what a huge finite value gives. */
    fun checkSaturation(inf: Float) {
        val q = quantizer()
        val grids = grids(q)
        val out = run(q, FloatArray(x.size) { inf })
        val huge = run(q, FloatArray(x.size) { if (inf > 0) Float.MAX_VALUE else -Float.MAX_VALUE })
        out shouldBeBitwise huge
        for (i in out.indices) {
            val g = grids[channelOf(i)]
            val expected = if (inf > 0) g.largest else g.smallest
            withClue("element $i of Q($inf) (channel ${channelOf(i)}): expected $expected, got ${out[i]}") {
                if (g.exact) {
                    out[i].toRawBits() shouldBe expected.toRawBits()
                } else {
                    (abs(out[i].toDouble() - expected) <= GRID_TOLERANCE * g.unit).shouldBeTrue()
                }
            }
        }
    }

    override fun toString(): String = buildString {
        append(kind.className).append('(')
        append("bits=").append(bits)
        if (kind.family != LUT) append(", ").append(rounding)
        if (!kind.weights) append(", signed=").append(signed)
        if (kind.weights) append(", perChannel=").append(perChannel).append(", axis=").append(axis)
            .append(", inputRank=").append(inputRank)
        if (thresholds.isNotEmpty()) append(", threshold=").append(thresholds.contentToString())
        if (mins.isNotEmpty()) append(", min=").append(mins.contentToString()).append(", max=")
            .append(maxs.contentToString())
        if (kind.family == LUT) append(", lut=").append(lut.contentToString()).append(", b=").append(lutBits)
        append(") shape=").append(dims.contentToString())
        append(" x=").append(x.contentToString())
        append(" d=").append(d.contentToString())
    }
}

private const val EPS = 1e-8f

/** The expected grid of one channel. */
private sealed interface GridModel {
    /** Null when `out` is a grid value inside the representable range; otherwise why not. */
    fun violation(out: Float): String?
    val largest: Float
    val smallest: Float
    /** Whether largest/smallest (and grid membership) are exact float32 expectations. */
    val exact: Boolean
    /** One grid step, the scale of the tolerance when not exact. */
    val unit: Double
}

/** Symmetric/POT: δ = T / 2^(n-s), out = δ·q, q in [qmin, qmax]. Exact (float32 product) under HALF_EVEN. */
private class SymmetricModel(val threshold: Float, bits: Int, signed: Boolean, rounding: RoundingMode) : GridModel {
    val delta: Float = threshold / (1L shl (if (signed) bits - 1 else bits)).toFloat()
    val qmin: Double = if (signed) -(1L shl (bits - 1)).toDouble() else 0.0
    val qmax: Double = if (signed) ((1L shl (bits - 1)) - 1).toDouble() else ((1L shl bits) - 1).toDouble()
    override val exact = rounding == RoundingMode.HALF_EVEN
    override val unit = delta.toDouble()
    override val largest = qmax.toFloat() * delta
    override val smallest = qmin.toFloat() * delta

    override fun violation(out: Float): String? {
        val k = out.toDouble() / delta
        val r = Math.rint(k)
        if (abs(k - r) > GRID_TOLERANCE) return "out/δ = $k is not an integer (δ = $delta)"
        if (r < qmin || r > qmax) return "out/δ = $r is outside [$qmin, $qmax] (δ = $delta)"
        if (exact && out.toRawBits() != (r.toFloat() * delta).toRawBits()) {
            return "not the float32 product $r·δ = ${r.toFloat() * delta} (δ = $delta)"
        }
        return null
    }
}

/**
 * Uniform on the adjusted [min', max']: δ = (max'-min')/(2^n-1), zp = round(-min'/δ); out = (q - zp)·δ with
 * q in [0, 2^n-1]. Exact (float32 product) under HALF_EVEN.
 */
private class UniformModel(val min: Float, val max: Float, bits: Int, rounding: RoundingMode) : GridModel {
    val qmax: Float = ((1L shl bits) - 1).toFloat()
    val step: Float = (max - min) / qmax
    val zeroPoint: Float = Math.rint((-min / step).toDouble()).toFloat().coerceIn(0f, qmax)
    override val exact = rounding == RoundingMode.HALF_EVEN
    override val unit = step.toDouble()
    override val largest = (qmax - zeroPoint) * step
    override val smallest = (0f - zeroPoint) * step

    override fun violation(out: Float): String? {
        val k = (out.toDouble() - min) / step
        val r = Math.rint(k)
        if (abs(k - r) > GRID_TOLERANCE) return "(out - min')/δ = $k is not an integer (min' = $min, δ = $step)"
        if (r < 0 || r > qmax) return "(out - min')/δ = $r is outside [0, $qmax] (min' = $min, δ = $step)"
        if (exact) {
            val j = Math.rint(out.toDouble() / step)
            if (out.toRawBits() != (j.toFloat() * step).toRawBits()) {
                return "not the float32 product $j·δ = ${j.toFloat() * step} (δ = $step)"
            }
            if (j + zeroPoint < 0 || j + zeroPoint > qmax) return "q = $j + $zeroPoint is outside [0, $qmax]"
        }
        return null
    }
}

/** LUT: out = lut[j]/M·T for some j (float32, in that order), M = 2^(b-s). */
private class LutModel(val lut: FloatArray, val threshold: Float, lutBits: Int, signed: Boolean) : GridModel {
    val multiplier: Float = (1L shl (if (signed) lutBits - 1 else lutBits)).toFloat()
    val lo: Float = if (signed) -multiplier else 0f
    val hi: Float = multiplier - 1f
    val levels: List<Float> = lut.map { it / multiplier * threshold }
    private val levelBits = levels.map { it.toRawBits() }.toSet()
    override val exact = true
    override val unit = (threshold / multiplier).toDouble()
    override val largest = nearestLevel(hi)
    override val smallest = nearestLevel(lo)

    /** The level nearest to v; ties go to the first in the given order. */
    fun nearestLevel(v: Float): Float {
        var best = 0
        for (j in 1 until lut.size) if (abs(v - lut[j]) < abs(v - lut[best])) best = j
        return levels[best]
    }

    override fun violation(out: Float): String? =
        if (out.toRawBits() in levelBits) null else "$out is not one of the levels $levels"
}

private fun pow2(k: Int): Float = Math.scalb(1f, k)

/**
 * Random cases for one class and rounding mode. `perChannel` forces per-channel (or per-tensor) weights, `signedFlag`
 * the signedness of the activation classes that have the flag; null picks at random.
 */
private fun caseArb(
    kind: Kind,
    rounding: RoundingMode,
    perChannel: Boolean? = null,
    signedFlag: Boolean? = null,
): Arb<Case> = arbitrary { rs ->
    val r = rs.random
    val bits = r.nextInt(2, 9)
    val signed = when {
        kind.weights -> true
        !kind.hasSignedFlag -> false // uniform activations: no flag
        else -> signedFlag ?: r.nextBoolean()
    }
    val rank = r.nextInt(1, 5)
    val dims = IntArray(rank) { r.nextInt(1, 5) }
    val pc = kind.weights && (perChannel ?: r.nextBoolean())
    val axis = if (pc) r.nextInt(-rank, rank) else null
    val inputRank = when {
        !kind.weights -> null
        pc && kind.family == LUT -> rank
        r.nextBoolean() -> rank
        else -> null
    }
    val channels = if (pc) dims[if (axis!! < 0) axis + rank else axis] else 1

    val thresholds = if (kind.family == UNIFORM) FloatArray(0) else (0 until channels).map {
        if (kind.powerOfTwo) pow2(r.nextInt(-8, 9))
        else Arb.numericFloat(0.5f, 2f).bind() * pow2(r.nextInt(-6, 7))
    }.toFloatArray()

    val mins = ArrayList<Float>()
    val maxs = ArrayList<Float>()
    if (kind.family == UNIFORM) {
        repeat(channels) {
            val s = pow2(r.nextInt(-6, 7))
            val width = Arb.numericFloat(0.05f, 8f).bind() * s
            val min = when (r.nextInt(8)) {
                0 -> 0f
                1 -> -width // max = 0
                else -> Arb.numericFloat(-4f, 4f).bind() * s
            }
            mins += min
            maxs += if (min == -width) 0f else min + width
        }
    }

    val lutBits = if (kind.family == LUT) r.nextInt(bits, 9) else 8
    val lut = if (kind.family != LUT) FloatArray(0) else {
        val lo = if (signed) -(1 shl (lutBits - 1)) else 0
        val hi = if (signed) (1 shl (lutBits - 1)) - 1 else (1 shl lutBits) - 1
        val count = r.nextInt(1, minOf(1 shl bits, hi - lo + 1) + 1)
        (lo..hi).shuffled(r).take(count).map { it.toFloat() }.toFloatArray()
    }

    // Per channel: a grid unit (for exact ties and grid points) and a scale (for arbitrary values).
    val units = FloatArray(channels)
    val scales = FloatArray(channels)
    for (c in 0 until channels) {
        when (kind.family) {
            SYMMETRIC -> {
                units[c] = thresholds[c] / (1L shl (if (signed) bits - 1 else bits)).toFloat()
                scales[c] = thresholds[c]
            }
            UNIFORM -> {
                val a = UniformRange.adjust(mins[c], maxs[c], bits)
                units[c] = (a[1] - a[0]) / ((1L shl bits) - 1).toFloat()
                scales[c] = max(abs(mins[c]), abs(maxs[c]))
            }
            LUT -> {
                units[c] = thresholds[c] / (1L shl (if (signed) lutBits - 1 else lutBits)).toFloat()
                scales[c] = thresholds[c]
            }
        }
    }
    val probe = Case(kind, bits, rounding, signed, dims, pc, axis, inputRank, thresholds, mins.toFloatArray(),
        maxs.toFloatArray(), lut, lutBits, FloatArray(0), FloatArray(0))
    val n = dims.fold(1) { a, b -> a * b }
    val levelsRange = if (kind.family == LUT) 1 shl lutBits else 1 shl bits
    val x = (0 until n).map { i ->
        val c = probe.channelOf(i)
        when (r.nextInt(8)) {
            0 -> (r.nextInt(-levelsRange - 2, levelsRange + 3) + 0.5f) * units[c] // an exact tie
            1 -> r.nextInt(-levelsRange - 2, levelsRange + 3) * units[c] // a grid point
            2 -> if (r.nextBoolean()) 0f else -0f
            else -> Arb.numericFloat(-1.5f, 1.5f).bind() * scales[c]
        }
    }.toFloatArray()
    val d = (0 until n).map { i ->
        when (r.nextInt(4)) {
            0 -> 0f
            1 -> units[probe.channelOf(i)] * 0.5f
            else -> Arb.numericFloat(0f, 0.5f).bind() * scales[probe.channelOf(i)]
        }
    }.toFloatArray()
    Case(kind, bits, rounding, signed, dims, pc, axis, inputRank, thresholds, mins.toFloatArray(), maxs.toFloatArray(),
        lut, lutBits, x, d)
}
