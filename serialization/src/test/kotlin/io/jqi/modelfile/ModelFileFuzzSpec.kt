package io.jqi.modelfile

import io.jqi.json.JsonFormatException
import io.jqi.nn.Add
import io.jqi.nn.Dense
import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.qat.Qat
import io.jqi.qat.QatConfig
import io.jqi.ptq.TargetPlatform
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.nio.file.Files
import java.util.Random
import kotlin.time.Duration.Companion.seconds

/**
 * Seeded mutations of valid model files (bit flips, byte overwrites, truncations, appended bytes and structural
 * edits of the header JSON): every case must end in a [JsonFormatException] that names the file, or in a model that
 * loads, runs (or rejects its input with an IllegalArgumentException) and saves again. Any other exception, an
 * OutOfMemoryError or a hang fails the spec.
 */
class ModelFileFuzzSpec : FunSpec({

    /** Small models that between them use every part of the header: quantizers, variables, graphs, positionals. */
    fun bases(): List<Triple<String, ByteArray, Array<Tensor>>> {
        val random = Random(100)
        val ptq = ModelFiles.ptq(random)
        val residual = ModelFiles.residual(random)
        val zoo = ModelFiles.zoo(random)
        val qat = Qat.init(ModelFiles.mlp(random), listOf(Tensor.randn(random, 16, 4)), QatConfig.defaults(),
            TargetPlatform.defaultPlatform())
        Qat.finalize(qat)
        val positional = GraphModel.builder()
            .input("x")
            .node("fc", Dense(3, 5, true, random), "x")
            .node("plus", QuantizationWrapper.positional(Add(), mapOf(1 to Tensor.randn(random, 1, 5)),
                mapOf(1 to WeightsSymmetricInferableQuantizer(8, floatArrayOf(2f), false, null, null,
                    RoundingMode.HALF_EVEN))), "fc")
            .node("act", ActivationQuantizationHolder(ActivationPOTInferableQuantizer.of(8, 4f, true)), "plus")
            .output("act")
            .build()
        val meta = buildJsonObject { put("preset", "w8a8"); put("epochs", 3); put("nested", buildJsonArray { add(JsonNull) }) }
        fun entry(name: String, m: Module, vararg x: Tensor) = Triple(name, ModelFile.toBytes(m, meta), arrayOf(*x))
        return listOf(
            entry("ptq-cnn", ptq, ModelFiles.cnnInput(random, 2)),
            entry("residual", residual, Tensor.randn(random, 2, 6)),
            entry("zoo", zoo, Tensor.randn(random, 2, 2, 3, 3), Tensor.randn(random, 2, 2, 3, 3)),
            entry("qat-mlp", qat, Tensor.randn(random, 2, 4)),
            entry("positional", positional, Tensor.randn(random, 2, 3)))
    }

    class Tally {
        val failures = ArrayList<String>()
        val counts = LinkedHashMap<String, IntArray>()

        val nanos = LinkedHashMap<String, Long>()

        fun run(kind: String, label: String, inputs: Array<Tensor>, load: () -> SavedModel) {
            val t0 = System.nanoTime()
            try {
                attempt(kind, label, inputs, load)
            } finally {
                nanos.merge(kind, System.nanoTime() - t0, Long::plus)
            }
        }

        private fun attempt(kind: String, label: String, inputs: Array<Tensor>, load: () -> SavedModel) {
            val c = counts.getOrPut(kind) { IntArray(2) }
            val loaded = try {
                load()
            } catch (e: JsonFormatException) {
                if (!(e.message ?: "").startsWith("fuzz.jqi")) failures += "$label: message does not name the file: ${e.message}"
                c[1]++
                return
            } catch (t: Throwable) {
                failures += "$label: ${t.javaClass.name}: ${t.message?.take(300)}"
                c[1]++
                return
            }
            c[0]++
            try {
                try {
                    ModelFiles.outputs(loaded.model, *inputs)
                } catch (e: IllegalArgumentException) {
                    // A mutated hyper-parameter (an axis, a pool size) that does not fit the input: a clear error.
                }
                ModelFile.fromBytes(ModelFile.toBytes(loaded.model, loaded.metadata), "fuzz.jqi")
            } catch (t: Throwable) {
                failures += "$label: loaded, then ${t.javaClass.name}: ${t.message?.take(300)}"
            }
        }
    }

    val adversarial: List<JsonElement> = listOf(
        JsonPrimitive(Int.MAX_VALUE), JsonPrimitive(-1), JsonPrimitive(0), JsonPrimitive(Int.MIN_VALUE),
        JsonPrimitive(Long.MAX_VALUE), JsonPrimitive(Long.MIN_VALUE), JsonPrimitive(1e300), JsonPrimitive(1.5),
        JsonPrimitive(""), JsonPrimitive("x"), JsonPrimitive("a.b"), JsonPrimitive("F16"), JsonPrimitive("F32"),
        JsonNull, JsonPrimitive(true), JsonArray(emptyList()), JsonObject(emptyMap()),
        buildJsonArray { add(JsonPrimitive(Int.MAX_VALUE)); add(JsonPrimitive(Int.MAX_VALUE)) },
        buildJsonArray { add(JsonPrimitive(65536)); add(JsonPrimitive(65536)); add(JsonPrimitive(65536)) },
        buildJsonArray { add(JsonPrimitive(-1)) }, buildJsonArray { repeat(9) { add(JsonPrimitive(1)) } },
        JsonArray(List(100) { JsonPrimitive(it) }),
        buildJsonObject { put("type", "Evil") }, buildJsonObject { put("type", "java.lang.Runtime") },
        buildJsonObject { put("type", "Sequential"); put("children", JsonArray(emptyList())) },
        buildJsonObject { put("type", "ReLU") },
        buildJsonObject { put("type", "Dense"); put("in_features", 100000); put("out_features", 100000); put("bias", true) },
        buildJsonObject { put("class_name", "WeightsPOTInferableQuantizer"); put("config", JsonObject(emptyMap())); put("format_version", 1) },
    ) + ModelFile.MODULE_TYPES.map { JsonPrimitive(it) }

    fun deep(levels: Int): JsonElement {
        var e: JsonElement = JsonPrimitive(1)
        repeat(levels) { e = JsonArray(listOf(e)) }
        return e
    }

    /** Every (parent, key-or-index) slot of the JSON tree, with a setter that rebuilds the tree around a change. */
    fun slots(root: JsonElement): List<(JsonElement?) -> JsonElement> {
        val out = ArrayList<(JsonElement?) -> JsonElement>()
        fun visit(e: JsonElement, rebuild: (JsonElement?) -> JsonElement) {
            out += rebuild
            when (e) {
                is JsonObject -> for (key in e.keys) {
                    visit(e.getValue(key)) { v -> rebuild(JsonObject(if (v == null) e - key else e + (key to v))) }
                }
                is JsonArray -> for (i in e.indices) {
                    visit(e[i]) { v ->
                        rebuild(JsonArray(e.toMutableList().also { if (v == null) it.removeAt(i) else it[i] = v }))
                    }
                }
                else -> {}
            }
        }
        visit(root) { v -> v ?: JsonNull }
        return out
    }

    fun valuesOf(root: JsonElement): List<JsonElement> {
        val out = ArrayList<JsonElement>()
        fun visit(e: JsonElement) {
            out += e
            when (e) {
                is JsonObject -> e.values.forEach(::visit)
                is JsonArray -> e.forEach(::visit)
                else -> {}
            }
        }
        visit(root)
        return out
    }

    test("mutated, truncated and edited files end in a clear error or a correct load").config(timeout = 120.seconds) {
        val files = bases()
        val start = System.nanoTime()
        val tally = Tally()
        val dir = Files.createTempDirectory("modelfile-fuzz")
        for ((name, bytes, inputs) in files) {
            val random = Random(name.hashCode().toLong())
            val (header, data) = ModelFiles.split(bytes)
            val headerEnd = bytes.size - data.size
            fun check(kind: String, label: String, mutated: ByteArray) =
                tally.run(kind, "$name $kind $label", inputs) { ModelFile.fromBytes(mutated, "fuzz.jqi") }

            for (seed in 0 until 300) {
                val r = Random(seed.toLong())
                val m = bytes.copyOf()
                val flips = 1 + r.nextInt(4)
                repeat(flips) {
                    // Half the flips land in the preamble and header, where they matter most.
                    val at = if (r.nextBoolean()) r.nextInt(headerEnd) else r.nextInt(m.size)
                    m[at] = (m[at].toInt() xor (1 shl r.nextInt(8))).toByte()
                }
                check("bit-flip", "seed $seed", m)
            }
            // Flips in the data section change values only: the file must still load.
            val loadedBefore = tally.counts["data-flip"]?.get(0) ?: 0
            for (seed in 0 until 20) {
                val r = Random(2000L + seed)
                val m = bytes.copyOf()
                repeat(1 + r.nextInt(8)) {
                    val at = headerEnd + r.nextInt(data.size)
                    m[at] = (m[at].toInt() xor (1 shl r.nextInt(8))).toByte()
                }
                check("data-flip", "seed $seed", m)
            }
            tally.counts.getValue("data-flip")[0] - loadedBefore shouldBe 20
            for (seed in 0 until 200) {
                val r = Random(1000L + seed)
                val m = bytes.copyOf()
                val at = if (r.nextBoolean()) r.nextInt(headerEnd) else r.nextInt(m.size)
                val value = when (r.nextInt(3)) { 0 -> 0xFF; 1 -> 0x00; else -> r.nextInt(256) }.toByte()
                for (i in at until minOf(m.size, at + 1 + r.nextInt(8))) m[i] = value
                check("overwrite", "seed $seed", m)
            }
            val step = maxOf(1, bytes.size / 250)
            for (cut in 0 until bytes.size step step) {
                check("truncate", "at $cut", bytes.copyOf(cut))
            }
            for (cut in (0 until 24) + (headerEnd - 4 until headerEnd + 4)) {
                if (cut in 0 until bytes.size) check("truncate", "at $cut", bytes.copyOf(cut))
            }
            // Truncated files through the file system, too.
            for (cut in listOf(0, 7, 19, 20, headerEnd / 2, headerEnd, bytes.size - 1)) {
                val file = dir.resolve("$name-$cut.jqi")
                Files.write(file, bytes.copyOf(cut))
                tally.run("truncate", "$name file cut at $cut", inputs) {
                    try {
                        ModelFile.load(file)
                    } catch (e: JsonFormatException) {
                        throw JsonFormatException("fuzz.jqi: ${e.message}", e)
                    }
                }
            }
            for (extra in listOf(1, 3, 4, 8, 1000)) {
                check("append", "$extra bytes", bytes + ByteArray(extra) { 0x41 })
            }

            val slots = slots(header)
            val existing = valuesOf(header).filter { it !is JsonObject || it.size < 40 }
            for (seed in 0 until 400) {
                val r = Random(5000L + seed)
                val slot = slots[1 + r.nextInt(slots.size - 1)]
                val (label, edited) = when (r.nextInt(7)) {
                    0, 1 -> adversarial[r.nextInt(adversarial.size)].let { "set $it" to slot(it) }
                    2 -> "delete" to slot(null)
                    3 -> existing[r.nextInt(existing.size)].let { "copy ${it.toString().take(60)}" to slot(it) }
                    4 -> "deep" to slot(deep(10 + r.nextInt(300)))
                    5 -> "unknown key" to slot(buildJsonObject { put("zzz", 1) })
                    else -> "text" to slot(JsonPrimitive(r.nextInt().toString()))
                }
                check("header-edit", "seed $seed $label", ModelFiles.assemble(edited.toString(), data))
            }
            // Random single-character edits of the header text: broken JSON, changed digits, changed names.
            val text = header.toString()
            val alphabet = "{}[],:\"0123456789-.eE ntfx\\"
            for (seed in 0 until 200) {
                val r = Random(9000L + seed)
                val at = r.nextInt(text.length)
                val edited = when (r.nextInt(3)) {
                    0 -> text.removeRange(at, at + 1)
                    1 -> text.substring(0, at) + alphabet[r.nextInt(alphabet.length)] + text.substring(at)
                    else -> text.substring(0, at) + alphabet[r.nextInt(alphabet.length)] + text.substring(at + 1)
                }
                check("text-edit", "seed $seed at $at", ModelFiles.assemble(edited, data))
            }
        }
        val ms = (System.nanoTime() - start) / 1_000_000
        println("Model file fuzz: ${tally.counts.entries.joinToString { (k, v) -> "$k ${v[0]} loaded / ${v[1]} rejected (${tally.nanos.getValue(k) / 1_000_000} ms)" }}"
            + ", ${tally.counts.values.sumOf { it.sum() }} cases in $ms ms")
        tally.failures.take(30).shouldBeEmpty()
        tally.counts.values.sumOf { it[1] } shouldBeGreaterThan 5000
        tally.counts.getValue("bit-flip")[0] shouldBeGreaterThan 0
    }
})
