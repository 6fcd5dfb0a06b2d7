package io.jqi.json

import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.Signedness
import io.jqi.qat.ActivationsSettings
import io.jqi.qat.LayerRule
import io.jqi.qat.QatConfig
import io.jqi.qat.mixed.ActivationMemoryBudget
import io.jqi.qat.mixed.BitOpsBudget
import io.jqi.qat.mixed.MixedPrecisionSettings
import io.jqi.qat.mixed.TotalMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryBudget
import io.jqi.qat.WeightsSettings
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.registry.QuantizerRegistry
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Path

/**
 * QAT configs as JSON: `{"format_version": 1, "weights": {...}, "activations": {...}, "layers": [...],
 * "ptq": {...}, "mixed_precision": {...}}` (the last optional) with snake_case keys and enums by name (docs/qat-config.md has a full file). A setting the config
 * leaves to the level above is omitted, and may be omitted when reading. Reading rejects unknown and repeated keys,
 * the settings records' conflicts (such as `"enabled": false` with a method) at their key path, with the message the
 * DSL and the Java builder give, and, through [QatConfig]'s constructor, a training method the registry cannot serve.
 */
object QatConfigJson {
    const val FORMAT_VERSION = 1
    private const val WEIGHTS = "the weights block"
    private const val ACTIVATIONS = "the activations block"

    @JvmStatic
    fun write(config: QatConfig): String = JsonText.pretty(toJson(config))

    @JvmStatic
    fun writeFile(path: Path, config: QatConfig) = JsonText.writeAtomically(path, write(config) + "\n")

    @JvmStatic
    @JvmOverloads
    fun read(text: String, source: String = "QAT config", registry: QuantizerRegistry = QuantizerRegistry.global())
        : QatConfig = fromJson(ConfigReader.document(JsonText.parse(text, source), source, "a QAT config"), registry)

    @JvmStatic
    @JvmOverloads
    fun readFile(path: Path, registry: QuantizerRegistry = QuantizerRegistry.global()): QatConfig =
        read(JsonText.read(path), path.toString(), registry)

    private fun toJson(c: QatConfig) = buildJsonObject {
        put("format_version", FORMAT_VERSION)
        put("weights", weights(c.weights()))
        put("activations", activations(c.activations()))
        put("layers", JsonArray(c.layers().map(::layer)))
        put("ptq", ptq(c.ptq()))
        c.mixedPrecision()?.let { put("mixed_precision", mixedPrecision(it)) }
    }

    private fun mixedPrecision(m: MixedPrecisionSettings) = buildJsonObject {
        m.weightsMemory()?.fractionOf8Bits()?.let { put("weights_memory", it) }
        m.weightsMemory()?.limitBytes()?.let { put("weights_memory_bytes", it) }
        m.activationMemory()?.fractionOf8Bits()?.let { put("activation_memory", it) }
        m.activationMemory()?.limitBytes()?.let { put("activation_memory_bytes", it) }
        m.totalMemory()?.fractionOf8Bits()?.let { put("total_memory", it) }
        m.totalMemory()?.limitBytes()?.let { put("total_memory_bytes", it) }
        m.bitOps()?.fractionOf8Bits()?.let { put("bit_ops", it) }
        m.bitOps()?.limitCount()?.let { put("bit_ops_count", it) }
        if (m.candidateBits().isNotEmpty()) put("candidate_bits", JsonArray(m.candidateBits().map { JsonPrimitive(it) }))
        if (m.activationCandidateBits().isNotEmpty()) {
            put("activation_candidate_bits", JsonArray(m.activationCandidateBits().map { JsonPrimitive(it) }))
        }
    }

    private fun weights(w: WeightsSettings) = settings(w.trainingMethod(), w.method(), w.bits(), w.enabled(),
        w.paramsOverride()) {
        w.perChannel()?.let { put("per_channel", it) }
        w.channelAxis()?.let { put("channel_axis", it) }
    }

    private fun activations(a: ActivationsSettings) = settings(a.trainingMethod(), a.method(), a.bits(), a.enabled(),
        a.paramsOverride()) {
        a.signedness()?.let { put("signedness", it.name) }
    }

    /** The keys weights and activations share, around the ones of their own. */
    private fun settings(training: String?, method: QuantizationMethod?, bits: Int?, enabled: Boolean?,
                         overrides: Map<String, String>, own: JsonObjectBuilder.() -> Unit) = buildJsonObject {
        training?.let { put("training_method", it) }
        method?.let { put("method", it.name) }
        bits?.let { put("bits", it) }
        own()
        enabled?.let { put("enabled", it) }
        if (overrides.isNotEmpty()) {
            put("params_override", JsonObject(overrides.toSortedMap().mapValues { JsonPrimitive(it.value) }))
        }
    }

    private fun layer(rule: LayerRule) = buildJsonObject {
        put("selector", rule.selector())
        if (rule.skip()) put("skip", true)
        if (rule.weights() != WeightsSettings.INHERIT) put("weights", weights(rule.weights()))
        if (rule.activations() != ActivationsSettings.INHERIT) put("activations", activations(rule.activations()))
    }

