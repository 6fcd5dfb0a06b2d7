package io.jqi.json

import io.jqi.dsl.HmqWeightQuantizer
import io.jqi.dsl.LSQ
import io.jqi.dsl.qat
import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.qat.QatConfig
import io.jqi.qat.mixed.ActivationMemoryBudget
import io.jqi.qat.mixed.BitOpsBudget
import io.jqi.qat.mixed.MixedPrecisionSettings
import io.jqi.qat.mixed.TotalMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryBudget
import io.jqi.quant.registry.QuantizerRegistry
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.string.shouldStartWith
import java.nio.file.Files

class QatConfigJsonSpec : FunSpec({

    val full = qat {
        weights { training = LSQ; symmetric(bits = 4) { perChannel() }; override("gradient_scale", "PAPER") }
        activations { powerOfTwo(bits = 8) }
        layer("classifier") { weights { uniform(bits = 8) { perChannel(axis = 0) } } }
        layer("Dense") { activations { training = "STE"; symmetric(bits = 16) { unsigned() } } }
        layer("head") { weights { disabled() } }
        skip("stem.conv")
        ptq { weightsErrorMethod = ErrorMethod.NOCLIPPING; lpValue = 3.0 }
    }

    // The same text is the example of docs/qat-config.md.
    val fullText = """
        {
          "format_version": 1,
          "weights": {
            "training_method": "LSQ",
            "method": "SYMMETRIC",
            "bits": 4,
            "per_channel": true,
            "params_override": {
              "gradient_scale": "PAPER"
            }
          },
          "activations": {
            "method": "POWER_OF_TWO",
            "bits": 8
          },
          "layers": [
            {
              "selector": "classifier",
              "weights": {
                "method": "UNIFORM",
                "bits": 8,
                "per_channel": true,
                "channel_axis": 0
              }
            },
            {
              "selector": "Dense",
              "activations": {
                "training_method": "STE",
                "method": "SYMMETRIC",
                "bits": 16,
                "signedness": "UNSIGNED"
              }
            },
            {
              "selector": "head",
              "weights": {
                "enabled": false
              }
            },
            {
              "selector": "stem.conv",
              "skip": true
            }
          ],
          "ptq": {
            "weights_error_method": "NOCLIPPING",
            "activation_error_method": "MSE",
            "l_p_value": 3.0,
            "min_threshold": 0.000015258789,
            "weights_bias_correction": true,
            "shift_negative_correction": false,
            "shift_negative_params_search": false
          }
        }
    """.trimIndent()

    fun error(json: String, registry: QuantizerRegistry = QuantizerRegistry.global()) =
        shouldThrow<JsonFormatException> { QatConfigJson.read(json, "qat.json", registry) }.message!!

    test("the defaults round-trip") {
        QatConfigJson.read(QatConfigJson.write(QatConfig.defaults())) shouldBe QatConfig.defaults()
    }

    test("a full config is written with snake_case keys and enums by name, omitting what it inherits") {
        QatConfigJson.write(full) shouldBe fullText
    }

    test("a full config with layer rules and overrides round-trips") {
        QatConfigJson.read(fullText) shouldBe full
    }

    test("a hand-written file may leave out everything but format_version") {
        QatConfigJson.read("""{"format_version": 1}""") shouldBe QatConfig.defaults()
        QatConfigJson.read("""{"format_version": 1, "weights": {"training_method": "LSQ"}, "ptq": {"l_p_value": 4}}""")
            .let { it.weights().trainingMethod() to it.ptq().lpValue() } shouldBe (LSQ to 4.0)
    }

    test("the shift-negative parameter search round-trips, and without the correction is refused at its path") {
        val config = QatConfig.builder()
            .ptq(PtqConfig.defaults().withShiftNegativeCorrection(true).withShiftNegativeParamsSearch(true)).build()
        QatConfigJson.read(QatConfigJson.write(config)) shouldBe config
        error("""{"format_version": 1, "ptq": {"shift_negative_params_search": true}}""") shouldBe
            "qat.json: invalid \$.ptq: shift_negative_params_search searches the shifts of shift-negative correction, " +
            "which is off; turn on shift_negative_correction too"
    }

    test("mixed precision is written only when set, and round-trips with either budget") {
        QatConfigJson.write(QatConfig.defaults()) shouldNotContain "mixed_precision"
        for (budget in listOf(WeightsMemoryBudget.relativeTo8Bits(0.25), WeightsMemoryBudget.bytes(100_000))) {
            val config = QatConfig.builder().mixedPrecision(budget, 2, 3, 4).build()
            QatConfigJson.read(QatConfigJson.write(config)) shouldBe config
        }
        for (bitOps in listOf(BitOpsBudget.relativeTo8Bits(0.5), BitOpsBudget.count(123_456_789))) {
            val config = QatConfig.builder().mixedPrecision(MixedPrecisionSettings(null, bitOps, emptyList())).build()
            QatConfigJson.read(QatConfigJson.write(config)) shouldBe config
        }
        QatConfigJson.read("""{"format_version": 1, "mixed_precision": {"weights_memory": 0.5}}""").mixedPrecision() shouldBe
            MixedPrecisionSettings(WeightsMemoryBudget.relativeTo8Bits(0.5), emptyList())
    }

    test("activation and total memory budgets and the activations' candidates round-trip") {
        val settings = listOf(
            MixedPrecisionSettings(null, null, ActivationMemoryBudget.relativeTo8Bits(0.5), null, emptyList(), listOf(8, 4)),
            MixedPrecisionSettings(null, null, ActivationMemoryBudget.bytes(2048), TotalMemoryBudget.bytes(9000),
                listOf(2, 8), emptyList()),
            MixedPrecisionSettings(null, null, null, TotalMemoryBudget.relativeTo8Bits(0.4), emptyList(), emptyList()))
        for (s in settings) {
            val config = QatConfig.builder().mixedPrecision(s).build()
            QatConfigJson.read(QatConfigJson.write(config)) shouldBe config
        }
        QatConfigJson.read("""{"format_version": 1, "mixed_precision": {"activation_memory": 0.5,
            "activation_candidate_bits": [8, 6]}}""").mixedPrecision() shouldBe
            MixedPrecisionSettings(null, null, ActivationMemoryBudget.relativeTo8Bits(0.5), null, null, listOf(8, 6))
        error("""{"format_version": 1, "mixed_precision": {"total_memory": 0.5, "total_memory_bytes": 10}}""") shouldContain
            "give the total memory once"
    }

    test("a mixed-precision block without a budget, or with one given twice, is refused at its path") {
        error("""{"format_version": 1, "mixed_precision": {"candidate_bits": [2, 4]}}""") shouldContain
            "invalid $.mixed_precision: give a budget"
        error("""{"format_version": 1, "mixed_precision": {"weights_memory": 0.5, "weights_memory_bytes": 10}}""") shouldContain
            "give the weights memory once"
        error("""{"format_version": 1, "mixed_precision": {"bit_ops": 0.5, "bit_ops_count": 10}}""") shouldContain
            "give the bit operations once"
        error("""{"format_version": 1, "mixed_precision": {"weights_memory": 0.5, "candidate_bits": [4, 4]}}""") shouldContain
            "candidate widths must differ"
    }

    test("parameter overrides may be strings, numbers or booleans and are kept as text") {
        QatConfigJson.read("""{"format_version": 1, "activations": {"params_override": {"a": true, "b": 2.5}}}""")
            .activations().paramsOverride() shouldBe mapOf("a" to "true", "b" to "2.5")
    }

    test("a file reads against the registry it is given") {
        val json = """{"format_version": 1, "weights": {"training_method": "HMQ", "method": "SYMMETRIC"}}"""
        val registry = QuantizerRegistry().register(HmqWeightQuantizer::class.java)
        QatConfigJson.read(json, "qat.json", registry).weights().trainingMethod() shouldBe "HMQ"
        error(json) shouldContain "qat.json: The QAT config's weights cannot be trained: No quantizer is registered " +
            "for target WEIGHTS, identifier 'HMQ' and method SYMMETRIC"
    }

    test("writeFile replaces the file atomically and readFile reads it back") {
        val dir = Files.createTempDirectory("jqi-qat")
        val file = dir.resolve("qat.json")
        Files.writeString(file, "old")
        QatConfigJson.writeFile(file, full)
        QatConfigJson.readFile(file) shouldBe full
        Files.list(dir).use { it.map { p -> p.fileName.toString() }.toList() } shouldContainExactly listOf("qat.json")
    }

    context("a bad file is a clear error that names the source and the key") {
        test("format_version must be present and known") {
            error("""{"weights": {}}""") shouldBe "qat.json: missing key 'format_version' (this jqi reads 1)"
            error("""{"format_version": 2}""") shouldBe
                "qat.json: format_version 2 is not supported; this jqi reads version 1"
        }
        test("an unknown key lists the allowed ones") {
            error("""{"format_version": 1, "wieghts": {}}""") shouldBe "qat.json: unknown key 'wieghts' in $ (did " +
                "you mean 'weights'?); a QAT config document takes format_version, weights, activations, layers, ptq, mixed_precision"
            error("""{"format_version": 1, "weights": {"per_chanel": true}}""") shouldBe "qat.json: unknown key " +
                "'per_chanel' in \$.weights (did you mean 'per_channel'?); the weights block takes training_method, " +
                "method, bits, enabled, params_override, per_channel, channel_axis"
            error("""{"format_version": 1, "activations": {"per_channel": true}}""") shouldContain
                "unknown key 'per_channel' in \$.activations"
        }
        test("a bad enum name lists the allowed ones") {
            error("""{"format_version": 1, "weights": {"method": "POT"}}""") shouldBe "qat.json: \$.weights.method " +
                "must be one of [POWER_OF_TWO, SYMMETRIC, UNIFORM, LUT_POT, LUT_SYMMETRIC], found the string \"POT\""
            error("""{"format_version": 1, "ptq": {"weights_error_method": "L2"}}""") shouldContain
                "\$.ptq.weights_error_method must be one of [NOCLIPPING, MSE, MAE, LP]"
        }
        test("a value of the wrong type names the type expected") {
            error("""{"format_version": 1, "weights": {"bits": "8"}}""") shouldBe
                "qat.json: \$.weights.bits must be an integer, found the string \"8\""
            error("""{"format_version": 1, "layers": {}}""") shouldBe
                "qat.json: \$.layers must be a list of objects, found an object"
            error("""{"format_version": 1, "layers": [{"selector": "a", "skip": "yes"}]}""") shouldBe
                "qat.json: \$.layers[0].skip must be true or false, found the string \"yes\""
        }
        test("an out-of-range value gives the core's message at its path") {
            error("""{"format_version": 1, "layers": [{"selector": "a"}, {"selector": "b", "weights": {"bits": 17}}]}""") shouldBe
                "qat.json: invalid \$.layers[1].weights: Weights bits must be between 1 and 16, got 17"
            error("""{"format_version": 1, "ptq": {"min_threshold": 0}}""") shouldBe
                "qat.json: invalid \$.ptq: min_threshold must be a positive finite number, got 0.0"
        }
        test("a rule that skips and quantizes is rejected") {
            error("""{"format_version": 1, "layers": [{"selector": "a", "skip": true, "weights": {"bits": 4}}]}""") shouldBe
                "qat.json: invalid \$.layers[0]: Layer rule 'a' both skips the layer and sets how it is quantized; keep one"
        }
        test("LSQ with a LUT grid fails, naming the LSQ quantizers that exist") {
            error("""{"format_version": 1, "weights": {"training_method": "LSQ", "method": "LUT_POT"}}""") shouldStartWith
                "qat.json: The QAT config's weights cannot be trained: No quantizer is registered for target WEIGHTS, " +
                "identifier 'LSQ' and method LUT_POT. Registered for that target and identifier: " +
                "[io.jqi.quant.trainable.LSQUniformWeightQATQuantizer [UNIFORM], " +
                "io.jqi.quant.trainable.LSQWeightQATQuantizer [POWER_OF_TWO, SYMMETRIC]]."
        }
        test("syntax errors and non-objects are reported as such") {
            error("{\"format_version\": 1,\n \"weights\": }") shouldStartWith "qat.json is not valid JSON at line 2"
            error("[]") shouldBe "qat.json: a QAT config must be a JSON object, found an array"
        }
    }
})
