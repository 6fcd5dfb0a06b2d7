package io.jqi.cli

import io.jqi.data.Digits
import io.jqi.modelfile.ModelFile
import io.jqi.json.TensorJson
import io.jqi.models.BuiltInModels
import io.jqi.onnx.export.ExportFormat
import io.jqi.onnx.export.OnnxExporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.floats.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name

/** `jqi export` and `jqi predict` on a model that `jqi qat` trained and finalized. */
class ExportPredictCommandsSpec : FunSpec({

    val dir = Files.createTempDirectory("jqi-onnx")
    val run = dir.resolve("run")
    val qat = jqi("qat", "--model", "mlp", "--preset", "w4a8", "--float-epochs", "2", "--qat-epochs", "1",
        "--out", run.toString())
    check(qat.code == 0) { "jqi qat failed: ${qat.err}" }
    val model = run.resolve("model.jqi").toString()
    val batch = Digits.load().inputs().narrow(0, 0, 5)
    val input = dir.resolve("x.json").also { Files.writeString(it, TensorJson.write(batch)) }.toString()

    fun onnxFile(name: String) = dir.resolve(name).toString()

    test("export writes a QDQ model that any ONNX reader sees as QuantizeLinear/DequantizeLinear pairs") {
        val out = onnxFile("model-qdq.onnx")
        val r = jqi("export", "--model", model, "--format", "onnx-qdq", "--out", out)

        r.code shouldBe 0
        r.out shouldContain "onnx-qdq, opset 21, input [batch, 1, 8, 8]"
        val ops = OnnxCodec.read(Path.of(out)).graph().nodes().map { it.opType() }.toSet()
        ops shouldContain "QuantizeLinear"
        ops shouldContain "DequantizeLinear"
        ops shouldContain "Gemm"
    }

    test("export writes the custom-op form in the mct_quantizers domain") {
        val out = onnxFile("model-mctq.onnx")
        jqi("export", "--model", model, "--format", "onnx-mctq", "--out", out).code shouldBe 0

        val onnx = OnnxCodec.read(Path.of(out))
        onnx.graph().nodes().filter { it.domain() == "mct_quantizers" }.map { it.opType() }.toSet()
            .shouldContainExactlyInAnyOrder("WeightsSymmetricQuantizer", "ActivationPOTQuantizer")
        onnx.metadata()["mctq_version"] shouldBe "1.6.0"
    }

    test("export carries the model's metadata into the ONNX metadata properties") {
        val out = onnxFile("with-metadata.onnx")
        jqi("export", "--model", model, "--format", "onnx-qdq", "--out", out).code shouldBe 0

        OnnxCodec.read(Path.of(out)).metadata()["input_shape"] shouldBe "[1,8,8]"
    }

    test("export of an unknown format lists the formats") {
        val r = jqi("export", "--model", model, "--format", "tflite", "--out", onnxFile("x.onnx"))

        r.code shouldBe 2
        r.err shouldContain "choose one of onnx-qdq, onnx-mctq"
    }

    test("export of a float model says to export the finalized one and writes nothing") {
        val out = onnxFile("float.onnx")
        val r = jqi("export", "--model", run.resolve("float.jqi").toString(), "--format", "onnx-qdq", "--out", out)

        r.code shouldBe 2
        r.err shouldContain "float model without quantizers"
        Files.exists(Path.of(out)) shouldBe false
    }

    test("export of a model that does not record its input shape asks for --input-shape") {
        val bare = dir.resolve("bare.jqi")
        ModelFile.save(bare, ModelFile.load(Path.of(model)).model)
        val r = jqi("export", "--model", bare.toString(), "--format", "onnx-qdq", "--out", onnxFile("bare.onnx"))

        r.code shouldBe 2
        r.err shouldContain "--input-shape"
        jqi("export", "--model", bare.toString(), "--format", "onnx-qdq", "--input-shape", "1,8,8",
            "--out", onnxFile("bare.onnx")).code shouldBe 0
    }

    test("export with an input shape the model rejects names the node") {
        val r = jqi("export", "--model", model, "--format", "onnx-qdq", "--input-shape", "1,7,7",
            "--out", onnxFile("wrong.onnx"))

        r.code shouldBe 2
        r.err shouldContain "does not accept inputs of shape"
        r.err.lines().filter { it.isNotBlank() }.size shouldBe 1
    }

    test("export leaves no temporary file next to its output") {
        val sub = Files.createDirectories(dir.resolve("atomic"))
        jqi("export", "--model", model, "--format", "onnx-qdq", "--out", sub.resolve("m.onnx").toString())
            .code shouldBe 0

        sub.listDirectoryEntries().map { it.name } shouldContainExactly listOf("m.onnx")
    }

    test("predict runs a jqi model and prints exactly what the model computes") {
        val r = jqi("predict", "--model", model, "--input", input)

        r.code shouldBe 0
        val expected = Tensor.noGrad().use { ModelFile.load(Path.of(model)).model.forward(batch) }
        r.out.trim() shouldBe TensorJson.write(expected)
        TensorJson.read(r.out).shape() shouldBe Shape.of(5, 10)
    }

    test("predict --output writes the same JSON to a file and nothing to standard output") {
        val out = dir.resolve("y.json")
        val r = jqi("predict", "--model", model, "--input", input, "--output", out.toString())

        r.code shouldBe 0
        r.out shouldBe ""
        Files.readString(out).trim() shouldBe jqi("predict", "--model", model, "--input", input).out.trim()
    }

    test("predict runs a float ONNX model through the importer") {
        val float = Tensor.noGrad().use {
            val m = BuiltInModels.create("cnn", intArrayOf(1, 8, 8), 10, 3).eval()
            OnnxCodec.write(OnnxExporter.export(m, Shape.of(1, 8, 8), ExportFormat.QDQ), dir.resolve("float.onnx"))
            m.forward(batch).toFloatArray()
        }
        val r = jqi("predict", "--model", dir.resolve("float.onnx").toString(), "--input", input)

        r.code shouldBe 0
        val actual = TensorJson.read(r.out).toFloatArray()
        actual.size shouldBe float.size
        for (i in float.indices) {
            kotlin.math.abs(actual[i] - float[i]) shouldBeLessThanOrEqual 1e-5f
        }
    }

    test("predict with a batch of the wrong shape is one clear line") {
        val wrong = dir.resolve("wrong.json").also { Files.writeString(it, "[[1, 2, 3]]") }
        val r = jqi("predict", "--model", model, "--input", wrong.toString())

        r.code shouldBe 2
        r.err shouldContain "does not accept the input of shape [1, 3]"
        r.err.trim().lines().size shouldBe 1
    }

    test("predict on a file that is no model says so") {
        val r = jqi("predict", "--model", input, "--input", input)

        r.code shouldBe 2
        r.err shouldContain "neither a jqi model nor a readable ONNX model"
    }

    test("predict on its QDQ export prints what predict on the jqi model prints, to the bit") {
        val out = onnxFile("qdq-for-predict.onnx")
        jqi("export", "--model", model, "--format", "onnx-qdq", "--out", out).code shouldBe 0
        val onnx = jqi("predict", "--model", out, "--input", input)

        onnx.code shouldBe 0
        onnx.out shouldBe jqi("predict", "--model", model, "--input", input).out
    }

    test("inspect of a QDQ export shows each QuantizeDequantize node with its bits and range") {
        val out = onnxFile("qdq-for-inspect.onnx")
        jqi("export", "--model", model, "--format", "onnx-qdq", "--out", out).code shouldBe 0
        val r = jqi("inspect", out)

        r.code shouldBe 0
        r.out shouldContain "QuantizeDequantize nodes (an imported QDQ model)"
        // w4a8: 8-bit activations; the input image's holder is unsigned.
        r.out shouldContain "QDQ 8-bit [0, 255] per-tensor"
    }

    test("qat on a QDQ export is refused as an already quantized model, in one line") {
        val out = onnxFile("qdq-for-qat.onnx")
        jqi("export", "--model", model, "--format", "onnx-qdq", "--out", out).code shouldBe 0
        val r = jqi("qat", "--model", out, "--preset", "w8a8", "--qat-epochs", "1",
            "--out", dir.resolve("qat-of-qdq").toString())

        r.code shouldBe 2
        r.err shouldContain "already quantized"
        r.err shouldNotContain "Exception"
    }
})
