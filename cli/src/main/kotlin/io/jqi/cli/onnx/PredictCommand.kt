package io.jqi.cli.onnx

import io.jqi.cli.sources.ImageOptions
import io.jqi.cli.sources.ModelSources
import io.jqi.cli.sources.Preprocessing
import io.jqi.data.Example
import io.jqi.data.ImageFolder
import io.jqi.modelfile.ModelFile
import io.jqi.modelfile.SavedModel
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonPrimitive
import java.util.SplittableRandom
import io.jqi.json.TensorJson
import io.jqi.nn.GraphModel
import io.jqi.onnx.proto.OnnxFormatException
import io.jqi.tensor.Tensor
import picocli.CommandLine.Command
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Option
import picocli.CommandLine.Spec
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

/**
 * `jqi predict`: runs a jqi or ONNX model on one batch given as JSON and prints its output as `jqi fakequant` does,
 * or classifies image files, prepared as `jqi qat` prepared the model's training images.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = ["Run a saved jqi model or a float ONNX model on a batch, or classify image files.",
        "--input: nested JSON arrays with the batch first (NCHW for images); standard output carries only the " +
            "output, as nested JSON arrays of exact float32 values in shortest round-trip form, like jqi fakequant.",
        "--images: PNG/JPEG/BMP/GIF files, resized, cropped and normalized as the model's training data were (a model" +
            " saved by jqi qat records it; otherwise give --image-size, --channels and --normalize); prints one line " +
            "per file: the file, the class index, its name where the model records class names, and its softmax " +
            "probability."])
class PredictCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Option(names = ["--model"], required = true, paramLabel = "FILE",
        description = ["A jqi model (told by its JQIMODEL header) or an ONNX model, imported as jqi's graph."])
    lateinit var model: Path

    @Option(names = ["--input"], paramLabel = "X.json", description = ["The batch."])
    var input: Path? = null

    @Option(names = ["--images"], arity = "1..*", paramLabel = "FILE", description = ["Image files to classify."])
    var images: List<Path> = emptyList()

    @Option(names = ["--image-size"], paramLabel = "N", description = ["As jqi qat's, for models that do not record it"])
    var imageSize: Int? = null

    @Option(names = ["--channels"], paramLabel = "1|3", description = ["As jqi qat's, for models that do not record it"])
    var channels: Int? = null

    @Option(names = ["--normalize"], paramLabel = "none|imagenet|M/S", description = ["As jqi qat's, for models that do not record it"])
    var normalize: String? = null

    @Option(names = ["--output"], paramLabel = "Y.json",
        description = ["Write the output here (atomically) instead of to standard output."])
    var output: Path? = null

    override fun call(): Int {
        require((input == null) != images.isEmpty()) { "give either --input X.json or --images FILE..." }
        val saved = load(model)
        val module = saved.model
        if (images.isNotEmpty()) return classify(saved)
        val x = TensorJson.readFile(input!!)
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

    /** Classifies [images] one line each, preprocessed as the model's metadata (or the options) say. */
    private fun classify(saved: SavedModel): Int {
        val recorded = Preprocessing.of(saved.metadata)
        val preprocessing = if (recorded != null && imageSize == null && channels == null && normalize == null) {
            recorded
        } else {
            val options = ImageOptions(channels, imageSize, normalize)
            val expected = (saved.metadata["input_shape"] as? JsonArray)?.map { it.jsonPrimitive.int }?.toIntArray()
            val folder = options.folderOptions(expected?.takeIf { it.size == 3 })
            val base = Preprocessing.images(folder)
            options.mean(folder.channels())?.let { base.normalizedBy(it, options.std(folder.channels())!!) } ?: base
        }
        val imageOptions = preprocessing.imageOptions()
            ?: throw IllegalArgumentException("$model was not trained on images (its metadata records no image " +
                "preprocessing); give --image-size and --channels to read images for it")
        val normalization = preprocessing.normalization()
        val names = (saved.metadata["class_names"] as? JsonArray)?.map { it.jsonPrimitive.content }
        val out = spec.commandLine().out
        for (file in images) {
            val shape = ImageFolder.imageShape(file, imageOptions)
            var example = Example(ImageFolder.readImage(file, imageOptions), shape, 0)
            if (normalization != null) example = normalization.apply(example, SplittableRandom(0))
            val logits = try {
                Tensor.noGrad().use { saved.model.eval().forward(Tensor.of(example.input(), 1, *shape.toArray())) }
            } catch (e: IllegalArgumentException) {
                throw IllegalArgumentException("$model does not accept $file as ${shape}: ${e.message}; give " +
                    "--image-size (and --channels) to match the model's input", e)
            }
            val v = logits.toFloatArray()
            val best = v.indices.maxByOrNull { v[it] }!!
            val max = v[best].toDouble()
            val probability = 1.0 / v.sumOf { kotlin.math.exp(it - max) }
            out.println("%s\t%d\t%s\t%.4f".format(file, best, names?.getOrNull(best) ?: "", probability))
        }
        out.flush()
        return 0
    }

    private fun load(file: Path): SavedModel {
        if (isJqiModel(file)) {
            return ModelFile.load(file)
        }
        return try {
            ModelSources.importOnnx(file)
        } catch (e: IllegalArgumentException) {
            val cause = e.cause as? OnnxFormatException ?: throw e
            throw IllegalArgumentException("$file is neither a jqi model nor a readable ONNX model: ${cause.message}", e)
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
