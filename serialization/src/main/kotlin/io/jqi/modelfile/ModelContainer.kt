package io.jqi.modelfile

import io.jqi.io.AtomicFiles
import io.jqi.json.ConfigReader
import io.jqi.json.JsonFormatException
import io.jqi.json.JsonText
import io.jqi.modelfile.ModelFile.DTYPE
import io.jqi.modelfile.ModelFile.FORMAT_VERSION
import io.jqi.modelfile.ModelFile.MAGIC
import io.jqi.modelfile.ModelFile.MAX_HEADER_BYTES
import io.jqi.modelfile.ModelFile.MAX_JSON_DEPTH
import io.jqi.modelfile.ModelFile.MAX_JSON_NODES
import io.jqi.modelfile.ModelFile.MAX_NAME_BYTES
import io.jqi.modelfile.ModelFile.MAX_RANK
import io.jqi.modelfile.ModelFile.MAX_TENSORS
import io.jqi.modelfile.ModelFile.PREAMBLE_BYTES
import io.jqi.nn.Module
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.channels.FileChannel
import java.nio.channels.WritableByteChannel
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.JsonUnquotedLiteral
import kotlinx.serialization.json.add
import kotlinx.serialization.json.addJsonObject
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray

/**
 * The model file's container (docs/model-format.md): preamble, JSON header and data section, their limits, the tensor
 * index, and the checks that keep a corrupt or hostile file from allocating or running anything before it is known to
 * fit. The module tree inside the header is [ModelTree]'s, each layer its codec's.
 */
internal object ModelContainer {
    private val compact = Json { prettyPrint = false }
    private const val CHUNK = 1 shl 16

    class Encoded(val header: ByteArray, val tensors: Collection<Tensor>) {
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

    fun encode(model: Module, metadata: JsonObject, registry: QuantizerRegistry): Encoded {
        val meta = literal(metadata, 1)
        val graph = ModelTree.describe(model)
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
            decodeHeader(text, "the model being saved", offset, registry)
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

    /** Random access to the file being read. */
    abstract class Input(val source: String) {
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

    class BytesInput(private val bytes: ByteArray, source: String) : Input(source) {
        override val size = bytes.size.toLong()

        override fun readFully(position: Long, into: ByteBuffer) {
            requireRange(position, into.remaining())
            into.put(bytes, position.toInt(), into.remaining())
        }
    }

    class ChannelInput(private val channel: FileChannel, source: String) : Input(source) {
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

    private class Header(val spec: ModuleSpec, val tensors: List<Entry>, val metadata: JsonObject)

    fun decode(input: Input, registry: QuantizerRegistry): SavedModel {
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
        val header = decodeHeader(text, src, size - dataStart, registry)
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
    private fun decodeHeader(text: String, src: String, dataBytes: Long, registry: QuantizerRegistry): Header {
        checkStructure(text, src)
        val top = ConfigReader.document(JsonText.parse(text, "$src (header)"), src, "a jqi model header")
        top.formatVersion(FORMAT_VERSION)
        val entries = top.objects("tensors", "a tensor index entry")
        val model = top.obj("model")
        val metadata = top.obj("metadata")
        top.finish()
        val tensors = index(entries, src, dataBytes)
        val spec = ModelTree.read(model, src, registry)
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
    fun shape(c: ConfigReader, key: String, src: String): IntArray {
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

    private fun compare(spec: ModuleSpec, tensors: List<Entry>, src: String) {
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
}
