package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.json.JsonFormatException
import io.jqi.json.JsonText
import io.jqi.json.QuantizerJson
import io.jqi.modelfile.ModelFile.MAX_MODULE_DEPTH
import io.jqi.modelfile.ModelFile.MAX_NAME_BYTES
import io.jqi.modelfile.ModelFile.MODULE_TYPES
import io.jqi.nn.Module
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.trainable.TrainableQuantizer
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/**
 * The module tree of a model file's header: every module as `{"type": ..., hyper-parameters}` through its
 * [LayerCodec], nested modules within the depth, name and count limits of [ModelFile]; quantizers through
 * [QuantizerJson].
 */
internal object ModelTree {
    /** The header's `model`: [model] and everything under it. */
    fun describe(model: Module): JsonObject = Writer("", 0).describe(model)

    /** The spec of the header's `model` of file [source], its quantizers found in [registry]. */
    fun read(model: JsonObject, source: String, registry: QuantizerRegistry): ModuleSpec =
        Reader(source, 0, registry).module(model, "$.model")

    private class Writer(val path: String, val depth: Int) : WriteContext {
        override val where = if (path.isEmpty()) "the model's root module" else "module '$path'"

        fun describe(m: Module): JsonObject {
            require(depth <= MAX_MODULE_DEPTH) { "$where nests modules deeper than $MAX_MODULE_DEPTH levels" }
            val codec = LayerCodecs.forModule(m) ?: throw IllegalArgumentException("ModelFile cannot save $where: "
                + "${m.javaClass.name} is not one of jqi's built-in modules, the only ones a model file holds: "
                + MODULE_TYPES.joinToString())
            return buildJsonObject {
                put("type", codec.name)
                codec.writeAny(m, this, this@Writer)
            }
        }

        override fun child(child: Module, name: String): JsonObject =
            Writer(if (path.isEmpty()) name else "$path.$name", depth + 1).describe(child)

        override fun quantizer(quantizer: FakeQuantizer, what: String): JsonObject = when (quantizer) {
            is InferableQuantizer ->
                try {
                    QuantizerJson.toJson(quantizer)
                } catch (e: IllegalArgumentException) {
                    throw IllegalArgumentException("ModelFile cannot save $what: ${e.message}", e)
                }
            is TrainableQuantizer -> throw IllegalArgumentException("ModelFile cannot save $what: "
                + "${quantizer.javaClass.simpleName} is a trainable quantizer, and a model is saved with its "
                + "quantizers only once they are inferable; call Qat.finalize first")
            else -> throw IllegalArgumentException("ModelFile cannot save $what: ${quantizer.javaClass.name} is not "
                + "an inferable quantizer; call Qat.finalize first, or quantize with Ptq.quantize")
        }
    }

    private class Reader(override val source: String, val depth: Int, val registry: QuantizerRegistry) : ReadContext {
        override fun fail(message: String) = JsonFormatException("$source: $message")

        override fun module(element: JsonObject, path: String): ModuleSpec {
            if (depth > MAX_MODULE_DEPTH) throw fail("modules nest deeper than $MAX_MODULE_DEPTH levels at $path")
            val typeElement = element["type"]
            val type = (typeElement as? JsonPrimitive)?.takeIf { it.isString }?.content
                ?: throw fail("$path.type must name a module type, found "
                    + (typeElement?.let(JsonText::describe) ?: "nothing") + "; the types are "
                    + MODULE_TYPES.joinToString())
            val codec = LayerCodecs.forName(type) ?: throw fail("$path.type '${JsonText.clip(type)}' is not a module "
                + "type jqi loads; the types are " + MODULE_TYPES.joinToString())
            val c = ConfigReader(element, source, path, "a $type module")
            c.string("type")
            val spec = codec.read(c, Reader(source, depth + 1, registry))
            c.finish()
            return spec
        }

        override fun quantizer(element: JsonElement, path: String, target: QuantizationTarget): InferableQuantizer {
            val q = QuantizerJson.fromJson(element, "$source at $path", registry)
            if (q.target() != target) {
                throw fail("$path is ${q.javaClass.simpleName}, which quantizes ${q.target()}; $target is needed here")
            }
            return q
        }

        override fun name(c: ConfigReader, key: String): String = c.string(key).also { checkName(it, "${c.path}.$key") }

        override fun checkName(name: String, at: String) {
            if (name.isEmpty() || '.' in name || name.toByteArray(Charsets.UTF_8).size > MAX_NAME_BYTES) {
                throw fail("$at: '${JsonText.clip(name)}' is not a valid name; names are 1 to $MAX_NAME_BYTES UTF-8 "
                    + "bytes without '.'")
            }
        }

        override fun shape(c: ConfigReader, key: String): IntArray = ModelContainer.shape(c, key, source)
    }
}
