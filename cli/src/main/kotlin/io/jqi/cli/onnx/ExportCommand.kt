package io.jqi.cli.onnx

import io.jqi.cli.sources.ModelSources
import io.jqi.modelfile.ModelFile
import io.jqi.nn.QuantizeDequantize
import io.jqi.onnx.export.ExportFormat
import io.jqi.onnx.export.OnnxExporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Shape
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.intOrNull
import picocli.CommandLine.Command
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Option
import picocli.CommandLine.Spec
import java.io.UncheckedIOException
import java.nio.file.Path
import java.util.concurrent.Callable

/** `jqi export`: a finalized jqi model as an ONNX file, in QDQ or custom-op form (docs/onnx.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = ["Export a finalized jqi model (model.jqi from jqi qat) to ONNX.",
        "onnx-qdq writes standard QuantizeLinear/DequantizeLinear pairs that any ONNX runtime runs, with jqi's " +
            "results; onnx-mctq writes the reference's mct_quantizers custom ops. The file is written atomically."])
class ExportCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Option(names = ["--model"], required = true, paramLabel = "FILE", description = ["A saved jqi model."])
    lateinit var model: Path

    @Option(names = ["--format"], required = true, paramLabel = "FORMAT", description = ["onnx-qdq or onnx-mctq."])
    lateinit var format: String

    @Option(names = ["--out"], required = true, paramLabel = "FILE", description = ["The ONNX file to write."])
    lateinit var out: Path

    @Option(names = ["--input-shape"], paramLabel = "C,H,W", split = ",",
        description = ["The input shape without the batch dimension; by default the input_shape jqi qat saves " +
            "in the model's metadata."])
    var inputShape: IntArray? = null

    override fun call(): Int {
        val exportFormat = ExportFormat.fromCliName(format)
        val saved = ModelFile.load(model)
        val quantized = saved.model.namedModules().values
            .any { it is QuantizationWrapper || it is ActivationQuantizationHolder || it is QuantizeDequantize }
        require(quantized) {
            "$model holds a float model without quantizers; export a finalized model (jqi qat saves it as model.jqi)"
        }
        val shape = inputShape ?: savedInputShape(saved.metadata)
            ?: throw IllegalArgumentException("$model does not record its input shape; give --input-shape C,H,W")
        val onnx = OnnxExporter.export(saved.model, Shape.of(*shape), exportFormat, ModelSources.onnxMetadata(saved.metadata))
        try {
            OnnxCodec.write(onnx, out)
        } catch (e: UncheckedIOException) {
            throw IllegalArgumentException("cannot write $out: ${e.cause?.message ?: e.message}", e)
        }
        spec.commandLine().out.println("$out: ${exportFormat.cliName()}, opset ${OnnxExporter.OPSET}, " +
            "input [batch, ${shape.joinToString(", ")}], ${onnx.graph().nodes().size} nodes, " +
            "${onnx.graph().initializers().size} initializers")
        return 0
    }

    private fun savedInputShape(metadata: JsonObject): IntArray? {
        val array = metadata["input_shape"] as? JsonArray ?: return null
        return array.map { (it as? JsonPrimitive)?.intOrNull ?: return null }.toIntArray()
    }
}