    private fun ptq(p: PtqConfig) = buildJsonObject {
        put("weights_error_method", p.weightsErrorMethod().name)
        put("activation_error_method", p.activationErrorMethod().name)
        put("l_p_value", p.lpValue())
        put("min_threshold", JsonText.float(p.minThreshold()))
        put("weights_bias_correction", p.weightsBiasCorrection())
        put("shift_negative_correction", p.shiftNegativeCorrection())
        put("shift_negative_params_search", p.shiftNegativeParamsSearch())
    }

    private fun fromJson(top: ConfigReader, registry: QuantizerRegistry): QatConfig {
        top.formatVersion(FORMAT_VERSION)
        val weights = top.optionalChild("weights", WEIGHTS)?.let(::readWeights)
        val activations = top.optionalChild("activations", ACTIVATIONS)?.let(::readActivations)
        val layers = top.objects("layers", "a layer rule").map(::readLayer)
        val ptq = top.optionalChild("ptq", "the PTQ block")?.let(::readPtq)
        val mixedPrecision = top.optionalChild("mixed_precision", "the mixed-precision block")?.let(::readMixedPrecision)
        top.finish()
        return top.build { QatConfig(weights, activations, layers, ptq, mixedPrecision, registry) }
    }

    /**
     * The budgets, each relative to 8 bits or absolute: `weights_memory` / `weights_memory_bytes`,
     * `activation_memory` / `activation_memory_bytes`, `total_memory` / `total_memory_bytes`, `bit_ops` /
     * `bit_ops_count`; and the candidates, `candidate_bits` and `activation_candidate_bits`.
     */
    private fun readMixedPrecision(r: ConfigReader): MixedPrecisionSettings {
        val weights = r.optionalDouble("weights_memory") to r.optionalLong("weights_memory_bytes")
        val activation = r.optionalDouble("activation_memory") to r.optionalLong("activation_memory_bytes")
        val total = r.optionalDouble("total_memory") to r.optionalLong("total_memory_bytes")
        val bitOps = r.optionalDouble("bit_ops") to r.optionalLong("bit_ops_count")
        val candidates = r.optionalInts("candidate_bits")?.toList()
        val activationCandidates = r.optionalInts("activation_candidate_bits")?.toList()
        r.finish()
        return r.build {
            MixedPrecisionSettings(WeightsMemoryBudget.of(weights.first, weights.second),
                BitOpsBudget.of(bitOps.first, bitOps.second),
                ActivationMemoryBudget.of(activation.first, activation.second),
                TotalMemoryBudget.of(total.first, total.second), candidates, activationCandidates)
        }
    }

    private fun readWeights(r: ConfigReader): WeightsSettings {
        val s = r.commonSettings()
        val perChannel = r.optionalBool("per_channel")
        val axis = r.optionalInt("channel_axis")
        r.finish()
        return r.build { WeightsSettings(s.training, s.method, s.bits, perChannel, axis, s.enabled, s.overrides) }
    }

    private fun readActivations(r: ConfigReader): ActivationsSettings {
        val s = r.commonSettings()
        val signedness = r.optionalEnum("signedness", Signedness.entries)
        r.finish()
        return r.build { ActivationsSettings(s.training, s.method, s.bits, signedness, s.enabled, s.overrides) }
    }

    private class Common(val training: String?, val method: QuantizationMethod?, val bits: Int?, val enabled: Boolean?,
                         val overrides: Map<String, String>)

    private fun ConfigReader.commonSettings() = Common(optionalString("training_method"),
        optionalEnum("method", QuantizationMethod.entries), optionalInt("bits"), optionalBool("enabled"),
        textMap("params_override"))

    private fun readLayer(r: ConfigReader): LayerRule {
        val selector = r.string("selector")
        val skip = r.optionalBool("skip") ?: false
        val weights = r.optionalChild("weights", WEIGHTS)?.let(::readWeights)
        val activations = r.optionalChild("activations", ACTIVATIONS)?.let(::readActivations)
        r.finish()
        return r.build { LayerRule(selector, skip, weights, activations) }
    }

    private fun readPtq(r: ConfigReader): PtqConfig {
        val d = PtqConfig.defaults()
        val weights = r.optionalEnum("weights_error_method", ErrorMethod.entries) ?: d.weightsErrorMethod()
        val activation = r.optionalEnum("activation_error_method", ErrorMethod.entries) ?: d.activationErrorMethod()
        val p = r.double("l_p_value", d.lpValue())
        val min = r.float("min_threshold", d.minThreshold())
        val bias = r.optionalBool("weights_bias_correction") ?: d.weightsBiasCorrection()
        val shift = r.optionalBool("shift_negative_correction") ?: d.shiftNegativeCorrection()
        val search = r.optionalBool("shift_negative_params_search") ?: d.shiftNegativeParamsSearch()
        r.finish()
        return r.build { PtqConfig(weights, activation, p, min, bias, shift, search) }
    }
}
