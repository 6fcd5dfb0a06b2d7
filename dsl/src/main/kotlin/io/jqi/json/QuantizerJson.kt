package io.jqi.json

import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.inferable.InferableQuantizers
import io.jqi.quant.inferable.WeightsInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Path

/**
 * Inferable quantizers as JSON: `{"class_name": "...", "config": {...}, "format_version": 1}` with the reference's
 * config keys (spec section 4.5) plus `"rounding"`. Uniform ranges are written adjusted, as the reference does.
 * Enums are written by name; floats in shortest round-trip form, so a file reads back to the same quantizer.
 */
object QuantizerJson {
    const val FORMAT_VERSION = 1

    private val classes = InferableQuantizers.ALL.associateBy { it.simpleName }

    @JvmStatic
    fun write(quantizer: InferableQuantizer): String = JsonText.pretty(toJson(quantizer))

    @JvmStatic
    fun writeFile(path: Path, quantizer: InferableQuantizer) = JsonText.writeAtomically(path, write(quantizer) + "\n")

    @JvmStatic
    @JvmOverloads
    fun read(text: String, source: String = "quantizer"): InferableQuantizer =
        fromJson(JsonText.parse(text, source), source)

    @JvmStatic
    fun readFile(path: Path): InferableQuantizer = read(JsonText.read(path), path.toString())

    @JvmStatic
    fun toJson(quantizer: InferableQuantizer): JsonObject = buildJsonObject {
        put("class_name", quantizer.javaClass.simpleName)
        put("config", buildJsonObject { writeConfig(quantizer) })
        put("format_version", FORMAT_VERSION)
    }

    @JvmStatic
    fun fromJson(element: JsonElement, source: String): InferableQuantizer {
        val top = ConfigReader.document(element, source, "a quantizer")
        top.formatVersion(FORMAT_VERSION)
        val name = top.string("class_name")
        val type = classes[name] ?: throw JsonFormatException("$source: unknown class_name '$name'; expected one of "
            + classes.keys.sorted().joinToString())
        val config = top.obj("config")
        top.finish()
        return build(type, ConfigReader(config, source, "\$.config", name), source)
    }

    private fun build(type: Class<out InferableQuantizer>, c: ConfigReader, source: String): InferableQuantizer {
        val quantizer = try {
            val bits = c.int("num_bits")
            when (type) {
                WeightsSymmetricInferableQuantizer::class.java, WeightsPOTInferableQuantizer::class.java -> {
                    val t = c.floats("threshold")
                    val (pc, axis, rank) = c.channels()
                    if (type == WeightsPOTInferableQuantizer::class.java) {
                        WeightsPOTInferableQuantizer(bits, t, pc, axis, rank, c.rounding())
                    } else {
                        WeightsSymmetricInferableQuantizer(bits, t, pc, axis, rank, c.rounding())
                    }
                }
                WeightsUniformInferableQuantizer::class.java -> {
                    val min = c.floats("min_range")
                    val max = c.floats("max_range")
                    val (pc, axis, rank) = c.channels()
                    WeightsUniformInferableQuantizer(bits, min, max, pc, axis, rank, c.rounding())
                }
                WeightsLUTSymmetricInferableQuantizer::class.java, WeightsLUTPOTInferableQuantizer::class.java -> {
                    val lut = c.floats("lut_values")
                    val t = c.floats("threshold")
                    val (pc, axis, rank) = c.channels()
                    val lutBits = c.lutBitwidth()
                    val eps = c.float("eps", WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS)
                    if (type == WeightsLUTPOTInferableQuantizer::class.java) {
                        WeightsLUTPOTInferableQuantizer(bits, lut, t, pc, axis, rank, lutBits, eps)
                    } else {
                        WeightsLUTSymmetricInferableQuantizer(bits, lut, t, pc, axis, rank, lutBits, eps)
                    }
                }
                ActivationSymmetricInferableQuantizer::class.java, ActivationPOTInferableQuantizer::class.java -> {
                    val signed = c.bool("signed")
                    val t = c.floats("threshold")
                    if (type == ActivationPOTInferableQuantizer::class.java) {
                        ActivationPOTInferableQuantizer(bits, t, signed, c.rounding())
                    } else {
                        ActivationSymmetricInferableQuantizer(bits, t, signed, c.rounding())
                    }
                }
                ActivationUniformInferableQuantizer::class.java ->
                    ActivationUniformInferableQuantizer(bits, c.floats("min_range"), c.floats("max_range"), c.rounding())
                ActivationLutPOTInferableQuantizer::class.java -> {
                    val lut = c.floats("lut_values")
                    val t = c.floats("threshold")
                    val signed = c.bool("signed")
                    val eps = c.float("eps", WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS)
                    ActivationLutPOTInferableQuantizer(bits, lut, t, signed, c.lutBitwidth(), eps)
                }
                else -> throw JsonFormatException("$source: no JSON form for ${type.simpleName}")
            }
        } catch (e: JsonFormatException) {
            throw e
        } catch (e: IllegalArgumentException) {
            throw JsonFormatException("$source: invalid ${type.simpleName} config: ${e.message}", e)
        }
        c.finish()
        return quantizer
    }

