package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.json.JsonFormatException
import io.jqi.json.JsonText
import io.jqi.nn.Module
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.inferable.InferableQuantizer
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.add
import kotlinx.serialization.json.putJsonArray

/**
 * How one layer type is saved in a model file (docs/model-format.md): the type name the header gives it, its
 * hyper-parameters as JSON members, and how a header entry becomes a [ModuleSpec] whose tensors are checked against
 * the file before anything is allocated. One codec per layer type, listed in [LayerCodecs]; adding a layer to jqi is
 * the layer class, its codec and its ONNX lowering (docs/architecture.md).
 */
internal abstract class LayerCodec<M : Module>(val type: Class<M>) {
    /** The type name in files: the class's simple name. */
    val name: String = type.simpleName

    /** Writes [layer]'s hyper-parameters after its `"type"`; [context] describes children. */
    abstract fun write(layer: M, out: JsonObjectBuilder, context: WriteContext)

    /**
     * Reads the hyper-parameters of a `"type": name` entry ([config] has read `"type"` already and finishes after
     * this), checking what building the module would only find out by allocating.
     */
    abstract fun read(config: ConfigReader, context: ReadContext): ModuleSpec

    @Suppress("UNCHECKED_CAST")
    internal fun writeAny(layer: Module, out: JsonObjectBuilder, context: WriteContext) = write(layer as M, out, context)
}

/** A module read from the header: the tensors it expects, and how to build it once they are known to fit. */
internal abstract class ModuleSpec {
    /** Adds the name (under [prefix]) and shape of every tensor the module's state dict holds. */
    abstract fun expect(prefix: String, out: MutableMap<String, IntArray>)

    abstract fun build(): Module
}

/** A module whose state dict is empty. */
internal class StatelessSpec(private val make: () -> Module) : ModuleSpec() {
    override fun expect(prefix: String, out: MutableMap<String, IntArray>) {}
    override fun build() = make()
}

/** What a codec needs while writing: the path of the module, and a way to describe its children. */
internal interface WriteContext {
    /** Where the module is, for messages: "the model's root module" or "module 'a.b'". */
    val where: String

    /** The JSON of [child], registered under [name] in this module. */
    fun child(child: Module, name: String): JsonObject

    /** The JSON of an inferable quantizer; [what] names it in the error for any other kind. */
    fun quantizer(quantizer: FakeQuantizer, what: String): JsonObject
}

/** What a codec needs while reading: the file's name for errors, and the readers of nested modules and quantizers. */
internal interface ReadContext {
    val source: String

    /** An error naming the file. */
    fun fail(message: String): JsonFormatException

    /** The spec of the module described by [element] at JSON path [path], one level deeper. */
    fun module(element: JsonObject, path: String): ModuleSpec

    /** The inferable quantizer at [path], which must quantize [target]. */
    fun quantizer(element: JsonElement, path: String, target: QuantizationTarget): InferableQuantizer

    /** A name (of a child, node or variable): 1 to MAX_NAME_BYTES UTF-8 bytes without '.'. */
    fun name(c: ConfigReader, key: String): String

    fun checkName(name: String, at: String)

    /** A tensor shape: at most MAX_RANK non-negative dimensions, at most Shape.MAX_ELEMENTS elements. */
    fun shape(c: ConfigReader, key: String): IntArray
}

// ------------------------------------------------------------------------------------------ helpers for codecs

internal fun JsonObjectBuilder.ints(key: String, values: IntArray) = putJsonArray(key) { values.forEach { add(it) } }

internal fun JsonObjectBuilder.strings(key: String, values: List<String>) =
    putJsonArray(key) { values.forEach { add(it) } }

internal fun ReadContext.atLeast(c: ConfigReader, key: String, min: Int): Int =
    c.int(key).also { if (it < min) throw fail("${c.path}.$key must be at least $min, found $it") }

/**
 * The integers under [key], at most [max] of them (ModelFile.MAX_RANK: a list of axes, or a shape or permutation,
 * whose length is a rank, as the error says when [isRank]).
 */
internal fun ReadContext.ints(c: ConfigReader, key: String, max: Int = ModelFile.MAX_RANK, isRank: Boolean = false):
    IntArray = c.ints(key).also {
        if (it.size > max) {
            throw fail("${c.path}.$key has ${if (isRank) "rank ${it.size}" else "${it.size} entries"}; at most $max")
        }
    }

/** A pair [h, w] of integers of at least [min]. */
internal fun ReadContext.pair(c: ConfigReader, key: String, min: Int): IntArray {
    val values = c.ints(key)
    if (values.size != 2 || values.any { it < min }) {
        throw fail("${c.path}.$key must be a pair [h, w] of integers of at least $min, found "
            + JsonText.clip(values.contentToString()))
    }
    return values
}
