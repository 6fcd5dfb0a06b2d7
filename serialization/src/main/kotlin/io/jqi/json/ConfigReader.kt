package io.jqi.json

import io.jqi.grid.RoundingMode
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive

/**
 * Typed reads from one JSON object, each failure naming the source file, the key path and what was found. Keys it
 * was never asked for are errors too ([finish]), so a misspelt key cannot be silently ignored. An optional key that
 * is absent or `null` reads as null ("not set"); a required one is an error either way.
 */
internal class ConfigReader(private val obj: JsonObject, private val source: String, val path: String,
                            private val owner: String) {
    private val read = LinkedHashSet<String>()

    companion object {
        /** A reader for a whole document ([what], such as "a quantizer"), which must be a JSON object. */
        fun document(element: JsonElement, source: String, what: String): ConfigReader {
            if (element !is JsonObject) {
                throw JsonFormatException("$source: $what must be a JSON object, found ${JsonText.describe(element)}")
            }
            return ConfigReader(element, source, "$", "$what document")
        }
    }

    fun int(key: String): Int = need(key, "an integer", optionalInt(key))

    fun optionalInt(key: String): Int? {
        val e = present(key) ?: return null
        val value = if (JsonText.isNumber(e)) (e as JsonPrimitive).content.toIntOrNull() else null
        return value ?: throw wrong(key, "an integer", e)
    }

    fun string(key: String): String = need(key, "a string", optionalString(key))

    fun optionalString(key: String): String? {
        val e = present(key) ?: return null
        if (e is JsonPrimitive && e.isString) return e.content
        throw wrong(key, "a string", e)
    }

    fun bool(key: String): Boolean = need(key, "true or false", optionalBool(key))

    fun optionalBool(key: String): Boolean? {
        val e = present(key) ?: return null
        if (e is JsonPrimitive && !e.isString && (e.content == "true" || e.content == "false")) {
            return e.content == "true"
        }
        throw wrong(key, "true or false", e)
    }

    fun obj(key: String): JsonObject = need(key, "an object", optionalObj(key))

    fun float(key: String, default: Float): Float {
        val e = take(key) ?: return default
        return number(e, "$path.$key")
    }

    /** A required number, as the nearest float32. */
    fun float(key: String): Float {
        val e = take(key) ?: throw missing(key)
        return number(e, "$path.$key")
    }

    /** A required integer that fits a signed 64-bit long. */
    fun long(key: String): Long {
        val e = present(key) ?: throw if (obj[key] is JsonNull) wrong(key, "an integer", JsonNull) else missing(key)
        val value = if (JsonText.isNumber(e)) (e as JsonPrimitive).content.toLongOrNull() else null
        return value ?: throw wrong(key, "an integer", e)
    }

    /** An integer that fits a signed 64-bit long, or null when the key is absent. */
    fun optionalLong(key: String): Long? = if (take(key) == null) null else long(key)

    /** A list of integers, or null when the key is absent. */
    fun optionalInts(key: String): IntArray? = if (take(key) == null) null else ints(key)

    /** A number, or null when the key is absent. */
    fun optionalDouble(key: String): Double? = if (take(key) == null) null else double(key, Double.NaN)

    /** A required list of integers. */
    fun ints(key: String): IntArray {
        val e = take(key) ?: throw missing(key)
        if (e !is JsonArray) throw wrong(key, "a list of integers", e)
        return IntArray(e.size) { i ->
            val item = e[i]
            (if (JsonText.isNumber(item)) (item as JsonPrimitive).content.toIntOrNull() else null)
                ?: throw JsonFormatException("$source: $path.$key[$i] must be an integer, found "
                    + JsonText.describe(item))
        }
    }

    /** A required list of strings. */
    fun strings(key: String): List<String> {
        val e = take(key) ?: throw missing(key)
        if (e !is JsonArray) throw wrong(key, "a list of strings", e)
        return e.mapIndexed { i, item ->
            (item as? JsonPrimitive)?.takeIf { it.isString }?.content
                ?: throw JsonFormatException("$source: $path.$key[$i] must be a string, found "
                    + JsonText.describe(item))
        }
    }

    /** The value under a required key, whatever its type. */
    fun element(key: String): JsonElement = take(key)?.takeUnless { it is JsonNull } ?: throw missing(key)

    fun double(key: String, default: Double): Double {
        val e = take(key) ?: return default
        if (!JsonText.isNumber(e)) throw wrong(key, "a number", e)
        return (e as JsonPrimitive).content.toDouble()
    }

    fun floats(key: String): FloatArray {
        val e = take(key) ?: throw missing(key)
        if (e !is JsonArray) throw wrong(key, "a list of numbers", e)
        return FloatArray(e.size) { i -> number(e[i], "$path.$key[$i]") }
    }

    fun rounding(): RoundingMode = optionalEnum("rounding", RoundingMode.entries) ?: RoundingMode.HALF_EVEN

    fun <E : Enum<E>> enum(key: String, entries: List<E>): E =
        need(key, "one of ${entries.map { it.name }}", optionalEnum(key, entries))

    /** An enum constant by name; a wrong name is an error that lists the valid ones. */
    fun <E : Enum<E>> optionalEnum(key: String, entries: List<E>): E? {
        val e = present(key) ?: return null
        val names = entries.map { it.name }
        if (e is JsonPrimitive && e.isString && e.content in names) return entries[names.indexOf(e.content)]
        throw wrong(key, "one of $names", e)
    }

    /** A reader for the object under [key]; [owner] names it in errors. */
    fun child(key: String, owner: String): ConfigReader = need(key, "an object", optionalChild(key, owner))

    fun optionalChild(key: String, owner: String): ConfigReader? =
        optionalObj(key)?.let { ConfigReader(it, source, "$path.$key", owner) }

    /** A reader for each object of the array under [key]; absent is empty. */
    fun objects(key: String, owner: String): List<ConfigReader> {
        val e = present(key) ?: return emptyList()
        if (e !is JsonArray) throw wrong(key, "a list of objects", e)
        return e.mapIndexed { i, item -> nested(item, "$path.$key[$i]", owner) }
    }

    /** A reader for each value of the object under [key], all of which must be objects; absent is empty. */
    fun objectMap(key: String, owner: String): Map<String, ConfigReader> =
        optionalObj(key).orEmpty().mapValues { (name, item) -> nested(item, "$path.$key.$name", owner) }

    /** Named options as text: strings, numbers and booleans are accepted, as a hand-written file would have them. */
    fun textMap(key: String): Map<String, String> =
        optionalObj(key).orEmpty().mapValues { (name, value) ->
            if (value !is JsonPrimitive || value is JsonNull) {
                throw JsonFormatException("$source: $path.$key.$name must be a string, number or boolean, found "
                    + JsonText.describe(value))
            }
            value.content
        }

    /** An array of arrays of strings; absent is empty. */
    fun stringLists(key: String): List<List<String>> {
        val e = present(key) ?: return emptyList()
        if (e !is JsonArray) throw wrong(key, "a list of lists of strings", e)
        return e.mapIndexed { i, item ->
            val strings = (item as? JsonArray)?.map { (it as? JsonPrimitive)?.takeIf { p -> p.isString }?.content }
            if (strings == null || null in strings) {
                throw JsonFormatException("$source: $path.$key[$i] must be a list of strings, found "
                    + JsonText.describe(item))
            }
            strings.filterNotNull()
        }
    }

    /** Checks the document's `format_version` against the one version this jqi reads. */
    fun formatVersion(supported: Int) {
        val version = optionalInt("format_version")
            ?: throw JsonFormatException("$source: missing key 'format_version' (this jqi reads $supported)")
        if (version != supported) {
            throw JsonFormatException("$source: format_version $version is not supported; this jqi reads version "
                + "$supported")
        }
    }

    /** Runs [make], turning a core constructor's rejection into an error that names the source and this object. */
    fun <T> build(make: () -> T): T =
        try {
            make()
        } catch (e: JsonFormatException) {
            throw e
        } catch (e: IllegalArgumentException) {
            throw JsonFormatException("$source: ${if (path == "$") "" else "invalid $path: "}${e.message}", e)
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

    private fun present(key: String): JsonElement? = take(key)?.takeUnless { it is JsonNull }

    /** [value], read as optional; when it is not set the key is missing, or given as `null` where [expected] is due. */
    private fun <T> need(key: String, expected: String, value: T?): T =
        value ?: throw if (obj[key] is JsonNull) wrong(key, expected, JsonNull) else missing(key)

    private fun optionalObj(key: String): JsonObject? {
        val e = present(key) ?: return null
        return e as? JsonObject ?: throw wrong(key, "an object", e)
    }

    private fun nested(item: JsonElement, at: String, owner: String): ConfigReader {
        val o = item as? JsonObject
            ?: throw JsonFormatException("$source: $at must be an object, found ${JsonText.describe(item)}")
        return ConfigReader(o, source, at, owner)
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
