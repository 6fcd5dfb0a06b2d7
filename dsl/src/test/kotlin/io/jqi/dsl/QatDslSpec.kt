package io.jqi.dsl

import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.Signedness
import io.jqi.qat.ActivationsSettings
import io.jqi.qat.LayerRule
import io.jqi.qat.QatConfig
import io.jqi.qat.WeightsSettings
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.MarkQuantizer
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.trainable.LsqGradientScale
import io.jqi.quant.trainable.STEWeightQATQuantizer
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/** A user's training method "HMQ" for symmetric weights; a config only needs the registry to find its annotation. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = [QuantizationMethod.SYMMETRIC], identifier = "HMQ")
class HmqWeightQuantizer

class QatDslSpec : FunSpec({

    fun failure(block: QatScope.() -> Unit) = shouldThrow<IllegalArgumentException> { qat(block = block) }.message!!

    test("the issue's example sets exactly what it says") {
        val config = qat {
            weights { training = LSQ; symmetric(bits = 4) { perChannel() } }
            activations { powerOfTwo(bits = 8) }
            layer("classifier") { weights { uniform(bits = 8) } }
            skip("stem.conv")
        }
        config.weights() shouldBe WeightsSettings(LSQ, QuantizationMethod.SYMMETRIC, 4, true, null, null, mapOf())
        config.activations() shouldBe
            ActivationsSettings(null, QuantizationMethod.POWER_OF_TWO, 8, null, null, mapOf())
        config.layers() shouldContainExactly listOf(
            LayerRule("classifier", false, WeightsSettings(null, QuantizationMethod.UNIFORM, 8, null, null, null,
                mapOf()), null),
            LayerRule("stem.conv", true, null, null),
        )
        config.ptq() shouldBe PtqConfig.defaults()
    }

    test("an empty block is the default config") {
        qat { } shouldBe QatConfig.defaults()
    }

    test("grid blocks choose per-channel axis, per-tensor and signedness; unset options stay inherited") {
        val config = qat {
            weights { symmetric(bits = 8) { perChannel(axis = 1) } }
            activations { uniform(bits = 8) { unsigned() } }
            layer("Dense") { weights { powerOfTwo(bits = 4) { perTensor() } } }
        }
        config.weights().channelAxis() shouldBe 1
        config.activations().signedness() shouldBe Signedness.UNSIGNED
        config.layers()[0].weights().perChannel() shouldBe false
        qat { activations { uniform(bits = 8) } }.activations().signedness() shouldBe null
    }

    test("overrides are kept as text, enums by name, and disabled() keeps tensors float") {
        val config = qat {
            weights { training = LSQ; override("gradient_scale", LsqGradientScale.PAPER) }
            activations { override("freeze_quant_params", true) }
            layer("head") { activations { disabled() } }
        }
        config.weights().paramsOverride() shouldBe mapOf("gradient_scale" to "PAPER")
        config.activations().paramsOverride() shouldBe mapOf("freeze_quant_params" to "true")
        config.layers()[0].activations().enabled() shouldBe false
    }

    test("ptq { } changes only what it sets") {
        val config = qat { ptq { weightsErrorMethod = ErrorMethod.NOCLIPPING; biasCorrection = false } }
        config.ptq() shouldBe PtqConfig.defaults().withWeightsErrorMethod(ErrorMethod.NOCLIPPING)
            .withWeightsBiasCorrection(false)
    }

    test("a user's identifier works like STE and LSQ when its registry serves it") {
        val registry = QuantizerRegistry().register(HmqWeightQuantizer::class.java)
        qat(registry) { weights { training = "HMQ"; symmetric(bits = 4) } }.weights().trainingMethod() shouldBe "HMQ"
    }

    test("an identifier nobody registered fails at build, listing the known ones") {
        failure { weights { training = "HMQ"; symmetric(bits = 4) } } shouldContain
            "The QAT config's weights cannot be trained: No quantizer is registered for target WEIGHTS, identifier " +
            "'HMQ' and method SYMMETRIC. Nothing is registered for that target and identifier (known identifiers: " +
            "[LSQ, STE, inferable_quantizer_id])"
    }

    test("a grid the training method has no quantizer for fails at build, naming the quantizers that exist") {
        val registry = QuantizerRegistry().register(STEWeightQATQuantizer::class.java)
        shouldThrow<IllegalArgumentException> {
            qat(registry) { layer("classifier") { weights { uniform(bits = 8) } } }
        }.message shouldContain "layer rule 'classifier' weights cannot be trained: No quantizer is registered for " +
            "target WEIGHTS, identifier 'STE' and method UNIFORM. Registered for that target and identifier: " +
            "[io.jqi.quant.trainable.STEWeightQATQuantizer [POWER_OF_TWO, SYMMETRIC]]"
    }

    test("bits out of range name the block and the valid range") {
        failure { weights { symmetric(bits = 0) } } shouldBe
            "weights: Weights bits must be between 1 and 16, got 0"
        failure { layer("classifier") { activations { powerOfTwo(bits = 17) } } } shouldBe
            "layer 'classifier' activations: Activation bits must be between 1 and 16, got 17"
    }

    test("a negative channel axis names the block") {
        failure { weights { symmetric(bits = 8) { perChannel(axis = -1) } } } shouldBe
            "weights: The weights channel axis must be >= 0, got -1"
    }

    test("a block takes one grid") {
        failure { weights { symmetric(bits = 8); uniform(bits = 8) } } shouldBe
            "weights: the grid is given twice; give one of powerOfTwo, symmetric or uniform"
    }

    test("a settings block is given once per level") {
        failure { weights { }; weights { } } shouldBe "the weights block is given twice; put its settings in one block"
        failure { layer("a") { activations { }; activations { } } } shouldBe
            "layer 'a': the activations block is given twice; put its settings in one block"
    }

    test("disabled() with a grid is a contradiction") {
        failure { weights { disabled(); symmetric(bits = 8) } } shouldBe
            "weights: Disabled weights stay float, so the 8-bit SYMMETRIC grid has no effect; remove one of the two"
    }

    test("a blank training identifier or selector is rejected with what to use instead") {
        failure { weights { training = " " } } shouldContain "use STE, LSQ or the identifier of a registered quantizer"
        failure { skip("") } shouldContain "A layer rule needs a selector"
    }

    test("invalid PTQ settings name the ptq block") {
        failure { ptq { lpValue = 0.5 } } shouldBe "ptq: l_p_value must be a finite number >= 1, got 0.5"
    }
})
