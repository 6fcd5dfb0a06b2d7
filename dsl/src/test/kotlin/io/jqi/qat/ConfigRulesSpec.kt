package io.jqi.qat

import io.jqi.dsl.LSQ
import io.jqi.dsl.QatScope
import io.jqi.dsl.STE
import io.jqi.dsl.qat
import io.jqi.json.JsonFormatException
import io.jqi.json.QatConfigJson
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.Signedness
import io.jqi.quant.QuantizationMethod
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/**
 * Every conflict a QAT config can express is rejected with one message, whichever way the config is written: the
 * Kotlin DSL, the Java builder (or, where the builder cannot express the conflict, the Java records) and a JSON
 * file. Each front end puts only its own context before that message: the block for the DSL and the builder, the
 * source and the key path for JSON. JSON has no "given twice" but a repeated key, which the parser rejects.
 */
class ConfigRulesSpec : FunSpec({

    fun dsl(block: QatScope.() -> Unit) = shouldThrow<IllegalArgumentException> { qat(block = block) }.message!!

    fun java(build: QatConfig.Builder.() -> Unit) =
        shouldThrow<IllegalArgumentException> { QatConfig.builder().apply(build).build() }.message!!

    fun records(make: () -> Any) = shouldThrow<IllegalArgumentException> { make() }.message!!

    fun json(text: String) =
        shouldThrow<JsonFormatException> { QatConfigJson.read(text.trimIndent(), "qat.json") }.message!!

    context("disabled settings set nothing else, since it would have no effect") {
        test("disabled weights with a grid") {
            val rule = "Disabled weights stay float, so the 8-bit SYMMETRIC grid has no effect; remove one of the two"
            dsl { weights { disabled(); symmetric(bits = 8) } } shouldBe "weights: $rule"
            java { weights { it.disabled().symmetric(8) } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"enabled": false, "method": "SYMMETRIC", "bits": 8}}""") shouldBe
                "qat.json: invalid \$.weights: $rule"
        }

        test("disabled activations with a grid in a layer rule") {
            val rule = "Disabled activations stay float, so the 8-bit UNIFORM grid has no effect; remove one of the two"
            dsl { layer("head") { activations { disabled(); uniform(bits = 8) } } } shouldBe
                "layer 'head' activations: $rule"
            java { layer("head") { l -> l.activations { it.disabled().uniform(8) } } } shouldBe
                "layer 'head' activations: $rule"
            json("""
                {"format_version": 1,
                 "layers": [{"selector": "head", "activations": {"enabled": false, "method": "UNIFORM", "bits": 8}}]}
            """) shouldBe "qat.json: invalid \$.layers[0].activations: $rule"
        }

        test("disabled weights with a grid and per-channel quantization") {
            val rule = "Disabled weights stay float, so the 4-bit POWER_OF_TWO grid and per-channel quantization " +
                "have no effect; remove disabled or those settings"
            dsl { weights { disabled(); powerOfTwo(bits = 4) { perChannel() } } } shouldBe "weights: $rule"
            java { weights { it.disabled().powerOfTwo(4).perChannel() } } shouldBe "weights: $rule"
            json("""
                {"format_version": 1,
                 "weights": {"enabled": false, "method": "POWER_OF_TWO", "bits": 4, "per_channel": true}}
            """) shouldBe "qat.json: invalid \$.weights: $rule"
        }

        test("disabled activations with a grid and a signedness") {
            val rule = "Disabled activations stay float, so the 8-bit POWER_OF_TWO grid and signedness SIGNED have " +
                "no effect; remove disabled or those settings"
            dsl { activations { disabled(); powerOfTwo(bits = 8) { signed() } } } shouldBe "activations: $rule"
            java { activations { it.disabled().powerOfTwo(8).signedness(Signedness.SIGNED) } } shouldBe
                "activations: $rule"
            json("""
                {"format_version": 1,
                 "activations": {"enabled": false, "method": "POWER_OF_TWO", "bits": 8, "signedness": "SIGNED"}}
            """) shouldBe "qat.json: invalid \$.activations: $rule"
        }

        test("disabled weights with a training method") {
            val rule = "Disabled weights stay float, so the training method LSQ has no effect; remove one of the two"
            dsl { weights { disabled(); training = LSQ } } shouldBe "weights: $rule"
            java { weights { it.disabled().training(LSQ) } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"enabled": false, "training_method": "LSQ"}}""") shouldBe
                "qat.json: invalid \$.weights: $rule"
        }

        test("disabled activations with a parameter override") {
            val rule = "Disabled activations stay float, so the parameter override freeze_quant_params has no " +
                "effect; remove one of the two"
            dsl { activations { disabled(); override("freeze_quant_params", true) } } shouldBe "activations: $rule"
            java { activations { it.disabled().override("freeze_quant_params", true) } } shouldBe
                "activations: $rule"
            json("""
                {"format_version": 1,
                 "activations": {"enabled": false, "params_override": {"freeze_quant_params": true}}}
            """) shouldBe "qat.json: invalid \$.activations: $rule"
        }
    }

    context("a rule or setting the records reject, which the builders cannot express") {
        test("a skipping layer rule with a training method") {
            val rule = "Layer rule 'stem' both skips the layer and sets how it is quantized; keep one"
            val lsq = WeightsSettings(LSQ, null, null, null, null, null, mapOf())
            java { rule(LayerRule("stem", true, lsq, null)) } shouldBe rule
            json("""
                {"format_version": 1,
                 "layers": [{"selector": "stem", "skip": true, "weights": {"training_method": "LSQ"}}]}
            """) shouldBe "qat.json: invalid \$.layers[0]: $rule"
        }

        test("per-tensor weights with a channel axis") {
            val rule = "Per-tensor weights have no channel axis, so channel axis 1 has no effect; remove one of the two"
            records { WeightsSettings(null, QuantizationMethod.SYMMETRIC, 8, false, 1, null, mapOf()) } shouldBe rule
            json("""
                {"format_version": 1,
                 "weights": {"method": "SYMMETRIC", "bits": 8, "per_channel": false, "channel_axis": 1}}
            """) shouldBe "qat.json: invalid \$.weights: $rule"
        }
    }

    context("an option or block is given once; JSON's only way to give it twice is a repeated key") {
        test("a grid given twice") {
            val rule = "the grid is given twice; give one of powerOfTwo, symmetric or uniform"
            dsl { weights { symmetric(bits = 4); uniform(bits = 8) } } shouldBe "weights: $rule"
            java { weights { it.symmetric(4).uniform(8) } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"method": "SYMMETRIC", "method": "UNIFORM"}}""") shouldBe
                "qat.json: key 'method' is given twice in \$.weights (again at line 1, column 58); keep one"
        }

        test("the same grid given twice") {
            dsl { activations { powerOfTwo(bits = 8); powerOfTwo(bits = 8) } } shouldBe
                "activations: the grid is given twice; give one of powerOfTwo, symmetric or uniform"
            java { activations { it.powerOfTwo(8).powerOfTwo(8) } } shouldBe
                "activations: the grid is given twice; give one of powerOfTwo, symmetric or uniform"
        }

        test("a config's weights block given twice") {
            val rule = "the weights block is given twice; put its settings in one block"
            dsl { weights { symmetric(bits = 4) }; weights { training = LSQ } } shouldBe rule
            java { weights { it.symmetric(4) }.weights { it.training(LSQ) } } shouldBe rule
            json("""{"format_version": 1, "weights": {"bits": 4}, "weights": {"training_method": "LSQ"}}""") shouldBe
                "qat.json: key 'weights' is given twice in \$ (again at line 1, column 47); keep one"
        }

        test("a layer rule's activations block given twice") {
            val rule = "the activations block is given twice; put its settings in one block"
            dsl { layer("head") { activations { uniform(bits = 8) }; activations { } } } shouldBe "layer 'head': $rule"
            java { layer("head") { l -> l.activations { it.uniform(8) }.activations { } } } shouldBe
                "layer 'head': $rule"
            json("""
                {"format_version": 1,
                 "layers": [{"selector": "head", "activations": {"bits": 8}, "activations": {}}]}
            """) shouldBe "qat.json: key 'activations' is given twice in \$.layers[0] (again at line 2, column 62); " +
                "keep one"
        }

        test("the ptq block given twice") {
            val rule = "the ptq block is given twice; put its settings in one block"
            dsl { ptq { lpValue = 3.0 }; ptq { biasCorrection = false } } shouldBe rule
            java { ptq(PtqConfig.defaults()).ptq(PtqConfig.defaults()) } shouldBe rule
            json("""{"format_version": 1, "ptq": {}, "ptq": {}}""") shouldBe
                "qat.json: key 'ptq' is given twice in \$ (again at line 1, column 34); keep one"
        }

        test("a training method given twice") {
            val rule = "the training method is given twice; give one"
            dsl { weights { training = LSQ; training = STE } } shouldBe "weights: $rule"
            java { weights { it.training(LSQ).training(STE) } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"training_method": "LSQ", "training_method": "STE"}}""") shouldBe
                "qat.json: key 'training_method' is given twice in \$.weights (again at line 1, column 61); keep one"
        }

        test("per-channel given twice, even on different axes") {
            val rule = "per-channel or per-tensor is given twice; give one of perChannel or perTensor"
            dsl { weights { symmetric(bits = 8) { perChannel(axis = 0); perChannel(axis = 1) } } } shouldBe
                "weights: $rule"
            java { weights { it.symmetric(8).perChannel(0).perChannel(1) } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"channel_axis": 0, "channel_axis": 1}}""") shouldBe
                "qat.json: key 'channel_axis' is given twice in \$.weights (again at line 1, column 54); keep one"
        }

        test("per-tensor after per-channel") {
            val rule = "per-channel or per-tensor is given twice; give one of perChannel or perTensor"
            dsl { weights { symmetric(bits = 8) { perChannel(); perTensor() } } } shouldBe "weights: $rule"
            java { weights { it.symmetric(8).perChannel().perTensor() } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"per_channel": true, "per_channel": false}}""") shouldBe
                "qat.json: key 'per_channel' is given twice in \$.weights (again at line 1, column 56); keep one"
        }

        test("a signedness given twice") {
            val rule = "the signedness is given twice; give one"
            dsl { activations { powerOfTwo(bits = 8) { signed(); unsigned() } } } shouldBe "activations: $rule"
            java { activations { it.powerOfTwo(8).signedness(Signedness.SIGNED).signedness(Signedness.UNSIGNED) } }
                .shouldBe("activations: $rule")
            json("""{"format_version": 1, "activations": {"signedness": "SIGNED", "signedness": "UNSIGNED"}}""")
                .shouldBe("qat.json: key 'signedness' is given twice in \$.activations (again at line 1, column 63); " +
                    "keep one")
        }

        test("disabled given twice") {
            val rule = "disabled is given twice; give it once"
            dsl { weights { disabled(); disabled() } } shouldBe "weights: $rule"
            java { weights { it.disabled().disabled() } } shouldBe "weights: $rule"
            json("""{"format_version": 1, "weights": {"enabled": false, "enabled": false}}""") shouldBe
                "qat.json: key 'enabled' is given twice in \$.weights (again at line 1, column 53); keep one"
        }

        test("a parameter override given twice") {
            val rule = "the override 'gradient_scale' is given twice; give it once"
            dsl { weights { override("gradient_scale", "PAPER"); override("gradient_scale", "MCT") } } shouldBe
                "weights: $rule"
            java { weights { it.override("gradient_scale", "PAPER").override("gradient_scale", "MCT") } } shouldBe
                "weights: $rule"
            json("""
                {"format_version": 1,
                 "weights": {"params_override": {"gradient_scale": "PAPER", "gradient_scale": "MCT"}}}
            """) shouldBe "qat.json: key 'gradient_scale' is given twice in \$.weights.params_override (again at " +
                "line 2, column 61); keep one"
        }
    }
})
