package io.jqi.json

import io.jqi.ptq.ActivationQuantization
import io.jqi.ptq.OpQuantization
import io.jqi.ptq.Signedness
import io.jqi.ptq.TargetPlatform
import io.jqi.ptq.WeightQuantization
import io.jqi.quant.QuantizationMethod
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import java.nio.file.Files

class TargetPlatformJsonSpec : FunSpec({

    val custom = TargetPlatform("int4-edge",
        OpQuantization.activationOnly(ActivationQuantization(QuantizationMethod.UNIFORM, 4, Signedness.UNSIGNED)),
        mapOf(
            "Dense" to OpQuantization.kernel(WeightQuantization.perTensor(QuantizationMethod.POWER_OF_TWO, 4), null),
            "MyBlock" to OpQuantization("kernel",
                WeightQuantization(QuantizationMethod.UNIFORM, 6, true, 1), null, false),
            "Flatten" to OpQuantization.preserving(),
            "Softmax" to OpQuantization.none(),
        ),
        listOf(listOf("Dense", "ReLU")))

    fun error(json: String) = shouldThrow<JsonFormatException> { TargetPlatformJson.read(json, "tp.json") }.message!!
    val header = """"format_version": 1, "name": "p""""

    test("the default platform and a custom one round-trip") {
        for (platform in listOf(TargetPlatform.defaultPlatform(), custom)) {
            val text = TargetPlatformJson.write(platform)
            TargetPlatformJson.read(text) shouldBe platform
            TargetPlatformJson.write(TargetPlatformJson.read(text)) shouldBe text
        }
    }

    test("an op writes every key, null for what stays float, and op kinds in the platform's order") {
        val doc = Json.parseToJsonElement(TargetPlatformJson.write(custom)).jsonObject
        doc.keys.toList() shouldContainExactly listOf("format_version", "name", "defaults", "ops", "fusing")
        val ops = doc["ops"] as JsonObject
        ops.keys.toList() shouldContainExactly listOf("Dense", "MyBlock", "Flatten", "Softmax")
        ops["Dense"].toString() shouldBe """{"kernel_attribute":"weight","weights":{"method":"POWER_OF_TWO",""" +
            """"bits":4,"per_channel":false,"channel_axis":0},"activation":null,"preserves_input_quantization":false}"""
        doc["defaults"].toString() shouldBe """{"kernel_attribute":null,"weights":null,"activation":{"method":""" +
            """"UNIFORM","bits":4,"signedness":"UNSIGNED"},"preserves_input_quantization":false}"""
    }

    test("weights may list mixed-precision candidate widths, as the default platform's kernels do") {
        TargetPlatform.defaultPlatform().forOp("Conv2D").weights().candidateBits() shouldBe listOf(8, 4, 2)
        (Json.parseToJsonElement(TargetPlatformJson.write(TargetPlatform.defaultPlatform())).jsonObject["ops"]!!
            .jsonObject["Conv2D"]!!.jsonObject["weights"]!!.jsonObject["candidate_bits"]).toString() shouldBe "[8,4,2]"
        val platform = TargetPlatformJson.read("""{$header, "defaults": {}, "ops": {"Dense": {"kernel_attribute":
            "weight", "weights": {"method": "SYMMETRIC", "bits": 8, "per_channel": true, "candidate_bits": [8, 6, 4]},
            "activation": null}}}""")
        platform.forOp("Dense").weights().candidateBits() shouldBe listOf(8, 6, 4)
    }

    test("activations may list mixed-precision candidate widths, as the default platform's do") {
        TargetPlatform.defaultPlatform().forOp("ReLU").activation().candidateBits() shouldBe listOf(8, 4, 2)
        (Json.parseToJsonElement(TargetPlatformJson.write(TargetPlatform.defaultPlatform())).jsonObject["defaults"]!!
            .jsonObject["activation"]!!.jsonObject["candidate_bits"]).toString() shouldBe "[8,4,2]"
        val platform = TargetPlatformJson.read("""{$header, "defaults": {"activation": {"method": "POWER_OF_TWO",
            "bits": 8, "candidate_bits": [8, 6]}}, "ops": {}}""")
        platform.defaults().activation().candidateBits() shouldBe listOf(8, 6)
        TargetPlatformJson.read(TargetPlatformJson.write(platform)) shouldBe platform
    }

    test("a hand-written op may leave out what defaults: float, axis 0, AUTO signedness") {
        val platform = TargetPlatformJson.read("""{$header, "defaults": {},
            "ops": {"Conv2D": {"kernel_attribute": "weight", "weights": {"method": "SYMMETRIC", "bits": 8,
            "per_channel": true}, "activation": {"method": "POWER_OF_TWO", "bits": 8}}}}""")
        platform.defaults() shouldBe OpQuantization.none()
        platform.forOp("Conv2D") shouldBe OpQuantization.kernel(
            WeightQuantization.perChannel(QuantizationMethod.SYMMETRIC, 8),
            ActivationQuantization.of(QuantizationMethod.POWER_OF_TWO, 8))
        platform.fusing() shouldBe emptyList()
    }

    test("writeFile replaces the file atomically and readFile reads it back") {
        val dir = Files.createTempDirectory("jqi-platform")
        val file = dir.resolve("platform.json")
        TargetPlatformJson.writeFile(file, custom)
        TargetPlatformJson.readFile(file) shouldBe custom
        Files.list(dir).use { it.map { p -> p.fileName.toString() }.toList() } shouldContainExactly
            listOf("platform.json")
    }

    context("a bad file is a clear error that names the source and the key") {
        test("format_version must be present and known") {
            error("""{"name": "p", "defaults": {}}""") shouldBe "tp.json: missing key 'format_version' (this jqi reads 1)"
            error("""{"format_version": 3, "name": "p", "defaults": {}}""") shouldContain "format_version 3 is not supported"
        }
        test("required keys are named") {
            error("""{"format_version": 1, "defaults": {}}""") shouldBe
                "tp.json: missing key 'name' in $; a target platform document requires it"
            error("""{$header, "defaults": {"weights": {"method": "SYMMETRIC", "bits": 8}, "kernel_attribute": "w"}}""") shouldBe
                "tp.json: missing key 'per_channel' in \$.defaults.weights; a weights quantization requires it"
        }
        test("unknown keys list the allowed ones") {
            error("""{$header, "defaults": {"preserve_input_quantization": true}}""") shouldBe "tp.json: unknown key " +
                "'preserve_input_quantization' in \$.defaults (did you mean 'preserves_input_quantization'?); an op " +
                "quantization takes kernel_attribute, weights, activation, preserves_input_quantization"
        }
        test("a bad enum name lists the allowed ones") {
            error("""{$header, "defaults": {"activation": {"method": "POT", "bits": 8}}}""") shouldBe
                "tp.json: \$.defaults.activation.method must be one of [POWER_OF_TWO, SYMMETRIC, UNIFORM, LUT_POT, " +
                "LUT_SYMMETRIC], found the string \"POT\""
            error("""{$header, "defaults": {"activation": {"method": "UNIFORM", "bits": 8, "signedness": "NO"}}}""") shouldContain
                "signedness must be one of [AUTO, SIGNED, UNSIGNED]"
        }
        test("wrong types name the type expected") {
            error("""{$header, "defaults": {}, "ops": {"Dense": 1}}""") shouldBe
                "tp.json: \$.ops.Dense must be an object, found '1'"
            error("""{$header, "defaults": {}, "fusing": [["Dense", 2]]}""") shouldBe
                "tp.json: \$.fusing[0] must be a list of strings, found an array"
            error("""{$header, "defaults": {"activation": {"method": "UNIFORM", "bits": 8.0}}}""") shouldBe
                "tp.json: \$.defaults.activation.bits must be an integer, found '8.0'"
        }
        test("the core's checks come back at their path") {
            error("""{$header, "defaults": {"activation": {"method": "UNIFORM", "bits": 32}}}""") shouldBe
                "tp.json: invalid \$.defaults.activation: Activation bits must be between 1 and 16, got 32"
            error("""{$header, "defaults": {"weights": {"method": "SYMMETRIC", "bits": 8, "per_channel": true}}}""") shouldBe
                "tp.json: invalid \$.defaults: An op with weights quantization must name its kernel attribute (such as " +
                "\"weight\")"
            error("""{$header, "defaults": {}, "fusing": [["Dense"]]}""") shouldBe "tp.json: Target platform 'p': a " +
                "fusing pattern is a pair [producer, consumer] of op kinds, got [Dense]"
        }
    }
})
