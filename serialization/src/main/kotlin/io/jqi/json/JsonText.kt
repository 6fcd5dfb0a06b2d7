package io.jqi.json

import io.jqi.io.AtomicFiles
import io.jqi.tensor.FloatFormat
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.JsonUnquotedLiteral
import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path

/** Parsing, number handling and atomic writes shared by jqi's JSON formats. */
internal object JsonText {
    private val strict = Json { isLenient = false }
    private val prettyJson = Json { prettyPrint = true; prettyPrintIndent = "  " }
    private val jsonNumber = Regex("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")
    private val offset = Regex("offset (\\d+)")

    /**
     * Parses [text]; a syntax error names the line and column in [source], and so does a key that an object repeats:
     * kotlinx.serialization would silently keep the last value, so the first would never be read.
     */
    fun parse(text: String, source: String): JsonElement {
        val element = try {
            strict.parseToJsonElement(text)
        } catch (e: SerializationException) {
            val where = offset.find(e.message.orEmpty())?.groupValues?.get(1)?.toIntOrNull()
                ?.let { " at " + lineColumn(text, it) } ?: ""
            throw JsonFormatException("$source is not valid JSON$where: ${firstLine(e.message)}", e)
        }
        valueAfterClosingBracket(text)?.let { at ->
            throw JsonFormatException("$source is not valid JSON at ${lineColumn(text, at)}: a value follows a "
                + "closing bracket without a comma")
        }
        repeatedKey(text)?.let { (key, path, at) ->
            throw JsonFormatException("$source: key '$key' is given twice in $path (again at ${lineColumn(text, at)}); "
                + "keep one")
        }
        return element
    }

    /** [element] indented by two spaces, as jqi writes its files. */
    fun pretty(element: JsonElement): String = prettyJson.encodeToString(JsonElement.serializer(), element)

    /** A float in shortest round-trip form, so reading it back gives the same float32 bits. */
    @OptIn(ExperimentalSerializationApi::class)
    fun float(value: Float): JsonElement = JsonUnquotedLiteral(FloatFormat.shortest(value))

    fun isNumber(element: JsonElement): Boolean =
        element is JsonPrimitive && !element.isString && element !is JsonNull && jsonNumber.matches(element.content)

    /** The float32 nearest to a JSON number's decimal text (one correctly rounded conversion, no double step). */
    fun toFloat(element: JsonPrimitive): Float = element.content.toFloat()

    fun describe(element: JsonElement): String = when {
        element is JsonNull -> "null"
        element is JsonObject -> "an object"
        element is JsonArray -> "an array"
        element is JsonPrimitive && element.isString -> "the string \"${clip(element.content)}\""
        element is JsonPrimitive && (element.content == "true" || element.content == "false") -> "a boolean"
        else -> "'${clip((element as JsonPrimitive).content)}'"
    }

    /** [text], cut to 80 characters for an error message. */
    fun clip(text: String): String = if (text.length <= 80) text else text.take(77) + "..."

    fun read(path: Path): String =
        try {
            Files.readString(path)
        } catch (e: IOException) {
            throw JsonFormatException.cannotRead(path, e)
        }

    /** Writes through a temporary file in the same directory and a rename ([AtomicFiles]), so readers never see half a file. */
    fun writeAtomically(path: Path, text: String) {
        val target = path.toAbsolutePath()
        target.parent?.let { Files.createDirectories(it) }
        AtomicFiles.write(target, text.toByteArray(Charsets.UTF_8))
    }

    private data class RepeatedKey(val key: String, val path: String, val offset: Int)

    /**
     * Where a value follows a closing bracket without a comma: [strict] reads `{"a": [1]2]}` as `{"a": [1, 2]}`, so a
     * text with a lost bracket or comma would give a wrong value instead of an error. In valid JSON a closing bracket
     * is followed only by a comma, another closing bracket or the end. Strings are skipped: brackets inside them do
     * not count.
     */
    private fun valueAfterClosingBracket(text: String): Int? {
        var i = 0
        while (i < text.length) {
            when (text[i]) {
                ']', '}' -> {
                    var j = i + 1
                    while (j < text.length && text[j] in " \n\r\t") j++
                    if (j < text.length && text[j] !in ",]}") return j
                }
                '"' -> {
                    i++
                    while (text[i] != '"') i += if (text[i] == '\\') 2 else 1
                }
            }
            i++
        }
        return null
    }

    /**
     * The first key that an object of [text] repeats: the key, the object's path as [ConfigReader] writes it
     * (`$.layers[1].weights`) and the repeat's offset. [text] is what [strict] accepted and
     * [valueAfterClosingBracket] did not reject. One pass with an explicit stack, so nesting as deep as the parser
     * accepts cannot overflow the call stack.
     */
    private fun repeatedKey(text: String): RepeatedKey? {
        class Open(val path: String, val keys: HashSet<String>?) {
            var key = ""
            var index = 0
        }
        val open = ArrayList<Open>()
        fun valuePath(): String {
            val parent = open.lastOrNull() ?: return "$"
            return if (parent.keys != null) "${parent.path}.${parent.key}" else "${parent.path}[${parent.index}]"
        }
        /** Moves to the next member of the innermost array or object; true when a key comes next. */
        fun nextMember(): Boolean = open.last().let { if (it.keys == null) it.index++; it.keys != null }
        var expectKey = false
        var i = 0
        while (i < text.length) {
            when (text[i]) {
                '{' -> { open += Open(valuePath(), HashSet()); expectKey = true }
                '[' -> open += Open(valuePath(), null)
                ',' -> expectKey = nextMember()
                ']' -> open.removeAt(open.lastIndex)
                '}' -> { open.removeAt(open.lastIndex); expectKey = false }
                '"' -> {
                    val start = i
                    i++
                    while (text[i] != '"') i += if (text[i] == '\\') 2 else 1
                    if (expectKey) {
                        val raw = text.substring(start + 1, i)
                        // An escaped key ("\u0061") is the same key as its plain spelling: let the parser decode it.
                        val key = if ('\\' !in raw) raw
                            else (strict.parseToJsonElement(text.substring(start, i + 1)) as JsonPrimitive).content
                        val container = open.last()
                        if (!container.keys!!.add(key)) return RepeatedKey(key, container.path, start)
                        container.key = key
                        expectKey = false
                    }
                }
            }
            i++
        }
        return null
    }

    private fun lineColumn(text: String, index: Int): String {
        val upTo = text.substring(0, index.coerceIn(0, text.length))
        val line = upTo.count { it == '\n' } + 1
        val column = index - (upTo.lastIndexOf('\n') + 1) + 1
        return "line $line, column $column"
    }

    private fun firstLine(message: String?): String =
        message.orEmpty().lineSequence().firstOrNull { it.isNotBlank() }?.trim() ?: "syntax error"
}
