package io.jqi.json

import io.jqi.io.AtomicFiles
import io.jqi.nn.Add
import io.jqi.nn.AddConstant
import io.jqi.nn.AvgPool2D
import io.jqi.nn.BatchNorm
import io.jqi.nn.Clip
import io.jqi.nn.CoercedSoftmax
import io.jqi.nn.Concat
import io.jqi.nn.Conv2D
import io.jqi.nn.Dense
import io.jqi.nn.Div
import io.jqi.nn.Dropout
import io.jqi.nn.Flatten
import io.jqi.nn.GlobalAvgPool2D
import io.jqi.nn.GraphModel
import io.jqi.nn.Hardswish
import io.jqi.nn.Identity
import io.jqi.nn.LeakyReLU
import io.jqi.nn.MatMul
import io.jqi.nn.MatrixFlatten
import io.jqi.nn.MaxPool2D
import io.jqi.nn.Module
import io.jqi.nn.Mul
import io.jqi.nn.Pool2D
import io.jqi.nn.QuantizeDequantize
import io.jqi.nn.ReLU
import io.jqi.nn.ReLU6
import io.jqi.nn.Reshape
import io.jqi.nn.Sequential
import io.jqi.nn.SiLU
import io.jqi.nn.Sigmoid
import io.jqi.nn.Softmax
import io.jqi.nn.StateDicts
import io.jqi.nn.Sub
import io.jqi.nn.Tanh
import io.jqi.nn.Transpose
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.QuantizerHost
import io.jqi.quant.trainable.TrainableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.channels.Channels
import java.nio.channels.FileChannel
import java.nio.channels.WritableByteChannel
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.util.Random
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.JsonUnquotedLiteral
import kotlinx.serialization.json.add
import kotlinx.serialization.json.addJsonObject
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray

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
 * Saving is atomic ([AtomicFiles]) and refuses what it could not read back: modules other than jqi's built-in ones,
 * and trainable quantizers (a model is saved with its quantizers once they are inferable: after `Qat.finalize` or
 * from `Ptq.quantize`). Loading never runs code named by the file (module and quantizer types come from fixed
 * lists), checks every size, offset and shape against the header, the file's length and the limits below before it
 * allocates, and fails with a [JsonFormatException] (an [IllegalArgumentException]) naming the file and the problem;
 * unreadable files are reported the same way. A loaded model computes bit for bit what the saved one did.
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

    /** The module types a file may name, each read by a fixed function: nothing else is ever instantiated. */
    @JvmField
    val MODULE_TYPES: List<String> = listOf("Dense", "Conv2D", "BatchNorm", "ReLU", "ReLU6", "LeakyReLU", "Sigmoid",
        "Tanh", "SiLU", "Hardswish", "Softmax", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Flatten", "Dropout",
        "Identity", "Add", "Concat", "Sequential", "GraphModel", "QuantizationWrapper",
        "ActivationQuantizationHolder", "Sub", "Mul", "Div", "MatMul", "AddConstant", "Clip", "Reshape", "Transpose",
        "MatrixFlatten", "CoercedSoftmax", "QuantizeDequantize")

    private val EMPTY = JsonObject(emptyMap())
    private val compact = Json { prettyPrint = false }
    private const val CHUNK = 1 shl 16

    // ------------------------------------------------------------------------------------------------ saving

    /**
     * Saves [model] with [metadata] (any JSON object: the QAT config, the data set, ...) to [path], atomically,
     * creating missing directories. An unsupported module or a quantizer that is not inferable is an
     * [IllegalArgumentException] and writes nothing.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun save(path: Path, model: Module, metadata: JsonObject = EMPTY) {
        val encoded = encode(model, metadata)
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
    fun toBytes(model: Module, metadata: JsonObject = EMPTY): ByteArray {
        val encoded = encode(model, metadata)
        val out = ByteArrayOutputStream()
        encoded.writeTo(Channels.newChannel(out))
        return out.toByteArray()
    }

    private class Encoded(val header: ByteArray, val tensors: Collection<Tensor>) {
        fun writeTo(out: WritableByteChannel) {
            val preamble = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN)
            preamble.put(MAGIC.toByteArray(Charsets.US_ASCII)).putInt(FORMAT_VERSION).putLong(header.size.toLong())
            AtomicFiles.writeFully(out, preamble.flip())
            AtomicFiles.writeFully(out, ByteBuffer.wrap(header))
            val chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN)
            for (t in tensors) {
                val values = t.toFloatArray()
                var off = 0
                while (off < values.size) {
                    val len = minOf(CHUNK / Float.SIZE_BYTES, values.size - off)
                    chunk.clear()
                    chunk.asFloatBuffer().put(values, off, len)
                    chunk.limit(len * Float.SIZE_BYTES)
                    AtomicFiles.writeFully(out, chunk)
                    off += len
                }
            }
        }
    }

    private fun encode(model: Module, metadata: JsonObject): Encoded {
        val meta = literal(metadata, 1)
        val graph = describe(model, "", 0)
        val state = model.stateDict()
        require(state.size <= MAX_TENSORS) {
            "A jqi model file holds at most $MAX_TENSORS tensors; this model has ${state.size}"
        }
        var offset = 0L
        val index = buildJsonArray {
            for ((name, t) in state) {
                require(t.rank() <= MAX_RANK) { "Tensor '$name' has rank ${t.rank()}; the format holds up to $MAX_RANK" }
                val length = t.numel().toLong() * Float.SIZE_BYTES
                addJsonObject {
                    put("name", name)
                    put("dtype", DTYPE)
                    putJsonArray("shape") { t.shape().toArray().forEach { add(it) } }
                    put("offset", offset)
                    put("length", length)
                }
                offset += length
            }
        }
        val header = buildJsonObject {
            put("format_version", FORMAT_VERSION)
            put("model", graph)
            put("tensors", index)
            put("metadata", meta)
        }
        val text = try {
            compact.encodeToString(JsonElement.serializer(), header)
        } catch (e: SerializationException) {
            throw IllegalArgumentException("ModelFile cannot write this model's header as JSON: ${e.message}", e)
        }
        val json = text.toByteArray(Charsets.UTF_8)
        // Spaces after the JSON put the data at a multiple of 8 bytes, ready for memory mapping.
        val padded = json.copyOf(json.size + (8 - (PREAMBLE_BYTES + json.size) % 8) % 8)
        padded.fill(' '.code.toByte(), json.size)
        require(padded.size <= MAX_HEADER_BYTES) {
            "The header of this model would take ${padded.size} bytes; a jqi model file allows $MAX_HEADER_BYTES"
        }
        try {
            // What is written must read back: the same checks as loading, on the header alone.
            decodeHeader(text, "the model being saved", offset)
        } catch (e: JsonFormatException) {
            throw IllegalArgumentException("ModelFile cannot save this model: ${e.message}", e)
        }
        return Encoded(padded, state.values)
    }

    /**
     * [e] with every number as an unquoted literal, so that it is written with exactly the text it was read with
     * (kotlinx re-encodes parsed numbers through a double, which would turn 0.000015 into 1.5E-5); deeper nesting
     * than a header may hold is an error.
     */
    @OptIn(ExperimentalSerializationApi::class)
    private fun literal(e: JsonElement, depth: Int): JsonElement {
        require(depth <= MAX_JSON_DEPTH - 2) { "The metadata nests JSON deeper than ${MAX_JSON_DEPTH - 2} levels" }
        return when (e) {
            is JsonObject -> JsonObject(e.mapValues { literal(it.value, depth + 1) })
            is JsonArray -> JsonArray(e.map { literal(it, depth + 1) })
            is JsonPrimitive -> if (JsonText.isNumber(e)) JsonUnquotedLiteral(e.content) else e
        }
    }

    private fun describe(m: Module, path: String, depth: Int): JsonObject {
        val where = if (path.isEmpty()) "the model's root module" else "module '$path'"
        require(depth <= MAX_MODULE_DEPTH) { "$where nests modules deeper than $MAX_MODULE_DEPTH levels" }
        fun child(name: String) = if (path.isEmpty()) name else "$path.$name"
        return buildJsonObject {
            when (m) {
                is Dense -> {
                    type(m)
                    put("in_features", m.inFeatures())
                    put("out_features", m.outFeatures())
                    put("bias", m.hasBias())
                }
                is Conv2D -> {
                    type(m)
                    put("in_channels", m.inChannels())
                    put("out_channels", m.outChannels())
                    pair("kernel", m.kernel())
                    pair("stride", m.stride())
                    pair("padding", m.padding())
                    pair("dilation", m.dilation())
                    put("groups", m.groups())
                    put("bias", m.hasBias())
                }
                is BatchNorm -> {
                    type(m)
                    put("num_features", m.numFeatures())
                    put("momentum", JsonText.float(m.momentum()))
                    put("eps", JsonText.float(m.eps()))
                }
                is ReLU, is ReLU6, is Sigmoid, is Tanh, is SiLU, is Hardswish, is GlobalAvgPool2D, is Identity,
                is Add -> type(m)
                is LeakyReLU -> {
                    type(m)
                    put("negative_slope", JsonText.float(m.negativeSlope()))
                }
                is Softmax -> {
                    type(m)
                    put("axis", m.axis())
                }
                is Concat -> {
                    type(m)
                    put("axis", m.axis())
                }
                is Pool2D -> {
                    type(m)
                    pair("kernel", m.kernel())
                    pair("stride", m.stride())
                    pair("padding", m.padding())
                }
                is Flatten -> {
                    type(m)
                    put("start_axis", m.startAxis())
                }
                is MatrixFlatten -> {
                    type(m)
                    put("axis", m.axis())
                }
                is CoercedSoftmax -> {
                    type(m)
                    put("axis", m.axis())
                }
                is Clip -> {
                    type(m)
                    // JSON has no infinities: an unbounded side is left out.
                    if (m.min() != Float.NEGATIVE_INFINITY) put("min", JsonText.float(m.min()))
                    if (m.max() != Float.POSITIVE_INFINITY) put("max", JsonText.float(m.max()))
                }
                is QuantizeDequantize -> {
                    type(m)
                    putJsonArray("scales") { m.scales().forEach { add(JsonText.float(it)) } }
                    pair("zero_points", m.zeroPoints())
                    put("qmin", m.qmin())
                    put("qmax", m.qmax())
                    if (m.perAxis()) put("axis", m.axis())
                }
                is Reshape -> {
                    type(m)
                    pair("shape", m.shape())
                    put("allow_zero", m.allowZero())
                }
                is Transpose -> {
                    type(m)
                    pair("perm", m.perm())
                }
                is AddConstant -> {
                    type(m)
                    put("constant", buildJsonObject { pair("shape", m.constant().shape().toArray()) })
                }
                is Sub, is Mul, is Div, is MatMul -> {
                    type(m)
                    // m is smart-cast to BinaryLayer, the common supertype of the four.
                    if (m.hasConstant()) {
                        put("constant", buildJsonObject {
                            pair("shape", m.constant().shape().toArray())
                            put("first", m.constantFirst())
                        })
                    }
                }
                is Dropout -> {
                    type(m)
                    put("p", JsonText.float(m.p()))
                }
                is Sequential -> {
                    type(m)
                    putJsonArray("children") {
                        m.namedChildren().forEach { (name, layer) ->
                            addJsonObject {
                                put("name", name)
                                put("module", describe(layer, child(name), depth + 1))
                            }
                        }
                    }
                }
                is GraphModel -> {
                    type(m)
                    strings("inputs", m.inputNames())
                    putJsonArray("nodes") {
                        m.nodeNames().forEach { name ->
                            addJsonObject {
                                put("name", name)
                                strings("inputs", m.nodeInputs(name))
                                put("module", describe(m.node(name), child(name), depth + 1))
                            }
                        }
                    }
                    strings("outputs", m.outputNames())
                }
                is QuantizationWrapper -> {
                    type(m)
                    put("layer", describe(m.layer(), child("layer"), depth + 1))
                    put("weights", buildJsonObject {
                        m.weightQuantizers().forEach { (attribute, q) ->
                            put(attribute, quantizer(q, "the quantizer of weight '$attribute' of $where"))
                        }
                    })
                    val positionalNames = HashSet<String>()
                    if (m.positionalQuantizers().isNotEmpty()) {
                        putJsonArray("positional") {
                            m.positionalQuantizers().forEach { (position, q) ->
                                val name = QuantizationWrapper.POSITIONAL_WEIGHT_PREFIX + position
                                positionalNames += name
                                addJsonObject {
                                    put("position", position)
                                    putJsonArray("shape") { ownBuffers(m)[name]!!.shape().toArray().forEach { add(it) } }
                                    put("quantizer", quantizer(q, "the quantizer of positional weight $position of "
                                        + where))
                                }
                            }
                        }
                    }
                    variables(m, positionalNames)
                }
                is ActivationQuantizationHolder -> {
                    type(m)
                    put("quantizer", quantizer(m.quantizer(), "the quantizer of $where"))
                    variables(m, emptySet())
                }
                else -> throw IllegalArgumentException("ModelFile cannot save $where: ${m.javaClass.name} is not one "
                    + "of jqi's built-in modules, the only ones a model file holds: ${MODULE_TYPES.joinToString()}")
            }
        }
    }

    private fun JsonObjectBuilder.type(m: Module) = put("type", m.javaClass.simpleName)

    private fun JsonObjectBuilder.pair(key: String, values: IntArray) = putJsonArray(key) { values.forEach { add(it) } }

    private fun JsonObjectBuilder.strings(key: String, values: List<String>) =
        putJsonArray(key) { values.forEach { add(it) } }

    private fun ownBuffers(m: Module) = m.namedBuffers().filterKeys { '.' !in it }

    /**
     * The variables a wrapper or holder hosts beyond its positional weights: those its trainable quantizers created,
     * which stay registered, unused, after finalizing. They are saved so the loaded model's state dict is the same.
     */
    private fun JsonObjectBuilder.variables(m: Module, positional: Set<String>) {
        val parameters = m.namedParameters().filterKeys { '.' !in it }
        val buffers = ownBuffers(m).filterKeys { it !in positional }
        if (parameters.isEmpty() && buffers.isEmpty()) return
        putJsonArray("variables") {
            for ((vars, trainable) in listOf(parameters to true, buffers to false)) {
                vars.forEach { (name, t) ->
                    addJsonObject {
                        put("name", name)
                        putJsonArray("shape") { t.shape().toArray().forEach { add(it) } }
                        put("trainable", trainable)
                    }
                }
            }
        }
    }

    private fun quantizer(q: FakeQuantizer, what: String): JsonObject = when (q) {
        is InferableQuantizer ->
            try {
                QuantizerJson.toJson(q)
            } catch (e: IllegalArgumentException) {
                throw IllegalArgumentException("ModelFile cannot save $what: ${e.message}", e)
            }
        is TrainableQuantizer -> throw IllegalArgumentException("ModelFile cannot save $what: "
            + "${q.javaClass.simpleName} is a trainable quantizer, and a model is saved with its quantizers only once "
            + "they are inferable; call Qat.finalize first")
        else -> throw IllegalArgumentException("ModelFile cannot save $what: ${q.javaClass.name} is not an inferable "
            + "quantizer; call Qat.finalize first, or quantize with Ptq.quantize")
    }

    // ------------------------------------------------------------------------------------------------ loading

    /** Loads a model saved by [save]; any problem is a [JsonFormatException] naming [path]. */
    @JvmStatic
    fun load(path: Path): SavedModel {
        try {
            FileChannel.open(path, StandardOpenOption.READ).use { channel ->
                return decode(ChannelInput(channel, path.toString()))
            }
        } catch (e: IOException) {
            throw JsonFormatException.cannotRead(path, e)
        }
    }

    /** Loads a model from the bytes of a file; [source] names it in errors. */
    @JvmStatic
    @JvmOverloads
    fun fromBytes(bytes: ByteArray, source: String = "model bytes"): SavedModel = decode(BytesInput(bytes, source))

    /** Random access to the file being read. */
    private abstract class Input(val source: String) {
        abstract val size: Long

        /** Fills [into] from [position] on. */
        abstract fun readFully(position: Long, into: ByteBuffer)

        fun requireRange(position: Long, bytes: Int) {
            if (position < 0 || bytes > size - position) {
                throw JsonFormatException("$source: reading $bytes bytes at byte $position would pass its end "
                    + "($size bytes)")
            }
        }
    }

    private class BytesInput(private val bytes: ByteArray, source: String) : Input(source) {
        override val size = bytes.size.toLong()

        override fun readFully(position: Long, into: ByteBuffer) {
            requireRange(position, into.remaining())
            into.put(bytes, position.toInt(), into.remaining())
        }
    }

    private class ChannelInput(private val channel: FileChannel, source: String) : Input(source) {
        override val size = channel.size()

        override fun readFully(position: Long, into: ByteBuffer) {
            requireRange(position, into.remaining())
            var at = position
            while (into.hasRemaining()) {
                val n = channel.read(into, at)
                if (n < 0) {
                    throw JsonFormatException("$source ended at byte $at while being read; was it changed during "
                        + "loading?")
                }
                at += n
            }
        }
    }

    private class Entry(val name: String, val shape: IntArray, val elements: Long, val offset: Long)

    private class Header(val spec: Spec, val tensors: List<Entry>, val metadata: JsonObject)

    private fun decode(input: Input): SavedModel {
        val src = input.source
        val size = input.size
        if (size < PREAMBLE_BYTES) {
            throw JsonFormatException("$src is $size bytes, too short for a jqi model file (the preamble alone takes "
                + "$PREAMBLE_BYTES)")
        }
        val preamble = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN)
        input.readFully(0, preamble)
        preamble.flip()
        val magic = ByteArray(MAGIC.length).also { preamble.get(it) }
        if (!magic.contentEquals(MAGIC.toByteArray(Charsets.US_ASCII))) {
            throw JsonFormatException("$src does not start with \"$MAGIC\"; it is not a jqi model file")
        }
        val version = preamble.int
        if (version != FORMAT_VERSION) {
            throw JsonFormatException("$src has format version ${Integer.toUnsignedString(version)}; this jqi reads "
                + "version $FORMAT_VERSION")
        }
        val headerLength = preamble.long
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw JsonFormatException("$src declares a header of ${java.lang.Long.toUnsignedString(headerLength)} "
                + "bytes; a header takes 2 to $MAX_HEADER_BYTES bytes")
        }
        if (headerLength > size - PREAMBLE_BYTES) {
            throw JsonFormatException("$src is truncated: its header takes $headerLength bytes but only "
                + "${size - PREAMBLE_BYTES} follow the preamble")
        }
        val headerBytes = ByteBuffer.allocate(headerLength.toInt())
        input.readFully(PREAMBLE_BYTES.toLong(), headerBytes)
        val text = try {
            Charsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(headerBytes.flip())
                .toString()
        } catch (e: CharacterCodingException) {
            throw JsonFormatException("$src: its header is not valid UTF-8", e)
        }
        val dataStart = PREAMBLE_BYTES + headerLength
        val header = decodeHeader(text, src, size - dataStart)
        val model = rejectArguments(src, "the model in its header cannot be built") { header.spec.build() }
        val state = LinkedHashMap<String, Tensor>()
        for (entry in header.tensors) {
            state[entry.name] = readTensor(input, dataStart, entry)
        }
        rejectArguments(src, "its tensors do not fit the model") { model.loadStateDict(state) }
        for ((path, m) in model.namedModules()) {
            if (m is QuantizationWrapper) {
                rejectArguments(src, "a quantizer of '$path' does not fit its weight") {
                    m.quantizedWeights()
                    m.positionalQuantizers().forEach { (position, q) ->
                        q.apply(m.namedBuffers()[QuantizationWrapper.POSITIONAL_WEIGHT_PREFIX + position]!!, false)
                    }
                }
            }
        }
        model.eval()
        return SavedModel(model, header.metadata)
    }

    private inline fun <T> rejectArguments(src: String, what: String, body: () -> T): T =
        try {
            body()
        } catch (e: JsonFormatException) {
            throw e
        } catch (e: IllegalArgumentException) {
            throw JsonFormatException("$src: $what: ${e.message}", e)
        }

    private fun readTensor(input: Input, dataStart: Long, entry: Entry): Tensor {
        val values = FloatArray(entry.elements.toInt())
        val chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN)
        var at = dataStart + entry.offset
        var off = 0
        while (off < values.size) {
            val len = minOf(CHUNK / Float.SIZE_BYTES, values.size - off)
            chunk.clear().limit(len * Float.SIZE_BYTES)
            input.readFully(at, chunk)
            chunk.flip()
            chunk.asFloatBuffer().get(values, off, len)
            off += len
            at += len.toLong() * Float.SIZE_BYTES
        }
        return Tensor.wrap(values, Shape.of(*entry.shape))
    }

    /** Everything but the tensor data: the checks that need no allocation beyond the header itself. */
    private fun decodeHeader(text: String, src: String, dataBytes: Long): Header {
        checkStructure(text, src)
        val top = ConfigReader.document(JsonText.parse(text, "$src (header)"), src, "a jqi model header")
        top.formatVersion(FORMAT_VERSION)
        val entries = top.objects("tensors", "a tensor index entry")
        val model = top.obj("model")
        val metadata = top.obj("metadata")
        top.finish()
        val tensors = index(entries, src, dataBytes)
        val spec = SpecReader(src).module(model, "$.model", 0)
        compare(spec, tensors, src)
        return Header(spec, tensors, metadata)
    }

    /** Bounds the JSON's nesting and size before it is parsed, so that no reader recurses or allocates without end. */
    private fun checkStructure(text: String, src: String) {
        var depth = 0
        var nodes = 0
        var inString = false
        var escaped = false
        for (i in text.indices) {
            val c = text[i]
            if (inString) {
                when {
                    escaped -> escaped = false
                    c == '\\' -> escaped = true
                    c == '"' -> inString = false
                }
                continue
            }
            when (c) {
                '"' -> inString = true
                '[', '{' -> {
                    nodes++
                    if (++depth > MAX_JSON_DEPTH) {
                        throw JsonFormatException("$src: its header nests JSON deeper than $MAX_JSON_DEPTH levels "
                            + "(at character $i)")
                    }
                }
                ']', '}' -> depth--
                ',' -> nodes++
            }
            if (nodes > MAX_JSON_NODES) {
                throw JsonFormatException("$src: its header holds more than $MAX_JSON_NODES JSON values")
            }
        }
    }

    private fun index(entries: List<ConfigReader>, src: String, dataBytes: Long): List<Entry> {
        if (entries.size > MAX_TENSORS) {
            throw JsonFormatException("$src: \$.tensors lists ${entries.size} tensors; at most $MAX_TENSORS are allowed")
        }
        val names = HashSet<String>()
        var next = 0L
        return entries.map { e ->
            val at = e.path
            val name = e.string("name")
            if (name.isEmpty() || name.toByteArray(Charsets.UTF_8).size > MAX_NAME_BYTES) {
                throw JsonFormatException("$src: $at.name must be 1 to $MAX_NAME_BYTES UTF-8 bytes long")
            }
            if (!names.add(name)) throw JsonFormatException("$src: $at names tensor '${JsonText.clip(name)}' twice")
            val dtype = e.string("dtype")
            if (dtype != DTYPE) {
                throw JsonFormatException("$src: $at.dtype of '${JsonText.clip(name)}' is "
                    + "'${JsonText.clip(dtype)}'; this jqi reads only $DTYPE")
            }
            val shape = shape(e, "shape", src)
            var elements = 1L
            shape.forEach { elements *= it } // at most 8 dims, each checked below 2^31 elements in total
            val offset = e.long("offset")
            val length = e.long("length")
            e.finish()
            if (length != elements * Float.SIZE_BYTES) {
                throw JsonFormatException("$src: $at.length of '${JsonText.clip(name)}' is $length bytes, but shape "
                    + "${shape.contentToString()} of $DTYPE takes ${elements * Float.SIZE_BYTES}")
            }
            if (offset != next) {
                throw JsonFormatException("$src: $at.offset of '${JsonText.clip(name)}' is $offset, but tensors lie "
                    + "back to back in index order from 0, so it must be $next")
            }
            next += length
            if (next > dataBytes) {
                throw JsonFormatException("$src is truncated: tensor '${JsonText.clip(name)}' ends at byte $next of "
                    + "the data section, which holds $dataBytes bytes")
            }
            Entry(name, shape, elements, offset)
        }.also {
            if (next != dataBytes) {
                throw JsonFormatException("$src: its data section holds $dataBytes bytes, but the tensors take $next")
            }
        }
    }

    /** A tensor shape: at most [MAX_RANK] non-negative dimensions, at most [Shape.MAX_ELEMENTS] elements. */
    private fun shape(c: ConfigReader, key: String, src: String): IntArray {
        val shape = c.ints(key)
        val at = "${c.path}.$key"
        if (shape.size > MAX_RANK) throw JsonFormatException("$src: $at has rank ${shape.size}; at most $MAX_RANK")
        var elements = 1L
        for (d in shape) {
            if (d < 0) throw JsonFormatException("$src: $at ${shape.contentToString()} has a negative dimension")
            elements *= d
            if (elements > Shape.MAX_ELEMENTS) {
                throw JsonFormatException("$src: $at ${shape.contentToString()} has more than ${Shape.MAX_ELEMENTS} "
                    + "elements")
            }
        }
        return shape
    }

    private fun compare(spec: Spec, tensors: List<Entry>, src: String) {
        val expected = LinkedHashMap<String, IntArray>()
        spec.expect("", expected)
        val actual = tensors.associate { it.name to it.shape }
        val missing = expected.keys.filter { it !in actual }
        val unexpected = actual.keys.filter { it !in expected }
        val mismatched = expected.filter { (name, shape) -> actual[name]?.contentEquals(shape) == false }
            .map { (name, shape) ->
                "$name (model ${shape.contentToString()}, index ${actual.getValue(name).contentToString()})"
            }
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) return
        fun list(items: List<String>) =
            items.take(10).joinToString { JsonText.clip(it) } + if (items.size > 10) " and ${items.size - 10} more" else ""
        val problems = listOfNotNull(
            missing.takeIf { it.isNotEmpty() }?.let { "missing tensors ${list(it)}" },
            unexpected.takeIf { it.isNotEmpty() }?.let { "unexpected tensors ${list(it)}" },
            mismatched.takeIf { it.isNotEmpty() }?.let { "shape mismatches ${list(it)}" })
        throw JsonFormatException("$src: its tensor index does not match the model in its header: "
            + problems.joinToString("; "))
    }

    // ------------------------------------------------------------------------------------------------ module specs

    /** A module read from the header: what tensors it expects, and how to build it once they are known to fit. */
    private sealed class Spec {
        abstract fun expect(prefix: String, out: MutableMap<String, IntArray>)
        abstract fun build(): Module
    }

    private class Leaf(private val make: () -> Module) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {}
        override fun build() = make()
    }

    private class DenseSpec(val inFeatures: Int, val outFeatures: Int, val bias: Boolean) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
            out["${prefix}weight"] = intArrayOf(outFeatures, inFeatures)
            if (bias) out["${prefix}bias"] = intArrayOf(outFeatures)
        }

        override fun build() = Dense(inFeatures, outFeatures, bias, Random(0))
    }

    private class ConvSpec(val inChannels: Int, val outChannels: Int, val kernel: IntArray, val stride: IntArray,
                           val padding: IntArray, val dilation: IntArray, val groups: Int, val bias: Boolean) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
            out["${prefix}weight"] = intArrayOf(outChannels, inChannels / groups, kernel[0], kernel[1])
            if (bias) out["${prefix}bias"] = intArrayOf(outChannels)
        }

        override fun build() =
            Conv2D(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, Random(0))
    }

    private class BatchNormSpec(val features: Int, val momentum: Float, val eps: Float) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
            for (name in listOf("weight", "bias", "running_mean", "running_var")) {
                out["$prefix$name"] = intArrayOf(features)
            }
        }

        override fun build() = BatchNorm(features, momentum, eps)
    }

    /** A layer holding a constant operand: the buffer `constant` of [shape], filled in by the state dict. */
    private class ConstantSpec(val shape: IntArray, val make: (Tensor) -> Module) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
            out["${prefix}constant"] = shape
        }

        override fun build() = make(Tensor.zeros(*shape))
    }

    private class SequentialSpec(val children: List<Pair<String, Spec>>) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) =
            children.forEach { (name, spec) -> spec.expect("$prefix$name.", out) }

        override fun build() = Sequential(children.associateTo(LinkedHashMap()) { (name, spec) -> name to spec.build() })
    }

    private class NodeSpec(val name: String, val inputs: List<String>, val spec: Spec)

    private class GraphSpec(val inputs: List<String>, val nodes: List<NodeSpec>, val outputs: List<String>) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) =
            nodes.forEach { it.spec.expect("$prefix${it.name}.", out) }

        override fun build(): GraphModel {
            val b = GraphModel.builder()
            inputs.forEach { b.input(it) }
            nodes.forEach { b.node(it.name, it.spec.build(), *it.inputs.toTypedArray()) }
            b.output(*outputs.toTypedArray())
            return b.build()
        }
    }

    private class Variable(val name: String, val shape: IntArray, val trainable: Boolean)

    private class Positional(val position: Int, val shape: IntArray, val quantizer: InferableQuantizer)

    private fun expectVariables(variables: List<Variable>, prefix: String, out: MutableMap<String, IntArray>) =
        variables.forEach { out["$prefix${it.name}"] = it.shape }

    private fun register(host: QuantizerHost, variables: List<Variable>) =
        variables.forEach { host.registerQuantizerVariable(it.name, Tensor.zeros(*it.shape).requiresGrad(it.trainable)) }

    private class WrapperSpec(val layer: Spec, val weights: Map<String, InferableQuantizer>,
                              val positional: List<Positional>, val variables: List<Variable>) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
            expectVariables(variables, prefix, out)
            positional.forEach { out["$prefix${QuantizationWrapper.POSITIONAL_WEIGHT_PREFIX}${it.position}"] = it.shape }
            layer.expect("${prefix}layer.", out)
        }

        override fun build(): QuantizationWrapper {
            val wrapper = if (positional.isEmpty()) {
                QuantizationWrapper(layer.build(), weights)
            } else {
                QuantizationWrapper.positional(layer.build(),
                    positional.associate { it.position to Tensor.zeros(*it.shape) },
                    positional.associate { it.position to it.quantizer })
            }
            register(wrapper, variables)
            return wrapper
        }
    }

    private class HolderSpec(val quantizer: InferableQuantizer, val variables: List<Variable>) : Spec() {
        override fun expect(prefix: String, out: MutableMap<String, IntArray>) = expectVariables(variables, prefix, out)

        override fun build(): ActivationQuantizationHolder {
            val holder = ActivationQuantizationHolder(quantizer)
            register(holder, variables)
            return holder
        }
    }

    /** Reads module specs from the header, checking what the builders would only find out by allocating. */
    private class SpecReader(val src: String) {
        fun fail(message: String) = JsonFormatException("$src: $message")

        fun module(obj: JsonObject, path: String, depth: Int): Spec {
            if (depth > MAX_MODULE_DEPTH) throw fail("modules nest deeper than $MAX_MODULE_DEPTH levels at $path")
            val typeElement = obj["type"]
            val type = (typeElement as? JsonPrimitive)?.takeIf { it.isString }?.content
                ?: throw fail("$path.type must name a module type, found "
                    + (typeElement?.let(JsonText::describe) ?: "nothing") + "; the types are ${MODULE_TYPES.joinToString()}")
            if (type !in MODULE_TYPES) {
                throw fail("$path.type '${JsonText.clip(type)}' is not a module type jqi loads; the types are "
                    + MODULE_TYPES.joinToString())
            }
            val c = ConfigReader(obj, src, path, "a $type module")
            c.string("type")
            val spec = when (type) {
                "Dense" -> DenseSpec(c.atLeast("in_features", 1), c.atLeast("out_features", 1), c.bool("bias"))
                "Conv2D" -> {
                    val inChannels = c.atLeast("in_channels", 1)
                    val outChannels = c.atLeast("out_channels", 1)
                    val kernel = c.pair("kernel", 1)
                    val stride = c.pair("stride", 1)
                    val padding = c.pair("padding", 0)
                    val dilation = c.pair("dilation", 1)
                    val groups = c.atLeast("groups", 1)
                    if (inChannels % groups != 0 || outChannels % groups != 0) {
                        throw fail("$path.groups $groups must divide in_channels $inChannels and out_channels "
                            + "$outChannels")
                    }
                    ConvSpec(inChannels, outChannels, kernel, stride, padding, dilation, groups, c.bool("bias"))
                }
                "BatchNorm" -> BatchNormSpec(c.atLeast("num_features", 1), c.float("momentum"), c.float("eps"))
                "ReLU" -> Leaf { ReLU() }
                "ReLU6" -> Leaf { ReLU6() }
                "Sigmoid" -> Leaf { Sigmoid() }
                "Tanh" -> Leaf { Tanh() }
                "SiLU" -> Leaf { SiLU() }
                "Hardswish" -> Leaf { Hardswish() }
                "GlobalAvgPool2D" -> Leaf { GlobalAvgPool2D() }
                "Identity" -> Leaf { Identity() }
                "Add" -> Leaf { Add() }
                "LeakyReLU" -> c.float("negative_slope").let { slope -> Leaf { LeakyReLU(slope) } }
                "Softmax" -> c.int("axis").let { axis -> Leaf { Softmax(axis) } }
                "Concat" -> c.int("axis").let { axis -> Leaf { Concat(axis) } }
                "Flatten" -> c.int("start_axis").let { axis -> Leaf { Flatten(axis) } }
                "MatrixFlatten" -> c.int("axis").let { axis -> Leaf { MatrixFlatten(axis) } }
                "CoercedSoftmax" -> c.int("axis").let { axis -> Leaf { CoercedSoftmax(axis) } }
                "Clip" -> {
                    val min = c.float("min", Float.NEGATIVE_INFINITY)
                    val max = c.float("max", Float.POSITIVE_INFINITY)
                    c.build { Clip(min, max) }
                    Leaf { Clip(min, max) }
                }
                "QuantizeDequantize" -> {
                    val scales = c.floats("scales")
                    val zeroPoints = c.ints("zero_points")
                    val qmin = c.int("qmin")
                    val qmax = c.int("qmax")
                    val axis = c.optionalInt("axis")
                    // The constructor checks the rest (equal lengths, finite positive scales, qmin <= qmax).
                    val make = {
                        if (axis == null) {
                            if (scales.size != 1 || zeroPoints.size != 1) {
                                throw IllegalArgumentException("a per-tensor QuantizeDequantize (no axis) has one "
                                    + "scale and one zero point, got ${scales.size} and ${zeroPoints.size}")
                            }
                            QuantizeDequantize.perTensor(scales[0], zeroPoints[0], qmin, qmax)
                        } else {
                            QuantizeDequantize.perAxis(scales, zeroPoints, axis, qmin, qmax)
                        }
                    }
                    c.build(make)
                    Leaf(make)
                }
                "Reshape" -> {
                    val shape = c.ints("shape")
                    if (shape.size > MAX_RANK) throw fail("${c.path}.shape has rank ${shape.size}; at most $MAX_RANK")
                    val allowZero = c.bool("allow_zero")
                    c.build { Reshape(shape, allowZero) }
                    Leaf { Reshape(shape, allowZero) }
                }
                "Transpose" -> {
                    val perm = c.ints("perm")
                    if (perm.size > MAX_RANK) throw fail("${c.path}.perm has rank ${perm.size}; at most $MAX_RANK")
                    c.build { Transpose(*perm) }
                    Leaf { Transpose(*perm) }
                }
                "AddConstant" -> {
                    val k = c.child("constant", "an AddConstant's constant")
                    val shape = shape(k, "shape", src)
                    k.finish()
                    ConstantSpec(shape) { constant -> AddConstant(constant) }
                }
                "Sub", "Mul", "Div", "MatMul" -> {
                    val k = c.optionalChild("constant", "a $type's constant")
                    if (k == null) {
                        Leaf {
                            when (type) {
                                "Sub" -> Sub()
                                "Mul" -> Mul()
                                "Div" -> Div()
                                else -> MatMul()
                            }
                        }
                    } else {
                        val shape = shape(k, "shape", src)
                        val first = k.bool("first")
                        k.finish()
                        ConstantSpec(shape) { constant ->
                            when (type) {
                                "Sub" -> Sub(constant, first)
                                "Mul" -> Mul(constant, first)
                                "Div" -> Div(constant, first)
                                else -> MatMul(constant, first)
                            }
                        }
                    }
                }
                // The mask generator is not saved: a loaded dropout draws from a fresh seeded one.
                "Dropout" -> c.float("p").let { p -> Leaf { Dropout(p, Random(0)) } }
                "MaxPool2D", "AvgPool2D" -> {
                    val kernel = c.pair("kernel", 1)
                    val stride = c.pair("stride", 1)
                    val padding = c.pair("padding", 0)
                    if (type == "MaxPool2D") Leaf { MaxPool2D(kernel, stride, padding) }
                    else Leaf { AvgPool2D(kernel, stride, padding) }
                }
                "Sequential" -> sequential(c, depth)
                "GraphModel" -> graph(c, depth)
                "QuantizationWrapper" -> wrapper(c, depth)
                "ActivationQuantizationHolder" -> HolderSpec(
                    quantizer(c.element("quantizer"), "${c.path}.quantizer", QuantizationTarget.ACTIVATION),
                    variables(c))
                else -> throw IllegalStateException("unhandled module type $type")
            }
            c.finish()
            return spec
        }

        private fun sequential(c: ConfigReader, depth: Int): Spec {
            val items = c.objects("children", "a Sequential child")
            if (items.isEmpty() || items.size > MAX_CHILDREN) {
                throw fail("${c.path}.children must list 1 to $MAX_CHILDREN layers, found ${items.size}")
            }
            val seen = HashSet<String>()
            return SequentialSpec(items.map { item ->
                val name = name(item, "name")
                if (!seen.add(name)) throw fail("${item.path}.name: the Sequential has two children named '$name'")
                val spec = module(item.obj("module"), "${item.path}.module", depth + 1)
                item.finish()
                name to spec
            })
        }

        private fun graph(c: ConfigReader, depth: Int): Spec {
            val inputs = names(c, "inputs")
            val defined = HashSet<String>()
            for (input in inputs) {
                if (!defined.add(input)) throw fail("${c.path}.inputs names '$input' twice")
            }
            val items = c.objects("nodes", "a graph node")
            if (items.size > MAX_CHILDREN) throw fail("${c.path}.nodes lists ${items.size} nodes; at most $MAX_CHILDREN")
            val nodes = items.map { item ->
                val name = name(item, "name")
                val args = item.strings("inputs")
                args.forEachIndexed { i, arg ->
                    if (arg !in defined) {
                        throw fail("${item.path}.inputs[$i]: node '$name' reads '${JsonText.clip(arg)}', which is "
                            + "neither a graph input nor a node listed before it (nodes are stored in execution order, "
                            + "so this is a cycle, a dangling name or a corrupt file)")
                    }
                }
                val spec = module(item.obj("module"), "${item.path}.module", depth + 1)
                item.finish()
                if (!defined.add(name)) throw fail("${item.path}.name: '$name' is already a graph input or node")
                NodeSpec(name, args, spec)
            }
            val outputs = names(c, "outputs")
            outputs.forEachIndexed { i, out ->
                if (out !in defined) throw fail("${c.path}.outputs[$i] '$out' is neither a graph input nor a node")
            }
            return GraphSpec(inputs, nodes, outputs)
        }

        private fun wrapper(c: ConfigReader, depth: Int): Spec {
            val layer = module(c.obj("layer"), "${c.path}.layer", depth + 1)
            val weights = LinkedHashMap<String, InferableQuantizer>()
            c.obj("weights").forEach { (attribute, q) ->
                checkName(attribute, "${c.path}.weights")
                weights[attribute] = quantizer(q, "${c.path}.weights.$attribute", QuantizationTarget.WEIGHTS)
            }
            val positions = HashSet<Int>()
            val positional = c.objects("positional", "a positional weight").map { item ->
                val position = item.atLeast("position", 0)
                if (!positions.add(position)) throw fail("${item.path}.position $position appears twice")
                val p = Positional(position, shape(item, "shape", src),
                    quantizer(item.element("quantizer"), "${item.path}.quantizer", QuantizationTarget.WEIGHTS))
                item.finish()
                p
            }
            if (weights.isNotEmpty() && positional.isNotEmpty()) {
                throw fail("${c.path} quantizes both named weights and positional weights; a wrapper does one or the "
                    + "other")
            }
            return WrapperSpec(layer, weights, positional, variables(c))
        }

        private fun variables(c: ConfigReader): List<Variable> {
            val seen = HashSet<String>()
            return c.objects("variables", "a quantizer variable").map { item ->
                val name = name(item, "name")
                if (!seen.add(name)) throw fail("${item.path}.name: variable '$name' appears twice")
                val v = Variable(name, shape(item, "shape", src), item.bool("trainable"))
                item.finish()
                v
            }
        }

        private fun quantizer(element: JsonElement, at: String, target: QuantizationTarget): InferableQuantizer {
            val q = QuantizerJson.fromJson(element, "$src at $at")
            if (q.target() != target) {
                throw fail("$at is ${q.javaClass.simpleName}, which quantizes ${q.target()}; $target is needed here")
            }
            return q
        }

        private fun names(c: ConfigReader, key: String): List<String> {
            val names = c.strings(key)
            if (names.isEmpty() || names.size > MAX_CHILDREN) {
                throw fail("${c.path}.$key must list 1 to $MAX_CHILDREN names, found ${names.size}")
            }
            names.forEach { checkName(it, "${c.path}.$key") }
            return names
        }

        private fun name(c: ConfigReader, key: String): String = c.string(key).also { checkName(it, "${c.path}.$key") }

        private fun checkName(name: String, at: String) {
            if (name.isEmpty() || '.' in name || name.toByteArray(Charsets.UTF_8).size > MAX_NAME_BYTES) {
                throw fail("$at: '${JsonText.clip(name)}' is not a valid name; names are 1 to $MAX_NAME_BYTES UTF-8 "
                    + "bytes without '.'")
            }
        }

        private fun ConfigReader.atLeast(key: String, min: Int): Int =
            int(key).also { if (it < min) throw fail("$path.$key must be at least $min, found $it") }

        private fun ConfigReader.pair(key: String, min: Int): IntArray {
            val values = ints(key)
            if (values.size != 2 || values.any { it < min }) {
                throw fail("$path.$key must be a pair [h, w] of integers of at least $min, found "
                    + JsonText.clip(values.contentToString()))
            }
            return values
        }
    }
}
