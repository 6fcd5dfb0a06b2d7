package io.jqi.cli.report

import io.jqi.json.JsonFormatException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.nio.file.Files
import java.util.Random

class RunReportSpec : FunSpec({

    val report = Fixtures.report(Fixtures.quantize(Fixtures.cnn(Random(1)), Fixtures.w2a3Platform()))

    test("a report survives a JSON round trip, nulls and all") {
        val partial = report.copy(
            accuracy = Accuracies(float = 0.97, ptq = 0.5),
            epochs = report.epochs + EpochRecord(EpochRecord.QAT, 5, Double.NaN, 0.1, 1.0, 10.0),
        )
        RunReport.parse(report.toJson()) shouldBe report
        RunReport.parse(partial.toJson()) shouldBe partial
    }

    test("the JSON uses snake_case names and starts with format_version 1") {
        val tree = Json.parseToJsonElement(report.toJson()).jsonObject
        tree.keys.first() shouldBe "format_version"
        tree["format_version"]!!.jsonPrimitive.content shouldBe "1"
        tree.keys shouldBe setOf("format_version", "dataset", "model", "preset", "config", "seed", "device",
            "distillation", "weights_memory", "weights_memory_used", "bit_ops", "bit_ops_used", "activation_memory",
            "activation_memory_used", "total_memory", "total_memory_used", "accuracy", "epochs", "phases", "layers",
            "started_at", "jqi_version")
        (tree["dataset"] as JsonObject).keys shouldBe
            setOf("name", "source", "train_size", "test_size", "input_shape", "classes")
        report.toJson() shouldContain "\"test_accuracy\": "
        report.toJson() shouldContain "\"images_per_second\": "
        report.toJson() shouldContain "\"per_channel\": true"
        report.toJson() shouldContain "\"finalized\": "
        // The QAT config is embedded as its own JSON document.
        tree["config"]!!.jsonObject["format_version"]!!.jsonPrimitive.content shouldBe "1"
    }

    test("a report written before weight records carried their grid reads back with no grid") {
        fun withoutGrid(e: JsonElement): JsonElement = when (e) {
            is JsonObject -> JsonObject(e.filterKeys { it != "grid" }.mapValues { withoutGrid(it.value) })
            is JsonArray -> JsonArray(e.map(::withoutGrid))
            else -> e
        }
        val earlier = withoutGrid(Json.parseToJsonElement(report.toJson())).toString()
        RunReport.parse(earlier) shouldBe
            report.copy(layers = report.layers.map { it.copy(weights = it.weights?.copy(grid = null)) })
    }

    test("reading a file back gives the same report") {
        val dir = Files.createTempDirectory("jqi-report")
        val path = ReportWriter.writeJson(dir, report)
        RunReport.read(path) shouldBe report
    }

    test("unknown keys are rejected with the file and the key named") {
        val dir = Files.createTempDirectory("jqi-report")
        val path = dir.resolve("report.json")
        Files.writeString(path, report.toJson().replaceFirst("\"seed\":", "\"sede\": 1, \"seed\":"))
        val e = shouldThrow<JsonFormatException> { RunReport.read(path) }
        e.message shouldStartWith path.toString()
        e.message shouldContain "sede"
    }

    test("a nested unknown key is rejected too") {
        val text = report.toJson().replaceFirst("\"train_size\":", "\"trian_size\": 3, \"train_size\":")
        shouldThrow<JsonFormatException> { RunReport.parse(text, "r.json") }.message shouldContain "trian_size"
    }

    test("a missing field, a wrong type, a bad phase and a future version are clear errors") {
        val json = report.toJson()
        shouldThrow<JsonFormatException> { RunReport.parse(json.replaceFirst("\"device\": \"cpu\",", "")) }
            .message shouldContain "device"
        shouldThrow<JsonFormatException> { RunReport.parse(json.replaceFirst("\"seed\": 42", "\"seed\": \"x\"")) }
            .message shouldContain "seed"
        shouldThrow<JsonFormatException> { RunReport.parse(json.replaceFirst("\"phase\": \"qat\"", "\"phase\": \"QAT\"")) }
            .message shouldContain "an epoch's phase must be \"float\" or \"qat\", got \"QAT\""
        shouldThrow<JsonFormatException> { RunReport.parse(json.replaceFirst("\"format_version\": 1", "\"format_version\": 2")) }
            .message shouldBe "report: report format_version 2 is not supported (this jqi reads version 1)"
        shouldThrow<JsonFormatException> { RunReport.parse("{\"model\": \"cnn\"}", "r.json") }
            .message shouldBe "r.json: a run report needs \"format_version\": 1"
        shouldThrow<JsonFormatException> { RunReport.parse("[1]", "r.json") }
            .message shouldBe "r.json: a run report must be a JSON object"
        shouldThrow<JsonFormatException> { RunReport.parse("{", "r.json") }.message shouldStartWith
            "r.json is not valid JSON"
    }

    test("a missing file is a one-line error") {
        val missing = Files.createTempDirectory("jqi-report").resolve("nope.json")
        shouldThrow<JsonFormatException> { RunReport.read(missing) }.message shouldBe
            "cannot read $missing: no such file"
    }

    test("the jqi version comes from the build") {
        RunReport.currentJqiVersion() shouldStartWith "0."
    }
})
