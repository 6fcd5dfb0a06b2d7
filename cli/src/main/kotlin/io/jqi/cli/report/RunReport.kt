package io.jqi.cli.report

import io.jqi.json.JsonFormatException
import io.jqi.json.QatConfigJson
import io.jqi.qat.QatConfig
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.KSerializer
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.SerializationException
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.encoding.Decoder
import kotlinx.serialization.encoding.Encoder
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonUnquotedLiteral
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.intOrNull
import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path
import java.util.Properties

/**
 * Everything `jqi qat` learned in one run: what it trained on, with which config, the accuracy of each stage, the
 * per-epoch curves, wall time per phase and what the quantizers of the finalized model look like. [ReportWriter]
 * turns it into `report.json`, `report.md`, `curves.png` and `layers.png`; [read] reads `report.json` back (for
 * `--resume`).
 *
 * Accuracies are fractions in [0, 1] (the Markdown, the console table and the plots show percent). A value is
 * `null` where its phase did not run. Loss and accuracy may be NaN (a diverged run is still reported); the JSON then
 * carries the non-standard literal `NaN`, which [read] accepts.
 */
@Serializable
data class RunReport(
    @SerialName("format_version") val formatVersion: Int = FORMAT_VERSION,
    val dataset: DatasetInfo,
    val model: String,
    val preset: String,
    /** The QAT config in its JSON form ([configJson] makes it from a [QatConfig]); numbers are kept verbatim. */
    @Serializable(with = VerbatimJsonSerializer::class) val config: JsonElement,
    val seed: Long,
    /** Where it trained: `cpu` or `cuda`, and the Spark master and workers under `jqi qat --spark`. */
    val device: String,
    /** The QAT phase's knowledge distillation from the float model, or `null` when it trained on the labels alone. */
    val distillation: DistillationInfo? = null,
    /**
     * The mixed-precision budget: the quantized kernels' memory as a fraction of theirs at 8 bits (`--weights-memory`),
     * or `null` when every kernel has the config's bits. The chosen bits are in [config]'s layer rules and [layers].
     */
    @SerialName("weights_memory") val weightsMemory: Double? = null,
    /**
     * The finalized model's quantized kernels' memory as a fraction of theirs at 8 bits, recounted from its quantizers;
     * `null` without [weightsMemory].
     */
    @SerialName("weights_memory_used") val weightsMemoryUsed: Double? = null,
    /**
     * The bit-operations budget as a fraction of the 8-bit bit operations (`--bit-ops`), and what the chosen widths
     * use, from the search's count; `null` without one.
     */
    @SerialName("bit_ops") val bitOps: Double? = null,
    @SerialName("bit_ops_used") val bitOpsUsed: Double? = null,
    /**
     * The activation memory budget as a fraction of the quantized activations held at once at 8 bits
     * (`--activation-memory`), and what the finalized model uses, recounted from its quantizers; `null` without one.
     */
    @SerialName("activation_memory") val activationMemory: Double? = null,
    @SerialName("activation_memory_used") val activationMemoryUsed: Double? = null,
    /**
     * The total memory budget (weights and activations together) as a fraction of theirs at 8 bits
     * (`--total-memory`), and what the finalized model uses, recounted from its quantizers; `null` without one.
     */
    @SerialName("total_memory") val totalMemory: Double? = null,
    @SerialName("total_memory_used") val totalMemoryUsed: Double? = null,
    val accuracy: Accuracies,
    val epochs: List<EpochRecord>,
    val phases: List<PhaseTiming>,
    val layers: List<LayerRecord>,
    /** ISO-8601 instant, e.g. `2025-01-31T12:00:00Z`. */
    @SerialName("started_at") val startedAt: String,
    @SerialName("jqi_version") val jqiVersion: String,
) {
    init {
        require(formatVersion == FORMAT_VERSION) {
            "report format_version $formatVersion is not supported (this jqi reads version $FORMAT_VERSION)"
        }
    }

    /** Pretty JSON (two-space indent, arrays of numbers on one line), as `report.json` holds it. */
    fun toJson(): String = JsonPretty.print(JSON.encodeToJsonElement(serializer(), this))

    /** The epochs of one phase ([EpochRecord.FLOAT] or [EpochRecord.QAT]), in order. */
    fun epochsOf(phase: String): List<EpochRecord> = epochs.filter { it.phase == phase }

    companion object {
        const val FORMAT_VERSION = 1

        internal val JSON = Json {
            prettyPrint = true
            prettyPrintIndent = "  "
            encodeDefaults = true
            explicitNulls = true
            ignoreUnknownKeys = false
            allowSpecialFloatingPointValues = true
        }

        /** Parses a report; any problem is a [JsonFormatException] that names [source] and what is wrong. */
        @JvmStatic
        @JvmOverloads
        fun parse(text: String, source: String = "report"): RunReport {
            val tree = try {
                JSON.parseToJsonElement(text)
            } catch (e: SerializationException) {
                throw JsonFormatException("$source is not valid JSON: ${firstLine(e.message)}", e)
            }
            if (tree !is JsonObject) {
                throw JsonFormatException("$source: a run report must be a JSON object")
            }
            val version = tree["format_version"]
                ?: throw JsonFormatException("$source: a run report needs \"format_version\": $FORMAT_VERSION")
            if (version !is JsonPrimitive || version.isString || version.intOrNull != FORMAT_VERSION) {
                throw JsonFormatException("$source: report format_version $version is not supported " +
                    "(this jqi reads version $FORMAT_VERSION)")
            }
            return try {
                JSON.decodeFromJsonElement(serializer(), tree)
            } catch (e: SerializationException) {
                throw JsonFormatException("$source: ${firstLine(e.message)}", e)
            } catch (e: IllegalArgumentException) {
                throw JsonFormatException("$source: ${firstLine(e.message)}", e)
            }
        }

        /** Reads `report.json` (or any report file) back. */
        @JvmStatic
        fun read(path: Path): RunReport {
            val text = try {
                Files.readString(path)
            } catch (e: IOException) {
                throw JsonFormatException.cannotRead(path, e)
            }
            return parse(text, path.toString())
        }

        /** The JSON form of [config], for [RunReport.config]. */
        @JvmStatic
        fun configJson(config: QatConfig): JsonElement = Json.parseToJsonElement(QatConfigJson.write(config))

        /** This build's version (from the jar's version.properties), or "unknown". */
        @JvmStatic
        fun currentJqiVersion(): String {
            val p = Properties()
            RunReport::class.java.getResourceAsStream("/io/jqi/cli/version.properties")?.use { p.load(it) }
            return p.getProperty("version")?.takeIf { it.isNotBlank() && !it.startsWith("\${") } ?: "unknown"
        }

        private fun firstLine(message: String?): String =
            message.orEmpty().lineSequence().firstOrNull { it.isNotBlank() }?.trim() ?: "malformed report"
    }
}

