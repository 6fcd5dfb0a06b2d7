package io.jqi.modelfile

import io.jqi.io.AtomicFiles
import io.jqi.json.JsonFormatException
import io.jqi.json.JsonText
import io.jqi.nn.Module
import io.jqi.nn.StateDicts
import io.jqi.quant.registry.QuantizerRegistry
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.nio.channels.Channels
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import kotlinx.serialization.json.JsonObject

/** A model read by [ModelFile.load]: the module tree, in evaluation mode, and the metadata saved with it. */
data class SavedModel(val model: Module, val metadata: JsonObject)

/**
 * jqi's own saved-model format (docs/model-format.md): one file holding the module tree with every layer's
 * hyper-parameters and every quantizer's config as JSON, and the parameters and buffers as raw little-endian float32
 * data described by a safetensors-like index.
 *
 * ```
 * preamble  "JQIMODEL" (8 bytes), format version (uint32 LE), header length N (uint64 LE)
 * header    N bytes of UTF-8 JSON: format_version, model, tensors, metadata (space-padded to 8-byte alignment)
 * data      the tensors' float32 values, little-endian, row-major, back to back in index order
 * ```
 *
 * Saving is atomic ([AtomicFiles]) and refuses what it could not read back: modules other than jqi's built-in ones
 * (each read by its codec, [LayerCodecs]), and trainable quantizers (a model is saved with its quantizers once they
 * are inferable: after `Qat.finalize` or from `Ptq.quantize`). Loading never runs code a file names on its own: module
 * types come from the fixed list of codecs, quantizer classes from a [io.jqi.quant.registry.QuantizerRegistry] the
 * program filled. It checks every size, offset and shape against the header, the file's length and the limits below
 * before it allocates, and fails with a [JsonFormatException] (an [IllegalArgumentException]) naming the file and the
 * problem; unreadable files are reported the same way. A loaded model computes bit for bit what the saved one did.
 */
object ModelFile {
    /** The first eight bytes of every model file. */
    const val MAGIC = "JQIMODEL"
    /** The version of the container and of its header, written in both places. */
    const val FORMAT_VERSION = 1
    /** Magic, version and header length. */
    const val PREAMBLE_BYTES = 20
    /** Largest header, in bytes. */
    const val MAX_HEADER_BYTES = 64 shl 20
    /** Deepest nesting of JSON arrays and objects in the header. */
    const val MAX_JSON_DEPTH = 128
    /** Most JSON containers and members (counted as `[`, `{` and `,`) in the header. */
    const val MAX_JSON_NODES = 1_000_000
    /** Most tensors in one file. */
    const val MAX_TENSORS = 50_000
    /** Deepest nesting of modules (a Sequential inside a graph inside a wrapper ...). */
    const val MAX_MODULE_DEPTH = 32
    /** Most children of a Sequential, nodes of a graph, or inputs and outputs of a graph. */
    const val MAX_CHILDREN = 10_000
    /** Longest tensor, module or variable name, in UTF-8 bytes. */
    const val MAX_NAME_BYTES = StateDicts.MAX_NAME_BYTES
    /** Highest tensor rank. */
    const val MAX_RANK = StateDicts.MAX_RANK
    /** The one data type: IEEE float32, little-endian. */
    const val DTYPE = "F32"

    /** The module types a file may name, each read by its codec: nothing else is ever instantiated. */
    @JvmField
    val MODULE_TYPES: List<String> = LayerCodecs.ALL.map { it.name }

    private val EMPTY = JsonObject(emptyMap())

    // ------------------------------------------------------------------------------------------------ saving

    /**
     * Saves [model] with [metadata] (any JSON object: the QAT config, the data set, ...) to [path], atomically,
     * creating missing directories. What is written must read back: its quantizers must be registered in [registry],
     * the one that will load it. An unsupported module or a quantizer that is not inferable is an
     * [IllegalArgumentException] and writes nothing.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun save(path: Path, model: Module, metadata: JsonObject = EMPTY,
             registry: QuantizerRegistry = QuantizerRegistry.global()) {
        val encoded = ModelContainer.encode(model, metadata, registry)
        path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
        AtomicFiles.write(path) { out -> encoded.writeTo(out) }
    }

    /**
     * A JSON object from its text, for Java callers that build metadata from jqi's other JSON writers (such as
     * `QatConfigJson.write`); anything but a JSON object is a [JsonFormatException].
     */
    @JvmStatic
    fun parseMetadata(text: String): JsonObject {
        val e = JsonText.parse(text, "metadata")
        return e as? JsonObject ?: throw JsonFormatException("metadata must be a JSON object, found "
            + JsonText.describe(e))
    }

    /** The bytes [save] would write. */
    @JvmStatic
    @JvmOverloads
    fun toBytes(model: Module, metadata: JsonObject = EMPTY,
                registry: QuantizerRegistry = QuantizerRegistry.global()): ByteArray {
        val encoded = ModelContainer.encode(model, metadata, registry)
        val out = ByteArrayOutputStream()
        encoded.writeTo(Channels.newChannel(out))
        return out.toByteArray()
    }

    // ------------------------------------------------------------------------------------------------ loading

    /**
     * Loads a model saved by [save]; any problem is a [JsonFormatException] naming [path]. Quantizers are found by
     * class name in [registry] (the global one by default: jqi's and every registered quantizer).
     */
    @JvmStatic
    @JvmOverloads
    fun load(path: Path, registry: QuantizerRegistry = QuantizerRegistry.global()): SavedModel {
        try {
            FileChannel.open(path, StandardOpenOption.READ).use { channel ->
                return ModelContainer.decode(ModelContainer.ChannelInput(channel, path.toString()), registry)
            }
        } catch (e: IOException) {
            throw JsonFormatException.cannotRead(path, e)
        }
    }

    /** Loads a model from the bytes of a file; [source] names it in errors. */
    @JvmStatic
    @JvmOverloads
    fun fromBytes(bytes: ByteArray, source: String = "model bytes",
                  registry: QuantizerRegistry = QuantizerRegistry.global()): SavedModel =
        ModelContainer.decode(ModelContainer.BytesInput(bytes, source), registry)
}
