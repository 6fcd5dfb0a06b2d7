package io.jqi.json

import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.QuantizerConfig
import io.jqi.quant.registry.QuantizerRegistry
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import java.nio.file.Path
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/**
 * Inferable quantizers as JSON: `{"class_name": "...", "config": {...}, "format_version": 1}`, the config being what
 * the quantizer writes through [InferableQuantizer.writeConfig] (docs/quantizer-contract.md#inferable-json-config):
 * the reference's keys plus `"rounding"`, uniform ranges adjusted, enums by name, floats in shortest round-trip form,
 * so a file reads back to the same quantizer. Reading finds `class_name` among the inferable quantizer classes of a
 * [QuantizerRegistry] (the global one unless told otherwise), jqi's nine and any a user registered, and builds it with
 * the class's public static `fromConfig(QuantizerConfig.Reader)`: a file never names a class that was not
 * registered.
 */
object QuantizerJson {
    const val FORMAT_VERSION = 1

    @JvmStatic
    fun write(quantizer: InferableQuantizer): String = JsonText.pretty(toJson(quantizer))

    @JvmStatic
    fun writeFile(path: Path, quantizer: InferableQuantizer) = JsonText.writeAtomically(path, write(quantizer) + "\n")

    @JvmStatic
    @JvmOverloads
    fun read(text: String, source: String = "quantizer", registry: QuantizerRegistry = QuantizerRegistry.global())
        : InferableQuantizer = fromJson(JsonText.parse(text, source), source, registry)

    @JvmStatic
    @JvmOverloads
    fun readFile(path: Path, registry: QuantizerRegistry = QuantizerRegistry.global()): InferableQuantizer =
        read(JsonText.read(path), path.toString(), registry)

    @JvmStatic
    fun toJson(quantizer: InferableQuantizer): JsonObject = buildJsonObject {
        put("class_name", quantizer.javaClass.simpleName)
        put("config", buildJsonObject { quantizer.writeConfig(JsonConfigWriter(this)) })
        put("format_version", FORMAT_VERSION)
    }

    @JvmStatic
    @JvmOverloads
    fun fromJson(element: JsonElement, source: String, registry: QuantizerRegistry = QuantizerRegistry.global())
        : InferableQuantizer {
        val top = ConfigReader.document(element, source, "a quantizer")
        top.formatVersion(FORMAT_VERSION)
        val name = top.string("class_name")
        val classes = inferableClasses(registry)
        val type = classes[name] ?: throw JsonFormatException("$source: unknown class_name '$name'; expected one of "
            + classes.keys.sorted().joinToString())
        val config = top.obj("config")
        top.finish()
        return build(type, ConfigReader(config, source, "\$.config", name), source)
    }

    /** The registry's inferable quantizer classes by simple name; two of one name cannot be told apart in a file. */
    private fun inferableClasses(registry: QuantizerRegistry): Map<String, Class<out InferableQuantizer>> {
        val classes = registry.registeredClasses().filter { InferableQuantizer::class.java.isAssignableFrom(it) }
            .map { it.asSubclass(InferableQuantizer::class.java) }
        val byName = classes.groupBy { it.simpleName }
        byName.values.firstOrNull { it.size > 1 }?.let { same ->
            throw IllegalStateException("Quantizers ${same.map { it.name }} share the simple name "
                + "'${same[0].simpleName}', which files use as class_name; rename one")
        }
        return byName.mapValues { it.value[0] }
    }

    private fun build(type: Class<out InferableQuantizer>, c: ConfigReader, source: String): InferableQuantizer {
        val factory = fromConfig(type)
        val quantizer = try {
            type.cast(factory.invoke(null, JsonConfigReader(c)))
        } catch (e: InvocationTargetException) {
            when (val cause = e.cause) {
                is JsonFormatException -> throw cause
                is IllegalArgumentException ->
                    throw JsonFormatException("$source: invalid ${type.simpleName} config: ${cause.message}", cause)
                else -> throw IllegalStateException("${type.simpleName}.fromConfig failed: $cause", cause)
            }
        }
        c.finish()
        return quantizer
    }

    private fun fromConfig(type: Class<out InferableQuantizer>): Method {
        val method = try {
            type.getMethod("fromConfig", QuantizerConfig.Reader::class.java)
        } catch (e: NoSuchMethodException) {
            null
        }
        if (method == null || !Modifier.isStatic(method.modifiers) || !type.isAssignableFrom(method.returnType)) {
            throw JsonFormatException("${type.name} cannot be read from a file: it needs a public static "
                + "${type.simpleName} fromConfig(QuantizerConfig.Reader) that reads what its writeConfig writes")
        }
        return method
    }

    private class JsonConfigWriter(private val out: JsonObjectBuilder) : QuantizerConfig.Writer {
        override fun put(key: String, value: Int) {
            out.put(key, value)
        }

        override fun putOptional(key: String, value: Int?) {
            out.put(key, value?.let(::JsonPrimitive) ?: JsonNull)
        }

        override fun put(key: String, value: Boolean) {
            out.put(key, value)
        }

        override fun put(key: String, value: Float) {
            out.put(key, JsonText.float(value))
        }

        override fun put(key: String, values: FloatArray) {
            out.put(key, JsonArray(values.map(JsonText::float)))
        }

        override fun put(key: String, value: Enum<*>) {
            out.put(key, value.name)
        }
    }

    private class JsonConfigReader(private val c: ConfigReader) : QuantizerConfig.Reader {
        override fun integer(key: String): Int = c.int(key)
        override fun optionalInteger(key: String): Int? = c.optionalInt(key)
        override fun bool(key: String): Boolean = c.bool(key)
        override fun number(key: String): Float = c.float(key)
        override fun number(key: String, defaultValue: Float): Float = c.float(key, defaultValue)
        override fun numbers(key: String): FloatArray = c.floats(key)
        override fun <E : Enum<E>> enumValue(key: String, type: Class<E>, defaultValue: E): E =
            c.optionalEnum(key, type.enumConstants.toList()) ?: defaultValue
    }
}
