package io.jqi.json

import io.jqi.quant.RoundingMode
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive

/**
 * Typed reads from one JSON object, each failure naming the source file, the key path and what was found. Keys it
 * was never asked for are errors too ([finish]), so a misspelt key cannot be silently ignored.
 */
internal class ConfigReader(private val obj: JsonObject, private val source: String, private val path: String,
                            private val owner: String) {
    private val read = LinkedHashSet<String>()

    fun int(key: String): Int = optionalInt(key) ?: throw missing(key)

    fun optionalInt(key: String): Int? {
        val e = take(key) ?: return null
        if (e is JsonNull) return null
        val value = if (JsonText.isNumber(e)) (e as JsonPrimitive).content.toIntOrNull() else null
        return value ?: throw wrong(key, "an integer", e)
    }

    fun string(key: String): String {
        val e = take(key) ?: throw missing(key)
        if (e is JsonPrimitive && e.isString) return e.content
        throw wrong(key, "a string", e)
    }

    fun obj(key: String): JsonObject {
        val e = take(key) ?: throw missing(key)
        return e as? JsonObject ?: throw wrong(key, "an object", e)
    }

    fun bool(key: String): Boolean {
        val e = take(key) ?: throw missing(key)
        if (e is JsonPrimitive && !e.isString && (e.content == "true" || e.content == "false")) {
            return e.content == "true"
        }
        throw wrong(key, "true or false", e)
    }

    fun float(key: String, default: Float): Float {
        val e = take(key) ?: return default
        return number(e, "$path.$key")
    }

    fun floats(key: String): FloatArray {
        val e = take(key) ?: throw missing(key)
        if (e !is JsonArray) throw wrong(key, "a list of numbers", e)
        return FloatArray(e.size) { i -> number(e[i], "$path.$key[$i]") }
    }

    fun rounding(): RoundingMode {
        val e = take("rounding") ?: return RoundingMode.HALF_EVEN
        val names = RoundingMode.entries.map { it.name }
        if (e is JsonPrimitive && e.isString && e.content in names) return RoundingMode.valueOf(e.content)
        throw wrong("rounding", "one of $names", e)
    }

    /** Rejects every key that was not read, suggesting the closest one that was. */
    fun finish() {
        val key = (obj.keys - read).firstOrNull() ?: return
        val hint = closest(key, read)?.let { " (did you mean '$it'?)" } ?: ""
        throw JsonFormatException("$source: unknown key '$key' in $path$hint; $owner takes ${read.joinToString()}")
    }

    private fun take(key: String): JsonElement? {
        read += key
        return obj[key]
    }

    private fun number(e: JsonElement, at: String): Float {
        if (!JsonText.isNumber(e)) {
            throw JsonFormatException("$source: $at must be a number, found ${JsonText.describe(e)}")
        }
        val v = JsonText.toFloat(e as JsonPrimitive)
        if (v.isInfinite()) throw JsonFormatException("$source: $at = ${e.content} is outside the float32 range")
        return v
    }

    private fun missing(key: String): JsonFormatException {
        val typo = closest(key, obj.keys - read)?.let { " (found '$it': a typo?)" } ?: ""
        return JsonFormatException("$source: missing key '$key' in $path$typo; $owner requires it")
    }

    private fun closest(key: String, candidates: Collection<String>): String? =
        candidates.minByOrNull { editDistance(it, key) }?.takeIf { editDistance(it, key) <= 2 }

    private fun wrong(key: String, expected: String, found: JsonElement) =
        JsonFormatException("$source: $path.$key must be $expected, found ${JsonText.describe(found)}")

    private fun editDistance(a: String, b: String): Int {
        val d = Array(a.length + 1) { IntArray(b.length + 1) }
        for (i in 0..a.length) d[i][0] = i
        for (j in 0..b.length) d[0][j] = j
        for (i in 1..a.length) for (j in 1..b.length) {
            d[i][j] = minOf(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + if (a[i - 1] == b[j - 1]) 0 else 1)
        }
        return d[a.length][b.length]
    }
}