/**
 * Writes a JSON tree with its numbers exactly as they are spelled (kotlinx would re-print them through Double,
 * turning the config's `0.000015258789` into `1.5258789E-5`), so that a report reads back equal to itself.
 */
@OptIn(ExperimentalSerializationApi::class)
internal object VerbatimJsonSerializer : KSerializer<JsonElement> {
    override val descriptor: SerialDescriptor = SerialDescriptor("io.jqi.cli.report.VerbatimJson",
        JsonElement.serializer().descriptor)

    override fun serialize(encoder: Encoder, value: JsonElement) =
        JsonElement.serializer().serialize(encoder, verbatim(value))

    override fun deserialize(decoder: Decoder): JsonElement = JsonElement.serializer().deserialize(decoder)

    private fun verbatim(e: JsonElement): JsonElement = when (e) {
        is JsonObject -> JsonObject(e.mapValues { verbatim(it.value) })
        is JsonArray -> JsonArray(e.map(::verbatim))
        is JsonNull -> e
        is JsonPrimitive -> if (e.isString || e.booleanOrNull != null) e else JsonUnquotedLiteral(e.content)
    }
}

/** Two-space indented JSON that keeps arrays of plain values (shapes, thresholds, histograms) on one line. */
internal object JsonPretty {
    fun print(element: JsonElement): String = StringBuilder().also { append(it, element, "") }.toString()

    private fun append(out: StringBuilder, e: JsonElement, indent: String) {
        when (e) {
            is JsonObject -> {
                if (e.isEmpty()) {
                    out.append("{}")
                    return
                }
                out.append("{\n")
                var first = true
                for ((key, value) in e) {
                    if (!first) out.append(",\n")
                    first = false
                    out.append(indent).append("  ").append(JsonPrimitive(key).toString()).append(": ")
                    append(out, value, "$indent  ")
                }
                out.append("\n").append(indent).append("}")
            }
            is JsonArray -> when {
                e.isEmpty() -> out.append("[]")
                e.all { it is JsonPrimitive } -> out.append(e.joinToString(", ", "[", "]") { it.toString() })
                else -> {
                    out.append("[\n")
                    e.forEachIndexed { i, value ->
                        if (i > 0) out.append(",\n")
                        out.append(indent).append("  ")
                        append(out, value, "$indent  ")
                    }
                    out.append("\n").append(indent).append("]")
                }
            }
            is JsonPrimitive -> out.append(e.toString())
        }
    }
}

/** The data a run trained and evaluated on. */
@Serializable
data class DatasetInfo(
    /** `digits`, `fashion-mnist`, or the name of a user's file or directory. */
    val name: String,
    /** Where it was read from: a path, or `embedded`. */
    val source: String,
    @SerialName("train_size") val trainSize: Int,
    @SerialName("test_size") val testSize: Int,
    /** One example's shape, without the batch axis, e.g. `[1, 28, 28]`. */
    @SerialName("input_shape") val inputShape: List<Int>,
    val classes: Int,
)

