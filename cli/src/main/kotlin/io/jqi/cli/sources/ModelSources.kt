package io.jqi.cli.sources

import io.jqi.modelfile.ModelFile
import io.jqi.modelfile.SavedModel
import io.jqi.onnx.OnnxImportException
import io.jqi.onnx.OnnxImporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.onnx.proto.OnnxFormatException
import io.jqi.onnx.proto.OnnxModel
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Path

/**
 * The model files the commands read (`jqi qat --model FILE`, `jqi inspect FILE`): jqi's saved models, and float ONNX
 * models (`.onnx`), imported into a graph model. Problems with either are [IllegalArgumentException]s naming the
 * file, which the command line prints as one-line errors.
 */
object ModelSources {
    /** ONNX metadata properties are strings: strings stay as they are, anything else is written as JSON. */
    fun onnxMetadata(metadata: JsonObject): Map<String, String> =
        metadata.mapValues { (_, v) -> if (v is JsonPrimitive && v.isString) v.content else v.toString() }

    fun isOnnx(path: Path): Boolean = path.fileName.toString().lowercase().endsWith(".onnx")

    /** The `[C, H, W]` of the model's one data input when the file fixes all three, else null. */
    private fun inputShape(onnx: OnnxModel): List<Int>? {
        val initializers = onnx.graph().initializers().map { it.name() }.toSet()
        val input = onnx.graph().inputs().filter { it.name() !in initializers }.singleOrNull() ?: return null
        val dims = input.shape().drop(1)
        if (dims.size != 3 || dims.any { !it.isKnown() || it.value() > Int.MAX_VALUE }) return null
        return dims.map { it.value().toInt() }
    }

    /** The model in [path]; for ONNX, its metadata says where it came from (producer, opset, metadata_props). */
    fun load(path: Path): SavedModel {
        return if (isOnnx(path)) importOnnx(path) else ModelFile.load(path)
    }

    /** The float ONNX model in [path] as a graph model, its metadata saying where it came from. */
    fun importOnnx(path: Path): SavedModel {
        try {
            val onnx = OnnxCodec.read(path)
            val model = OnnxImporter.importModel(onnx)
            return SavedModel(model, buildJsonObject {
                put("format", "onnx")
                put("producer", "${onnx.producerName()} ${onnx.producerVersion()}".trim())
                put("opset", onnx.defaultOpsetVersion())
                inputShape(onnx)?.let { dims -> put("input_shape", JsonArray(dims.map { JsonPrimitive(it) })) }
                if (onnx.metadata().isNotEmpty()) {
                    put("metadata_props", buildJsonObject { onnx.metadata().forEach { (k, v) -> put(k, v) } })
                }
            })
        } catch (e: OnnxFormatException) {
            throw IllegalArgumentException(e.message, e)
        } catch (e: OnnxImportException) {
            throw IllegalArgumentException("$path: ${e.message}", e)
        }
    }
}
