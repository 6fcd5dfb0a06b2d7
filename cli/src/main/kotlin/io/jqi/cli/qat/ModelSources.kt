package io.jqi.cli.qat

import io.jqi.modelfile.ModelFile
import io.jqi.modelfile.SavedModel
import io.jqi.onnx.OnnxImportException
import io.jqi.onnx.OnnxImporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.onnx.proto.OnnxFormatException
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Path

/**
 * The model files the commands read (`jqi qat --model FILE`, `jqi inspect FILE`): jqi's saved models, and float ONNX
 * models (`.onnx`), imported into a graph model. Problems with either are [IllegalArgumentException]s naming the
 * file, which the command line prints as one-line errors.
 */
object ModelSources {
    fun isOnnx(path: Path): Boolean = path.fileName.toString().lowercase().endsWith(".onnx")

    /** The model in [path]; for ONNX, its metadata says where it came from (producer, opset, metadata_props). */
    fun load(path: Path): SavedModel {
        if (!isOnnx(path)) return ModelFile.load(path)
        try {
            val onnx = OnnxCodec.read(path)
            val model = OnnxImporter.importModel(onnx)
            return SavedModel(model, buildJsonObject {
                put("format", "onnx")
                put("producer", "${onnx.producerName()} ${onnx.producerVersion()}".trim())
                put("opset", onnx.defaultOpsetVersion())
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