    private fun ConfigReader.channels() =
        Triple(bool("per_channel"), optionalInt("channel_axis"), optionalInt("input_rank"))

    private fun ConfigReader.lutBitwidth() =
        optionalInt("lut_values_bitwidth") ?: WeightsLUTSymmetricInferableQuantizer.DEFAULT_LUT_VALUES_BITWIDTH

    private fun JsonObjectBuilder.writeConfig(q: InferableQuantizer) {
        put("num_bits", q.numBits())
        when (q) {
            is WeightsSymmetricInferableQuantizer -> {
                put("threshold", floats(q.threshold()))
                channels(q)
                put("rounding", q.rounding().name)
            }
            is WeightsUniformInferableQuantizer -> {
                put("min_range", floats(q.minRange()))
                put("max_range", floats(q.maxRange()))
                channels(q)
                put("rounding", q.rounding().name)
            }
            is WeightsLUTSymmetricInferableQuantizer -> {
                put("lut_values", floats(q.lutValues()))
                put("threshold", floats(q.threshold()))
                channels(q)
                lut(q.lutValuesBitwidth(), q.eps())
            }
            is ActivationSymmetricInferableQuantizer -> {
                put("signed", q.signed())
                put("threshold", floats(floatArrayOf(q.threshold())))
                put("rounding", q.rounding().name)
            }
            is ActivationUniformInferableQuantizer -> {
                put("min_range", floats(floatArrayOf(q.minRange())))
                put("max_range", floats(floatArrayOf(q.maxRange())))
                put("rounding", q.rounding().name)
            }
            is ActivationLutPOTInferableQuantizer -> {
                put("lut_values", floats(q.lutValues()))
                put("threshold", floats(floatArrayOf(q.threshold())))
                put("signed", q.signed())
                lut(q.lutValuesBitwidth(), q.eps())
            }
            else -> throw IllegalArgumentException("${q.javaClass.name} has no JSON form; only jqi's built-in "
                + "inferable quantizers are serializable")
        }
    }

    private fun JsonObjectBuilder.channels(q: WeightsInferableQuantizer) {
        put("per_channel", q.perChannel())
        put("channel_axis", q.channelAxis().let { if (it.isPresent) JsonPrimitive(it.asInt) else JsonNull })
        put("input_rank", q.inputRank().let { if (it.isPresent) JsonPrimitive(it.asInt) else JsonNull })
    }

    private fun JsonObjectBuilder.lut(bitwidth: Int, eps: Float) {
        put("lut_values_bitwidth", bitwidth)
        put("eps", JsonText.float(eps))
    }

    private fun floats(values: FloatArray) = JsonArray(values.map(JsonText::float))
}
