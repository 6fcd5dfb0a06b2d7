package io.jqi.json

import io.jqi.ptq.ActivationQuantization
import io.jqi.ptq.OpQuantization
import io.jqi.ptq.Signedness
import io.jqi.ptq.TargetPlatform
import io.jqi.ptq.WeightQuantization
import io.jqi.quant.QuantizationMethod
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Path

/**
 * Target platforms as JSON: `{"format_version": 1, "name": ..., "defaults": op, "ops": {"Conv2D": op, ...},
 * "fusing": [["Conv2D", "ReLU"], ...]}`, where an op is `{"kernel_attribute", "weights", "activation",
 * "preserves_input_quantization"}` and `null` weights or activation mean float; weights may list the mixed-precision
 * `candidate_bits`. Ops are written in the platform's
 * order, enums by name.
 */
object TargetPlatformJson {
    const val FORMAT_VERSION = 1
    private const val OP = "an op quantization"

    @JvmStatic
    fun write(platform: TargetPlatform): String = JsonText.pretty(toJson(platform))

    @JvmStatic
    fun writeFile(path: Path, platform: TargetPlatform) = JsonText.writeAtomically(path, write(platform) + "\n")

    @JvmStatic
    @JvmOverloads
    fun read(text: String, source: String = "target platform"): TargetPlatform =
        fromJson(ConfigReader.document(JsonText.parse(text, source), source, "a target platform"))

    @JvmStatic
    fun readFile(path: Path): TargetPlatform = read(JsonText.read(path), path.toString())

    private fun toJson(p: TargetPlatform) = buildJsonObject {
        put("format_version", FORMAT_VERSION)
        put("name", p.name())
        put("defaults", op(p.defaults()))
        put("ops", JsonObject(p.ops().mapValues { op(it.value) }))
        put("fusing", JsonArray(p.fusing().map { pair -> JsonArray(pair.map { JsonPrimitive(it) }) }))
    }

    private fun op(o: OpQuantization) = buildJsonObject {
        put("kernel_attribute", o.kernelAttribute())
        put("weights", o.weights()?.let(::weights) ?: JsonNull)
        put("activation", o.activation()?.let(::activation) ?: JsonNull)
        put("preserves_input_quantization", o.preservesInputQuantization())
    }

    private fun weights(w: WeightQuantization): JsonElement = buildJsonObject {
        put("method", w.method().name)
        put("bits", w.bits())
        put("per_channel", w.perChannel())
        put("channel_axis", w.channelAxis())
        if (w.candidateBits().isNotEmpty()) put("candidate_bits", JsonArray(w.candidateBits().map { JsonPrimitive(it) }))
    }

    private fun activation(a: ActivationQuantization): JsonElement = buildJsonObject {
        put("method", a.method().name)
        put("bits", a.bits())
        put("signedness", a.signedness().name)
        if (a.candidateBits().isNotEmpty()) put("candidate_bits", JsonArray(a.candidateBits().map { JsonPrimitive(it) }))
    }

    private fun fromJson(top: ConfigReader): TargetPlatform {
        top.formatVersion(FORMAT_VERSION)
        val name = top.string("name")
        val defaults = readOp(top.child("defaults", OP))
        val ops = top.objectMap("ops", OP).mapValues { readOp(it.value) }
        val fusing = top.stringLists("fusing")
        top.finish()
        return top.build { TargetPlatform(name, defaults, ops, fusing) }
    }

    private fun readOp(r: ConfigReader): OpQuantization {
        val kernel = r.optionalString("kernel_attribute")
        val weights = r.optionalChild("weights", "a weights quantization")?.let(::readWeights)
        val activation = r.optionalChild("activation", "an activation quantization")?.let(::readActivation)
        val preserves = r.optionalBool("preserves_input_quantization") ?: false
        r.finish()
        return r.build { OpQuantization(kernel, weights, activation, preserves) }
    }

    private fun readWeights(r: ConfigReader): WeightQuantization {
        val method = r.enum("method", QuantizationMethod.entries)
        val bits = r.int("bits")
        val perChannel = r.bool("per_channel")
        val axis = r.optionalInt("channel_axis") ?: 0
        val candidates = r.optionalInts("candidate_bits")?.toList()
        r.finish()
        return r.build { WeightQuantization(method, bits, perChannel, axis, candidates) }
    }

    private fun readActivation(r: ConfigReader): ActivationQuantization {
        val method = r.enum("method", QuantizationMethod.entries)
        val bits = r.int("bits")
        val signedness = r.optionalEnum("signedness", Signedness.entries) ?: Signedness.AUTO
        val candidates = r.optionalInts("candidate_bits")?.toList()
        r.finish()
        return r.build { ActivationQuantization(method, bits, signedness, candidates) }
    }
}
