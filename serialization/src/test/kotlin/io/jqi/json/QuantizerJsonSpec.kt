package io.jqi.json

import io.jqi.grid.RoundingMode
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
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import java.nio.file.Files
import kotlin.random.Random

class QuantizerJsonSpec : FunSpec({

    val examples: List<InferableQuantizer> = listOf(
        WeightsPOTInferableQuantizer(4, floatArrayOf(0.5f, 2f, 0.125f), true, -1, 2, RoundingMode.HALF_EVEN),
        WeightsSymmetricInferableQuantizer(8, floatArrayOf(0.7055118f), false, null, null, RoundingMode.TF_NUDGE_HALF_UP),
        WeightsUniformInferableQuantizer(3, floatArrayOf(-19.905403f, 0.1f, -1f), floatArrayOf(37.145397f, 2f, -0.2f),
            true, 1, null, RoundingMode.HALF_EVEN),
        WeightsLUTSymmetricInferableQuantizer(3, floatArrayOf(-96f, -32f, 0f, 32f, 96f), floatArrayOf(2f, 0.3f), true,
            0, 2, 8, 1e-8f),
        WeightsLUTPOTInferableQuantizer(2, floatArrayOf(-64f, 0f, 64f), floatArrayOf(1f), false, null, null, 8, 0f),
        ActivationPOTInferableQuantizer(8, floatArrayOf(4f), false, RoundingMode.HALF_EVEN),
        ActivationSymmetricInferableQuantizer(4, floatArrayOf(1.7f), true, RoundingMode.TF_NUDGE_HALF_UP),
        ActivationUniformInferableQuantizer(8, floatArrayOf(-0.3f), floatArrayOf(1f), RoundingMode.HALF_EVEN),
        ActivationLutPOTInferableQuantizer(2, floatArrayOf(0f, 10f, 100f, 200f), floatArrayOf(8f), false, 8, 1e-8f),
    )

    fun inputFor(q: InferableQuantizer, random: Random): Tensor {
        val shape = when (q) {
            is WeightsPOTInferableQuantizer -> intArrayOf(5, 3)
            is WeightsUniformInferableQuantizer -> intArrayOf(2, 3, 4)
            is WeightsLUTSymmetricInferableQuantizer -> if (q.perChannel()) intArrayOf(2, 7) else intArrayOf(9)
            else -> intArrayOf(4, 5)
        }
        val n = shape.fold(1, Int::times)
        return Tensor.of(FloatArray(n) { (random.nextFloat() - 0.5f) * 8f }, *shape)
    }

    fun bits(t: Tensor) = t.toFloatArray().map { it.toRawBits() }

    test("every built-in quantizer reloads to the same file text and the same output bits") {
        val random = Random(42)
        for (q in examples) {
            val text = QuantizerJson.write(q)
            val back = QuantizerJson.read(text)
            back.javaClass shouldBe q.javaClass
            QuantizerJson.write(back) shouldBe text
            val x = inputFor(q, random)
            bits(back.quantize(x)) shouldBe bits(q.quantize(x))
        }
    }

    test("a file names the class, carries format_version 1 and writes enums by name") {
        val doc = Json.parseToJsonElement(QuantizerJson.write(examples[1])).jsonObject
        doc.keys shouldContainExactly setOf("class_name", "config", "format_version")
        doc["class_name"].toString() shouldBe "\"WeightsSymmetricInferableQuantizer\""
        doc["format_version"].toString() shouldBe "1"
        (doc["config"] as JsonObject)["rounding"].toString() shouldBe "\"TF_NUDGE_HALF_UP\""
    }

    test("each class writes the reference's config keys plus rounding where it rounds") {
        fun keys(q: InferableQuantizer) =
            (Json.parseToJsonElement(QuantizerJson.write(q)).jsonObject["config"] as JsonObject).keys
        keys(examples[0]) shouldContainExactly setOf("num_bits", "threshold", "per_channel", "channel_axis",
            "input_rank", "rounding")
        keys(examples[2]) shouldContainExactly setOf("num_bits", "min_range", "max_range", "per_channel",
            "channel_axis", "input_rank", "rounding")
        keys(examples[3]) shouldContainExactly setOf("num_bits", "lut_values", "threshold", "per_channel",
            "channel_axis", "input_rank", "lut_values_bitwidth", "eps")
        keys(examples[5]) shouldContainExactly setOf("num_bits", "signed", "threshold", "rounding")
        keys(examples[7]) shouldContainExactly setOf("num_bits", "min_range", "max_range", "rounding")
        keys(examples[8]) shouldContainExactly setOf("num_bits", "lut_values", "threshold", "signed",
            "lut_values_bitwidth", "eps")
    }

    test("uniform ranges are written adjusted, as the reference does") {
        val q = WeightsUniformInferableQuantizer(2, floatArrayOf(3f), floatArrayOf(10f), false, null, null,
            RoundingMode.HALF_EVEN)
        QuantizerJson.write(q) shouldContain "\"min_range\": [\n      0\n    ]"
    }

    test("optional keys take the reference's defaults") {
        val q = QuantizerJson.read("""{"class_name": "WeightsLUTSymmetricInferableQuantizer", "format_version": 1,
            "config": {"num_bits": 3, "lut_values": [-96, 0, 96], "threshold": [2], "per_channel": false}}""")
            as WeightsLUTSymmetricInferableQuantizer
        q.lutValuesBitwidth() shouldBe 8
        q.eps() shouldBe 1e-8f
        val s = QuantizerJson.read("""{"class_name": "ActivationPOTInferableQuantizer", "format_version": 1,
            "config": {"num_bits": 8, "signed": true, "threshold": [1]}}""") as ActivationPOTInferableQuantizer
        s.rounding() shouldBe RoundingMode.HALF_EVEN
    }

    test("writeFile replaces the file atomically and leaves no temporary file") {
        val dir = Files.createTempDirectory("jqi-json")
        val file = dir.resolve("q.json")
        Files.writeString(file, "old")
        QuantizerJson.writeFile(file, examples[5])
        QuantizerJson.readFile(file).javaClass shouldBe ActivationPOTInferableQuantizer::class.java
        Files.list(dir).use { it.map { p -> p.fileName.toString() }.toList() } shouldContainExactly listOf("q.json")
    }

    context("a bad file is a clear error that names the source and the key") {
        fun error(json: String) = shouldThrow<JsonFormatException> { QuantizerJson.read(json, "q.json") }.message!!
        val sym = """"class_name": "WeightsSymmetricInferableQuantizer", "format_version": 1"""

        test("unknown class_name lists the known ones") {
            error("""{"class_name": "Foo", "config": {}, "format_version": 1}""") shouldContain
                "unknown class_name 'Foo'; expected one of ActivationLutPOTInferableQuantizer"
        }
        test("a missing key is named, with the typo that stands in for it") {
            error("""{$sym, "config": {"num_bit": 8, "threshold": [1], "per_channel": false}}""") shouldBe
                "q.json: missing key 'num_bits' in \$.config (found 'num_bit': a typo?); " +
                "WeightsSymmetricInferableQuantizer requires it"
        }
        test("an unknown key is an error with a suggestion") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1], "per_channel": false, "singed": true}}""") shouldContain
                "unknown key 'singed' in \$.config"
        }
        test("a key of another class is an unknown key") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1], "per_channel": false, "signed": true}}""") shouldContain
                "unknown key 'signed' in \$.config; WeightsSymmetricInferableQuantizer takes num_bits, threshold"
        }
        test("a mistyped value names the expected type") {
            error("""{$sym, "config": {"num_bits": "8", "threshold": [1], "per_channel": false}}""") shouldBe
                "q.json: \$.config.num_bits must be an integer, found the string \"8\""
            error("""{$sym, "config": {"num_bits": 8.5, "threshold": [1], "per_channel": false}}""") shouldContain
                "must be an integer, found '8.5'"
            error("""{$sym, "config": {"num_bits": 8, "threshold": 1, "per_channel": false}}""") shouldContain
                "\$.config.threshold must be a list of numbers, found '1'"
        }
        test("a list of the wrong length gives the reference's message") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1, 2], "per_channel": false}}""") shouldBe
                "q.json: invalid WeightsSymmetricInferableQuantizer config: In per-tensor quantization threshold " +
                "should be of length 1 but is 2"
        }
        test("a NaN threshold is rejected wherever it is written") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": ["NaN"], "per_channel": false}}""") shouldContain
                "\$.config.threshold[0] must be a number, found the string \"NaN\""
            error("""{$sym, "config": {"num_bits": 8, "threshold": [NaN], "per_channel": false}}""") shouldContain
                "\$.config.threshold[0] must be a number, found 'NaN'"
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1e39], "per_channel": false}}""") shouldContain
                "\$.config.threshold[0] = 1e39 is outside the float32 range"
        }
        test("an invalid value gives the quantizer's own validation message") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [-1], "per_channel": false}}""") shouldContain
                "threshold[0] must be a positive finite number, got -1.0"
            error("""{"class_name": "WeightsPOTInferableQuantizer", "format_version": 1,
                "config": {"num_bits": 8, "threshold": [3], "per_channel": false}}""") shouldContain
                "Expected threshold to be power of 2 but is [3.0]"
        }
        test("format_version must be present and known") {
            error("""{"class_name": "WeightsSymmetricInferableQuantizer", "config": {}}""") shouldContain
                "missing key 'format_version'"
            error("""{"class_name": "WeightsSymmetricInferableQuantizer", "config": {}, "format_version": 2}""") shouldContain
                "format_version 2 is not supported; this jqi reads version 1"
        }
        test("an unknown rounding mode lists the valid ones") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1], "per_channel": false, "rounding": "HALF_UP"}}""") shouldContain
                "\$.config.rounding must be one of [HALF_EVEN, TF_NUDGE_HALF_UP]"
        }
        test("a syntax error names the line and column") {
            error("{\n  \"class_name\": \"Foo\",\n  \"config\": {,\n}") shouldStartWith "q.json is not valid JSON at line 3, column"
        }
        test("a document that is not an object is rejected") {
            error("[1, 2]") shouldBe "q.json: a quantizer must be a JSON object, found an array"
        }
        test("an unknown top-level key is rejected") {
            error("""{$sym, "config": {"num_bits": 8, "threshold": [1], "per_channel": false}, "extra": 1}""") shouldContain
                "unknown key 'extra' in \$"
        }
    }
})
