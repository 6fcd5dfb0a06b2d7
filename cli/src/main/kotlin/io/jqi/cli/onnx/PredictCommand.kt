package io.jqi.cli.onnx

import io.jqi.modelfile.ModelFile
import io.jqi.json.TensorJson
import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.onnx.OnnxImportException
import io.jqi.onnx.OnnxImporter
import io.jqi.onnx.proto.OnnxFormatException
import io.jqi.tensor.Tensor
import picocli.CommandLine.Command
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Option
import picocli.CommandLine.Spec
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

/** `jqi predict`: runs a jqi or ONNX model on one batch given as JSON and prints its output as `jqi fakequant` does. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = ["Run a saved jqi model or a float ONNX model on a batch.",
        "The input is nested JSON arrays with the batch first (NCHW for images); standard output carries only the " +
            "output, as nested JSON arrays of exact float32 values in shortest round-trip form, like jqi fakequant."])
class PredictCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Option(names = ["--model"], required = true, paramLabel = "FILE",
        description = ["A jqi model (told by its JQIMODEL header) or an ONNX model, imported as jqi's graph."])
    lateinit var model: Path

    @Option(names = ["--input"], required = true, paramLabel = "X.json", description = ["The batch."])
    lateinit var input: Path

    @Option(names = ["--output"], paramLabel = "Y.json",
        description = ["Write the output here (atomically) instead of to standard output."])
    var output: Path? = null

    override fun call(): Int {
        val x = TensorJson.readFile(input)
        val module = load(model)
        if (module is GraphModel && module.outputNames().size != 1) {
            throw IllegalArgumentException("$model has ${module.outputNames().size} outputs " +
                "${module.outputNames()}; jqi predict runs models with one output")
        }
        val y = try {
            Tensor.noGrad().use { module.forward(x) }
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("$model does not accept the input of shape ${x.shape()} from $input: " +
                e.message, e)
        }
        val target = output
        if (target != null) {
            TensorJson.writeFile(target, y)
        } else {
            spec.commandLine().out.println(TensorJson.write(y))
            spec.commandLine().out.flush()
        }
        return 0
    }

    private fun load(file: Path): Module {
        if (isJqiModel(file)) {
            return ModelFile.load(file).model
        }
        return try {
            OnnxImporter.importFile(file)
        } catch (e: OnnxFormatException) {
            throw IllegalArgumentException("$file is neither a jqi model nor a readable ONNX model: ${e.message}", e)
        } catch (e: OnnxImportException) {
            throw IllegalArgumentException(e.message, e)
        }
    }

    private fun isJqiModel(file: Path): Boolean {
        if (!Files.isRegularFile(file)) {
            throw IllegalArgumentException("$file: no such model file")
        }
        val magic = ModelFile.MAGIC.toByteArray(Charsets.US_ASCII)
        Files.newInputStream(file).use { return it.readNBytes(magic.size).contentEquals(magic) }
    }
}