/** Knowledge distillation settings (`io.jqi.train.Distillation`): the soft loss's temperature and its share. */
@Serializable
data class DistillationInfo(val temperature: Double, val weight: Double) {
    /** As the tables show it: `KD T=4 w=0.5`. */
    fun label(): String = "KD T=${Formats.number(temperature)} w=${Formats.number(weight)}"
}

/** Test accuracy (a fraction in [0, 1]) of each stage; `null` where the stage did not run. */
@Serializable
data class Accuracies(
    val float: Double? = null,
    val ptq: Double? = null,
    val qat: Double? = null,
    val finalized: Double? = null,
)

/** One training epoch. [epoch] counts from 1 within its [phase]. */
@Serializable
data class EpochRecord(
    /** [FLOAT] or [QAT]. */
    val phase: String,
    val epoch: Int,
    /** Mean training loss over the epoch. */
    val loss: Double,
    /** Accuracy on the held-out set after the epoch, a fraction in [0, 1]; null for an epoch not evaluated. */
    @SerialName("test_accuracy") val testAccuracy: Double? = null,
    /** Wall time of the epoch (training and its evaluation). */
    val seconds: Double,
    /** Training images per second. */
    @SerialName("images_per_second") val imagesPerSecond: Double,
) {
    init {
        require(phase == FLOAT || phase == QAT) { "an epoch's phase must be \"$FLOAT\" or \"$QAT\", got \"$phase\"" }
        require(epoch >= 1) { "epochs count from 1, got $epoch" }
    }

    companion object {
        const val FLOAT = "float"
        const val QAT = "qat"
    }
}

/** Wall time of one phase, e.g. `float`, `ptq`, `qat`, `finalize`; [imagesPerSecond] where it processes images. */
@Serializable
data class PhaseTiming(
    val name: String,
    val seconds: Double,
    @SerialName("images_per_second") val imagesPerSecond: Double? = null,
)

/**
 * One quantized node of the finalized model: its weight quantization (a wrapped layer), the quantization of its
 * output (an activation holder after it), or both. A model input that is quantized is a record of kind `input`.
 */
@Serializable
data class LayerRecord(
    val name: String,
    /** The layer's class (`Dense`, `Conv2D`, `ReLU`, ...) or `input`. */
    val kind: String,
    val weights: WeightRecord? = null,
    val activation: ActivationRecord? = null,
)

/**
 * A weights quantizer. [method] is a `QuantizationMethod` name (`SYMMETRIC`, `POWER_OF_TWO`, `UNIFORM`, `LUT_POT`,
 * `LUT_SYMMETRIC`), or the class name of a quantizer that is not inferable (nor converts to one), whose other fields
 * are then null. Quantizers that configure a `threshold` have [thresholds]; those that configure `min_range` and
 * `max_range` (uniform ones) [rangeMin] and [rangeMax] (one value per tensor or per channel).
 */
@Serializable
data class WeightRecord(
    val method: String,
    val bits: Int? = null,
    @SerialName("per_channel") val perChannel: Boolean? = null,
    @SerialName("channel_axis") val channelAxis: Int? = null,
    val thresholds: List<Float>? = null,
    @SerialName("range_min") val rangeMin: List<Float>? = null,
    @SerialName("range_max") val rangeMax: List<Float>? = null,
    /** The values the quantizer outputs, drawn as grid lines over [histogram]. */
    val grid: GridRecord? = null,
    /** Of the layer's float kernel values. */
    val histogram: HistogramRecord? = null,
)

/**
 * The values one channel of a weights quantizer outputs, read from its grid: the channel whose output range is the
 * median width, or the only one of a per-tensor quantizer.
 */
@Serializable
data class GridRecord(
    /** The channel's index; null per tensor. */
    val channel: Int? = null,
    /** How many distinct values the channel outputs. */
    val levels: Int,
    /**
     * All of them, ascending, when there are at most [LayerRecords.MAX_GRID_VALUES]; otherwise the lowest and the
     * highest, the clipping range.
     */
    val values: List<Float>,
) {
    /** Whether [values] lists every level, not just the clipping range. */
    val complete: Boolean get() = values.size == levels
}

/**
 * An activation quantizer; [threshold] and [signed] for those that configure a `threshold` (symmetric-family
 * methods), [rangeMin] and [rangeMax] for those that configure `min_range` and `max_range` (`UNIFORM`).
 */
@Serializable
data class ActivationRecord(
    val method: String,
    val bits: Int? = null,
    val signed: Boolean? = null,
    val threshold: Float? = null,
    @SerialName("range_min") val rangeMin: Float? = null,
    @SerialName("range_max") val rangeMax: Float? = null,
)

/** A histogram: `counts[i]` values fell in `[edges[i], edges[i + 1])` (the last bin includes its upper edge). */
@Serializable
data class HistogramRecord(
    val edges: List<Float>,
    val counts: List<Long>,
) {
    init {
        require(edges.size == counts.size + 1) {
            "a histogram needs one more edge than counts, got ${edges.size} edges and ${counts.size} counts"
        }
    }
}
