package io.jqi.cli

import io.jqi.json.QuantizerJson
import io.jqi.json.TensorJson
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.string.shouldStartWith
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.concurrent.TimeUnit
import kotlin.math.abs

/**
 * `jqi fakequant` reproduces the reference's worked examples (docs/quantizer-contract.md#worked-examples) in both
 * rounding modes.
 */
class FakeQuantCommandSpec : FunSpec({

    val dir = Files.createTempDirectory("jqi-fakequant")

    fun file(name: String, text: String): String = dir.resolve(name).also { Files.writeString(it, text) }.toString()

    fun quantizer(className: String, config: String, rounding: String?) = file("$className-${rounding ?: "lut"}.json",
        """{"class_name": "$className", "config": {$config${rounding?.let { ", \"rounding\": \"$it\"" } ?: ""}},
            "format_version": 1}""")

    fun fakequant(q: String, input: String): JqiResult = jqi("fakequant", "--quantizer", q, "--input", file("x.json", input))

    fun values(json: String) = TensorJson.read(json).toFloatArray()

    data class Example(val id: String, val className: String, val config: String, val input: String,
                       val halfEven: String, val tf: String, val rounds: Boolean = true)

    val examples = listOf(
        Example("T2", "WeightsSymmetricInferableQuantizer",
            """"num_bits": 2, "threshold": [3, 6, 2], "per_channel": true, "channel_axis": -1""",
            "[[-4, 2, 1.2], [3, -7, 0.74]]", "[[-3,3,1],[1.5,-6,1]]", "[[-3,3,1],[1.5,-6,1]]"),
        Example("T5", "ActivationUniformInferableQuantizer", """"num_bits": 2, "min_range": [-0.3], "max_range": [1.0]""",
            "[-0.5, -0.2, 0.1, 0.3, 0.7, 0.9, 2.0]",
            "[-0.4333333,0,0,0.4333333,0.8666666,0.8666666,0.8666666]",
            "[-0.4333333,0,0,0.4333333,0.8666667,0.8666667,0.8666667]"),
        Example("T6", "WeightsUniformInferableQuantizer", """"num_bits": 2, "min_range": [3], "max_range": [10], "per_channel": false""",
            "[-1, 1.6, 1.7, 5, 8.4, 12]", "[0,0,3.3333333,6.6666665,10,10]", "[0,0,3.3333333,6.6666665,10,10]"),
        // T7's corner cases of the range adjustment, seen through the quantizers that apply it: ranges above zero
        // become [0, max] per channel; a range below zero becomes [min, 0] (and -5 is a tie: -1.5 steps).
        Example("T7 per channel", "WeightsUniformInferableQuantizer",
            """"num_bits": 2, "min_range": [0.1, 0.1, 1, 0], "max_range": [0.5, 0.25, 2, 1], "per_channel": true, "channel_axis": 0""",
            "[[0.3], [0.3], [0.3], [0.3]]", "[[0.33333334],[0.25],[0],[0.33333334]]",
            "[[0.33333334],[0.25],[0],[0.33333334]]"),
        Example("T7 negative", "ActivationUniformInferableQuantizer", """"num_bits": 2, "min_range": [-10], "max_range": [-3]""",
            "[-11, -5, -1, 2]", "[-10,-6.6666665,0,0]", "[-10,-3.3333335,0,0]"),
        Example("T9", "ActivationPOTInferableQuantizer", """"num_bits": 8, "signed": true, "threshold": [1]""",
            "[-1.5, -1, -0.00390625, 0.001953125, 0.005859375, 0.99, 1.0]",
            "[-1,-1,0,0,0.0078125,0.9921875,0.9921875]", "[-1,-1,0,0,0.0078125,0.9921875,0.9921875]"),
        Example("T12", "WeightsLUTSymmetricInferableQuantizer",
            """"num_bits": 3, "lut_values": [-96, -32, 0, 32, 96], "threshold": [2], "per_channel": false, "lut_values_bitwidth": 8""",
            "[-3, -1.2, -0.5, -0.24, 0.26, 0.74, 1.6, 2.5]", "[-1.5,-1.5,-0.5,0,0.5,0.5,1.5,1.5]",
            "[-1.5,-1.5,-0.5,0,0.5,0.5,1.5,1.5]", rounds = false),
        // Exact .5 ties on the T9 grid (step 1/128): the one place the two modes differ.
        Example("ties", "ActivationPOTInferableQuantizer", """"num_bits": 8, "signed": true, "threshold": [1]""",
            "[0.00390625, -0.01171875, 0.01171875, -0.00390625]",
            "[0,-0.015625,0.015625,0]", "[0.0078125,-0.0078125,0.015625,0]"),
    )

    for (e in examples) {
        val modes = if (e.rounds) listOf("HALF_EVEN" to e.halfEven, "TF_NUDGE_HALF_UP" to e.tf) else listOf(null to e.halfEven)
        for ((mode, expected) in modes) {
            test("${e.id} ${mode ?: "(LUT, no rounding)"} prints the example's values exactly") {
                val q = quantizer(e.className, e.config, mode)
                val r = fakequant(q, e.input)
                r.err shouldBe ""
                r.code shouldBe 0
                r.out.trim() shouldBe expected
                // and the command prints exactly what the library computes
                val library = QuantizerJson.readFile(Path.of(q)).quantize(TensorJson.read(e.input))
                r.out.trim() shouldBe TensorJson.write(library)
            }
        }
    }

    test("T5's printed values are the reference example's to its five decimals") {
        val t5 = examples.first { it.id == "T5" }
        val r = fakequant(quantizer(t5.className, t5.config, "HALF_EVEN"), t5.input)
        val spec = floatArrayOf(-0.43333f, 0f, 0f, 0.43333f, 0.86667f, 0.86667f, 0.86667f)
        values(r.out).zip(spec.toList()).forEach { (a, b) -> (abs(a - b) < 1e-5f) shouldBe true }
    }

    test("NaN stays NaN and infinities saturate to the ends of the grid") {
        val q = quantizer("ActivationPOTInferableQuantizer", """"num_bits": 8, "signed": true, "threshold": [1]""", "HALF_EVEN")
        fakequant(q, """["NaN", "Infinity", "-Infinity", -0.0]""").out.trim() shouldBe """["NaN",0.9921875,-1,0]"""
    }

    test("a rank-0 input gives a rank-0 output") {
        val q = quantizer("ActivationPOTInferableQuantizer", """"num_bits": 8, "signed": true, "threshold": [1]""", "HALF_EVEN")
        fakequant(q, "0.3").out.trim() shouldBe "0.296875"
    }

    test("--output writes the result to a file and nothing to standard output") {
        val q = quantizer(examples[0].className, examples[0].config, "HALF_EVEN")
        val target = dir.resolve("out/y.json")
        val r = jqi("fakequant", "--quantizer", q, "--input", file("x2.json", examples[0].input), "--output", target.toString())
        r.code shouldBe 0
        r.out shouldBe ""
        Files.readString(target).trim() shouldBe examples[0].halfEven
    }

    context("bad input exits 2 with one line on standard error and nothing on standard output") {
        fun shouldFailWith(r: JqiResult, text: String) {
            r.code shouldBe 2
            r.out shouldBe ""
            r.err.trim().lines().size shouldBe 1
            r.err shouldContain text
        }
        val good = quantizer(examples[0].className, examples[0].config, "HALF_EVEN")

        test("a missing file") {
            shouldFailWith(jqi("fakequant", "--quantizer", "/nonexistent/q.json", "--input", file("x3.json", "1")),
                "jqi fakequant: cannot read /nonexistent/q.json: no such file")
        }
        test("a missing option") {
            shouldFailWith(jqi("fakequant", "--input", "x.json"), "Missing required option: '--quantizer=Q.json'")
        }
        test("an invalid quantizer file") {
            shouldFailWith(fakequant(file("bad.json", """{"class_name": "Nope", "config": {}, "format_version": 1}"""), "1"),
                "unknown class_name 'Nope'")
        }
        test("a shape that does not fit the quantizer") {
            shouldFailWith(fakequant(good, "[[1, 2], [3, 4]]"),
                "WeightsSymmetricInferableQuantizer has 3 per-channel parameters but the input has 2 channels on axis -1")
        }
        test("a ragged input") {
            shouldFailWith(fakequant(good, "[[1, 2, 3], [4]]"), "expected an array of 3 elements at \$[1]")
        }
    }

    test("--version and --help work") {
        jqi("--version").out shouldStartWith "jqi "
        jqi("--help").out shouldContain "fakequant"
        jqi("fakequant", "--help").out shouldContain "--quantizer"
    }

    test("the ./jqi launcher runs the built command from the repository root") {
        val root = generateSequence(Paths.get("").toAbsolutePath()) { it.parent }.first { Files.exists(it.resolve("jqi")) && Files.exists(it.resolve("pom.xml")) }
        val q = quantizer(examples[0].className, examples[0].config, "HALF_EVEN")
        val process = ProcessBuilder(root.resolve("jqi").toString(), "fakequant", "--quantizer", q, "--input",
            file("x4.json", examples[0].input)).redirectErrorStream(false).start()
        val out = process.inputStream.bufferedReader().readText()
        val err = process.errorStream.bufferedReader().readText()
        process.waitFor(120, TimeUnit.SECONDS) shouldBe true
        err shouldNotContain "Exception"
        process.exitValue() shouldBe 0
        out.trim() shouldBe examples[0].halfEven
    }
})
