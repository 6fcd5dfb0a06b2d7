package io.jqi.cli

import io.jqi.cli.report.RunReport
import io.jqi.modelfile.ModelFile
import io.jqi.onnx.proto.DataType
import io.jqi.onnx.proto.Dim
import io.jqi.onnx.proto.OnnxAttribute
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.onnx.proto.OnnxGraph
import io.jqi.onnx.proto.OnnxModel
import io.jqi.onnx.proto.OnnxNode
import io.jqi.onnx.proto.OnnxTensor
import io.jqi.onnx.proto.OnnxValueInfo
import io.jqi.onnx.proto.OpsetId
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import java.nio.file.Path
import java.util.Random

/** `jqi qat --model model.onnx` and `jqi inspect model.onnx` on a float ONNX model written in the test. */
class OnnxCommandsSpec : FunSpec({

    val dir = Files.createTempDirectory("jqi-onnx")

    fun floats(random: Random, name: String, vararg dims: Long, scale: Float): OnnxTensor {
        val n = dims.fold(1L) { a, b -> a * b }.toInt()
        return OnnxTensor.ofFloats(name, dims, FloatArray(n) { random.nextGaussian().toFloat() * scale })
    }

    fun node(name: String, op: String, inputs: List<String>, outputs: List<String>, vararg attrs: OnnxAttribute) =
        OnnxNode(name, op, "", inputs, outputs, attrs.toList())

    /**
     * A small float CNN for the 8x8 digits as an exporter would write it: input scaling (Sub, Mul by constants),
     * Conv - Relu - MaxPool - Flatten - Gemm, opset 13, batch dimension symbolic.
     */
    fun digitsCnn(path: Path, op: String = "Relu") {
        val random = Random(1)
        val inits = listOf(
            OnnxTensor.ofFloats("mean", longArrayOf(), floatArrayOf(0.5f)),
            OnnxTensor.ofFloats("scale", longArrayOf(), floatArrayOf(2f)),
            floats(random, "conv.weight", 8, 1, 3, 3, scale = 0.3f), floats(random, "conv.bias", 8, scale = 0.05f),
            floats(random, "fc.weight", 10, 128, scale = 0.1f), floats(random, "fc.bias", 10, scale = 0.05f))
        val nodes = listOf(
            node("center", "Sub", listOf("input", "mean"), listOf("centered")),
            node("scale", "Mul", listOf("centered", "scale"), listOf("scaled")),
            node("conv", "Conv", listOf("scaled", "conv.weight", "conv.bias"), listOf("c"),
                OnnxAttribute.ofInts("pads", 1, 1, 1, 1)),
            node("act", op, listOf("c"), listOf("r")),
            node("pool", "MaxPool", listOf("r"), listOf("p"), OnnxAttribute.ofInts("kernel_shape", 2, 2),
                OnnxAttribute.ofInts("strides", 2, 2)),
            node("flatten", "Flatten", listOf("p"), listOf("f")),
            node("fc", "Gemm", listOf("f", "fc.weight", "fc.bias"), listOf("logits"), OnnxAttribute.ofInt("transB", 1)))
        val input = OnnxValueInfo("input", DataType.FLOAT, listOf(Dim.symbolic("N"), Dim.of(1), Dim.of(8), Dim.of(8)))
        val output = OnnxValueInfo("logits", DataType.FLOAT, listOf(Dim.symbolic("N"), Dim.of(10)))
        val graph = OnnxGraph("digits", nodes, inits, listOf(input), listOf(output), listOf())
        OnnxCodec.write(OnnxModel(8, listOf(OpsetId("", 13)), "jqi-test", "1", "", 1, "", graph,
            mapOf("author" to "OnnxCommandsSpec")), path)
    }

    val model = dir.resolve("digits.onnx")
    digitsCnn(model)

    test("jqi inspect shows what an ONNX model imports as") {
        val r = jqi("inspect", model.toString())
        r.code shouldBe 0
        r.out shouldContain "GraphModel"
        r.out shouldContain "not quantized"
        for (layer in listOf("Sub", "Mul", "Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense")) {
            r.out shouldContain layer
        }
        r.out shouldContain "1,370 parameters" // 8*9 + 8 + 10*128 + 10
        r.out shouldContain "metadata: format, producer, opset, input_shape, metadata_props"
    }

    test("jqi qat --model model.onnx trains, quantizes and finalizes the imported model") {
        val out = dir.resolve("qat")
        // The model has no batch norm: without --lr, float training would start at the cautious 0.001.
        val r = jqi("qat", "--model", model.toString(), "--float-epochs", "3", "--qat-epochs", "1", "--lr", "0.01",
            "--out", out.toString())
        r.err shouldBe ""
        r.out shouldContain "no batch or layer normalization left"
        r.code shouldBe 0
        val report = RunReport.read(out.resolve("report.json"))
        report.accuracy.float!! shouldBeGreaterThan 0.8
        report.accuracy.finalized!! shouldBeGreaterThan 0.8
        val inspected = jqi("inspect", out.resolve("model.jqi").toString())
        inspected.out shouldContain "weights SYMMETRIC 8-bit per-channel"
        inspected.out shouldNotContain "not quantized"
        ("conv" in ModelFile.load(out.resolve("model.jqi")).model.namedChildren().keys) shouldBe true
    }

    test("an ONNX model jqi cannot import is a one-line error naming the node and the op") {
        val gelu = dir.resolve("gelu.onnx")
        digitsCnn(gelu, op = "Gelu")
        val r = jqi("inspect", gelu.toString())
        r.code shouldNotBe 0
        r.err shouldContain "node 'act' (Gelu): operator Gelu is not supported"
        r.err shouldNotContain "\tat "
    }

    test("a corrupt ONNX file is a one-line error naming the file") {
        val corrupt = dir.resolve("corrupt.onnx")
        Files.write(corrupt, Files.readAllBytes(model).copyOf(100))
        val r = jqi("qat", "--model", corrupt.toString(), "--out", dir.resolve("never").toString())
        r.code shouldNotBe 0
        r.err shouldContain "$corrupt: invalid ONNX"
        r.err shouldNotContain "\tat "
    }
})
