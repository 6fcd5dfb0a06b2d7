package io.jqi.cli.qat

import io.jqi.cli.report.EpochRecord
import io.jqi.cli.report.PhaseTiming
import io.jqi.nn.StateDicts
import io.jqi.tensor.Tensor
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.util.UUID
import kotlin.io.path.exists
import kotlin.io.path.readText
import kotlin.io.path.writeText

/**
 * Where a run stands after its last finished epoch: enough to go on as if it had never stopped. Tensors (the float
 * model, the QAT model, the optimizer) are one state-dict file; the rest is `progress.json`.
 */
@Serializable
data class CheckpointProgress(
    @SerialName("format_version") val formatVersion: Int = 1,
    /** The options that shape the run's numbers; a resume with other options is refused. */
    val fingerprint: String,
    /** [EpochRecord.FLOAT] or [EpochRecord.QAT]: the phase whose epoch finished last. */
    val phase: String,
    @SerialName("epochs_done") val epochsDone: Int,
    val epochs: List<EpochRecord>,
    val phases: List<PhaseTiming>,
    @SerialName("float_accuracy") val floatAccuracy: Double? = null,
    @SerialName("ptq_accuracy") val ptqAccuracy: Double? = null,
)

/** A checkpoint as saved: progress and tensors by prefix (`float.`, `qat.`, `optimizer.`). */
class Checkpoint(val progress: CheckpointProgress, val tensors: Map<String, Tensor>) {
    /** The tensors under [prefix], with it removed. */
    fun section(prefix: String): Map<String, Tensor> =
        tensors.filterKeys { it.startsWith("$prefix.") }.mapKeys { it.key.removePrefix("$prefix.") }

    companion object {
        private const val DIR = "checkpoint"
        private const val STATE = "state.bin"
        private const val PROGRESS = "progress.json"
        private val JSON = Json { prettyPrint = true; encodeDefaults = true; allowSpecialFloatingPointValues = true }

        /**
         * Writes a checkpoint into [out] atomically: into a fresh directory, then renamed over the previous one, so
         * that a run killed at any moment leaves the last complete checkpoint (or the one before) readable.
         */
        fun save(out: Path, progress: CheckpointProgress, sections: Map<String, Map<String, Tensor>>) {
            // A run killed while saving leaves its half-written directory behind; it is never read, only removed.
            Files.list(out).use { entries ->
                entries.filter { it.fileName.toString().startsWith("$DIR.tmp-") }.toList().forEach(::deleteTree)
            }
            val tmp = out.resolve("$DIR.tmp-${UUID.randomUUID()}")
            Files.createDirectories(tmp)
            val tensors = LinkedHashMap<String, Tensor>()
            sections.forEach { (prefix, state) -> state.forEach { (k, t) -> tensors["$prefix.$k"] = t } }
            StateDicts.save(tmp.resolve(STATE), tensors)
            tmp.resolve(PROGRESS).writeText(JSON.encodeToString(CheckpointProgress.serializer(), progress))
            val current = out.resolve(DIR)
            val old = out.resolve("$DIR.old")
            deleteTree(old)
            if (current.exists()) Files.move(current, old, StandardCopyOption.ATOMIC_MOVE)
            Files.move(tmp, current, StandardCopyOption.ATOMIC_MOVE)
            deleteTree(old)
        }

        /** The last complete checkpoint in [out], or null when there is none. */
        fun load(out: Path): Checkpoint? {
            val dir = listOf(out.resolve(DIR), out.resolve("$DIR.old")).firstOrNull { it.resolve(PROGRESS).exists() }
                ?: return null
            val progress = try {
                JSON.decodeFromString(CheckpointProgress.serializer(), dir.resolve(PROGRESS).readText())
            } catch (e: SerializationException) {
                throw IllegalArgumentException("The checkpoint in $dir is damaged (${e.message?.lineSequence()?.first()});"
                    + " delete it to start over", e)
            }
            return Checkpoint(progress, StateDicts.load(dir.resolve(STATE)))
        }

        private fun deleteTree(path: Path) {
            if (!path.exists()) return
            Files.walk(path).use { paths -> paths.sorted(Comparator.reverseOrder()).forEach(Files::delete) }
        }
    }
}
