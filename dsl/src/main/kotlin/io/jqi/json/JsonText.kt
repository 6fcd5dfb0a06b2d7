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

    /** Parses [text]; a syntax error names the line and column in [source]. */
    fun parse(text: String, source: String): JsonElement =
        try {
            strict.parseToJsonElement(text)
        } catch (e: SerializationException) {
            val where = offset.find(e.message.orEmpty())?.groupValues?.get(1)?.toIntOrNull()
                ?.let { " at " + lineColumn(text, it) } ?: ""
            throw JsonFormatException("$source is not valid JSON$where: ${firstLine(e.message)}", e)
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

    private fun lineColumn(text: String, index: Int): String {
        val upTo = text.substring(0, index.coerceIn(0, text.length))
        val line = upTo.count { it == '\n' } + 1
        val column = index - (upTo.lastIndexOf('\n') + 1) + 1
        return "line $line, column $column"
    }

    private fun firstLine(message: String?): String =
        message.orEmpty().lineSequence().firstOrNull { it.isNotBlank() }?.trim() ?: "syntax error"
}
