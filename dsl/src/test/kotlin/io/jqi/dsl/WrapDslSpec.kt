package io.jqi.dsl

import io.jqi.nn.Conv2D
import io.jqi.nn.Dense
import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.WeightThresholds
import io.jqi.grid.PowerOfTwo
import io.jqi.quant.QuantizationMethod
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.util.Random

class WrapDslSpec : FunSpec({

    fun conv() = Conv2D(2, 3, 3, 1, 1, Random(1))
    fun bits(t: Tensor) = t.toFloatArray().map { it.toRawBits() }
    fun failure(block: () -> Unit) = shouldThrow<IllegalArgumentException>(block).message!!
    fun convWeightFailure(grid: WeightQuantizerScope.() -> Unit) = failure { wrap(conv()) { weight("weight", grid) } }

    test("wrap quantizes a weight per channel with the given thresholds, bit for bit as the quantizer alone") {
        val layer = conv()
        val wrapped = wrap(layer) {
            weight("weight") { symmetric(bits = 8) { perChannel(axis = 0); threshold(1f, 0.5f, 0.25f) } }
        }
        val q = wrapped.weightQuantizers().getValue("weight").shouldBeInstanceOf<WeightsSymmetricInferableQuantizer>()
        q.threshold().toList() shouldContainExactly listOf(1f, 0.5f, 0.25f)
        val weight = layer.namedParameters().getValue("weight")
        val alone = WeightsSymmetricInferableQuantizer.perChannel(8, floatArrayOf(1f, 0.5f, 0.25f), 0)
        bits(wrapped.quantizedWeights().getValue("weight")) shouldBe bits(alone.quantize(weight))
    }

    test("each grid builds its inferable quantizer, per tensor unless told otherwise") {
        val pot = wrap(conv()) { weight("weight") { powerOfTwo(bits = 4) { threshold(0.5f) } } }
            .weightQuantizers().getValue("weight").shouldBeInstanceOf<WeightsPOTInferableQuantizer>()
        pot.perChannel() shouldBe false
        val uniform = wrap(Dense(4, 2, true, Random(2))) {
            weight("weight") { uniform(bits = 8) { perChannel(); range(floatArrayOf(-1f, -2f), floatArrayOf(1f, 2f)) } }
            weight("bias") { uniform(bits = 8) { range(-1f, 1f); rounding = RoundingMode.TF_NUDGE_HALF_UP } }
        }.weightQuantizers()
        uniform.keys.toList() shouldContainExactly listOf("weight", "bias")
        uniform.getValue("weight").shouldBeInstanceOf<WeightsUniformInferableQuantizer>().channelAxis().asInt shouldBe 0
        uniform.getValue("bias").shouldBeInstanceOf<WeightsUniformInferableQuantizer>().rounding() shouldBe
            RoundingMode.TF_NUDGE_HALF_UP
    }

    test("fromWeights() takes NOCLIPPING thresholds from the weight, whatever the order of the calls") {
        val layer = conv()
        val weight = layer.namedParameters().getValue("weight")
        val q = wrap(layer) { weight("weight") { symmetric(bits = 8) { fromWeights(); perChannel(axis = 0) } } }
            .weightQuantizers().getValue("weight").shouldBeInstanceOf<WeightsSymmetricInferableQuantizer>()
        q.threshold().toList() shouldBe WeightThresholds.threshold(weight, QuantizationMethod.SYMMETRIC,
            ErrorMethod.NOCLIPPING, 8, true, 0, 2.0, PtqConfig.DEFAULT_MIN_THRESHOLD).toList()
        val pot = wrap(conv()) { weight("weight") { powerOfTwo(bits = 4) { fromWeights() } } }
            .weightQuantizers().getValue("weight").shouldBeInstanceOf<WeightsPOTInferableQuantizer>()
        pot.threshold().single().let { PowerOfTwo.isPowerOfTwo(it) } shouldBe true
    }

    test("fromWeights() takes NOCLIPPING ranges for a uniform grid") {
        val layer = Dense(4, 3, true, Random(3))
        val weight = layer.namedParameters().getValue("weight")
        val wrapped = wrap(layer) { weight("weight") { uniform(bits = 8) { perChannel(); fromWeights() } } }
        val (min, max) = WeightThresholds.range(weight, ErrorMethod.NOCLIPPING, 8, true, 0, 2.0)
        val expected = WeightsUniformInferableQuantizer(8, min, max, true, 0, null, RoundingMode.HALF_EVEN)
        bits(wrapped.quantizedWeights().getValue("weight")) shouldBe bits(expected.quantize(weight))
    }

    test("holder builds an activation quantizer with its threshold or range and signedness") {
        val pot = holder { powerOfTwo(bits = 8) { threshold(2f); signed() } }.quantizer()
            .shouldBeInstanceOf<ActivationPOTInferableQuantizer>()
        pot.threshold() shouldBe 2f
        pot.signed() shouldBe true
        holder { symmetric(bits = 4) { threshold(1.5f); unsigned() } }.quantizer()
            .shouldBeInstanceOf<ActivationSymmetricInferableQuantizer>().signed() shouldBe false
        holder { uniform(bits = 8) { range(-0.5f, 1f) } }.quantizer()
            .shouldBeInstanceOf<ActivationUniformInferableQuantizer>().maxRange() shouldBe 1f
    }

    test("per-channel thresholds must match the weight's channels") {
        convWeightFailure { symmetric(bits = 8) { perChannel(); threshold(1f, 1f) } } shouldBe
            "wrap(Conv2D) weight 'weight', SYMMETRIC grid: threshold has 2 values for 3 channels on axis 0 of shape " +
            "[3, 2, 3, 3]; give one per channel"
        convWeightFailure { symmetric(bits = 8) { threshold(1f, 1f, 1f) } } shouldBe
            "wrap(Conv2D) weight 'weight', SYMMETRIC grid: threshold has 3 values per tensor; give one, or call " +
            "perChannel(axis) for one per channel"
        convWeightFailure { symmetric(bits = 8) { perChannel(axis = 4); threshold(1f) } } shouldBe
            "wrap(Conv2D) weight 'weight', SYMMETRIC grid: Axis 4 is out of range for shape [3, 2, 3, 3]: it must " +
            "satisfy -4 <= axis < 4"
    }

    test("missing parameters say what to give") {
        convWeightFailure { symmetric(bits = 8) { } } shouldBe
            "wrap(Conv2D) weight 'weight', SYMMETRIC grid: give threshold(...): one value, or one per channel after " +
            "perChannel(axis); or fromWeights()"
        failure { wrap(conv()) { weight("weight") { } } } shouldBe
            "wrap(Conv2D) weight 'weight': no grid; give one of powerOfTwo, symmetric or uniform"
        failure { holder { powerOfTwo(bits = 8) { threshold(2f) } } } shouldBe
            "holder, POWER_OF_TWO grid: give signed() or unsigned()"
        failure { holder { uniform(bits = 8) { } } } shouldBe "holder, UNIFORM grid: give range(min, max)"
    }

    test("the core's checks on values come back naming the block") {
        failure { holder { powerOfTwo(bits = 8) { threshold(3f); signed() } } } shouldBe
            "holder, POWER_OF_TWO grid: Expected threshold to be power of 2 but is [3.0] (round it up with " +
            "PowerOfTwo.roundUp, or use a SYMMETRIC quantizer)"
        convWeightFailure { symmetric(bits = 20) { threshold(1f) } } shouldBe
            "wrap(Conv2D) weight 'weight', SYMMETRIC grid: num_bits must be between 1 and 16, got 20"
    }

    test("wrap needs an existing parameter, at least one, each once, and one grid per weight") {
        failure { wrap(conv()) { weight("kernel") { symmetric(bits = 8) { threshold(1f) } } } } shouldBe
            "wrap(Conv2D) weight 'kernel': the layer has no such parameter; its parameters are [weight, bias]"
        failure { wrap(conv()) { } } shouldBe
            "wrap(Conv2D) quantizes no weight; add weight(\"weight\") { ... } for each parameter to quantize"
        failure {
            wrap(conv()) {
                weight("weight") { symmetric(bits = 8) { threshold(1f) } }
                weight("weight") { symmetric(bits = 8) { threshold(1f) } }
            }
        } shouldBe "The weight attribute 'weight' already has a quantizer"
        failure { holder { symmetric(bits = 8) { threshold(1f); signed() }; uniform(bits = 8) { range(0f, 1f) } } }
            .shouldBe(
            "holder: the grid is already SYMMETRIC; give one of powerOfTwo, symmetric or uniform")
    }
})
