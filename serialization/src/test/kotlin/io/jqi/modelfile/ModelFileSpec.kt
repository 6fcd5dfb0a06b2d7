package io.jqi.modelfile

import io.jqi.json.JsonFormatException
import io.jqi.json.JsonText
import io.jqi.json.QatConfigJson
import io.jqi.json.QuantizerJson
import io.jqi.modelfile.ModelFiles.with
import io.jqi.nn.Add
import io.jqi.nn.AddConstant
import io.jqi.nn.AvgPool2D
import io.jqi.nn.BatchNorm
import io.jqi.nn.Clip
import io.jqi.nn.CoercedSoftmax
import io.jqi.nn.Concat
import io.jqi.nn.Conv2D
import io.jqi.nn.Dense
import io.jqi.nn.Div
import io.jqi.nn.Dropout
import io.jqi.nn.Flatten
import io.jqi.nn.GlobalAvgPool2D
import io.jqi.nn.GraphModel
import io.jqi.nn.Hardswish
import io.jqi.nn.Identity
import io.jqi.nn.LeakyReLU
import io.jqi.nn.MatMul
import io.jqi.nn.MatrixFlatten
import io.jqi.nn.MaxPool2D
import io.jqi.nn.Module
import io.jqi.nn.Mul
import io.jqi.nn.QuantizeDequantize
import io.jqi.nn.ReLU
import io.jqi.nn.ReLU6
import io.jqi.nn.Reshape
import io.jqi.nn.Sequential
import io.jqi.nn.SiLU
import io.jqi.nn.Sigmoid
import io.jqi.nn.Softmax
import io.jqi.nn.StateDicts
import io.jqi.nn.Sub
import io.jqi.nn.Tanh
import io.jqi.nn.Transpose
import io.jqi.ptq.Ptq
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.Qat
import io.jqi.qat.QatConfig
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import java.lang.reflect.Modifier
import java.nio.file.Files
import java.nio.file.Path
import java.util.Random
import kotlin.io.path.listDirectoryEntries
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.put

/** Test models and the byte-level surgery the model-file specs share. */
internal object ModelFiles {
    fun mlp(random: Random): Module = Sequential(
        Dense(4, 16, true, random), ReLU(), Dense(16, 16, false, random), Tanh(), Dense(16, 3, true, random))

    fun randomize(bn: BatchNorm, random: Random) {
        val n = bn.numFeatures()
        bn.loadStateDict(linkedMapOf(
            "weight" to Tensor.uniform(random, 0.5f, 1.5f, n), "bias" to Tensor.uniform(random, -0.5f, 0.5f, n),
            "running_mean" to Tensor.uniform(random, -0.3f, 0.3f, n),
            "running_var" to Tensor.uniform(random, 0.5f, 2f, n)))
    }

    /** Conv, batch norm, pooling of both kinds, a grouped dilated strided conv without bias, flatten, dense. */
    fun cnn(random: Random): Module {
        val bn = BatchNorm(4, 0.05f, 1e-3f).also { randomize(it, random) }
        return Sequential(linkedMapOf(
            "conv" to Conv2D(1, 4, 3, 1, 1, random), "bn" to bn, "relu" to ReLU(), "pool" to MaxPool2D(2),
            "conv2" to Conv2D(4, 8, intArrayOf(3, 2), intArrayOf(1, 2), intArrayOf(2, 1), intArrayOf(2, 1), 2, false,
                random),
            "avg" to AvgPool2D(intArrayOf(2, 2), intArrayOf(1, 1), intArrayOf(1, 0)),
            "flatten" to Flatten(), "fc" to Dense(8 * 5 * 2, 3, true, random)))
    }

    fun cnnInput(random: Random, batch: Int = 3): Tensor = Tensor.randn(random, batch, 1, 8, 8)

    /** Two residual blocks: a graph with Add, one branch a nested Sequential. */
    fun residual(random: Random): Module = GraphModel.builder()
        .input("x")
        .node("stem", Dense(6, 8, true, random), "x")
        .node("block", Sequential(Dense(8, 8, true, random), ReLU(), Dense(8, 8, true, random)), "stem")
        .node("add", Add(), "block", "stem")
        .node("relu", ReLU(), "add")
        .node("block2", Dense(8, 8, true, random), "relu")
        .node("add2", Add(), "relu", "block2")
        .node("head", Dense(8, 2, true, random), "add2")
        .output("head")
        .build()

    /** Every other built-in layer type, in a two-input graph. */
    fun zoo(random: Random): Module = GraphModel.builder()
        .input("a").input("b")
        .node("leaky", LeakyReLU(0.2f), "a")
        .node("relu6", ReLU6(), "b")
        .node("cat", Concat(1), "leaky", "relu6")
        .node("conv", Conv2D(4, 4, 1, 1, 0, random), "cat")
        .node("silu", SiLU(), "conv")
        .node("hs", Hardswish(), "silu")
        .node("sig", Sigmoid(), "hs")
        .node("id", Identity(), "sig")
        .node("drop", Dropout(0.3f, Random(9)), "id")
        .node("gap", GlobalAvgPool2D(), "drop")
        .node("flat", Flatten(1), "gap")
        .node("fc", Dense(4, 5, true, random), "flat")
        .node("soft", Softmax(-1), "fc")
        .output("soft", "fc")
        .build()

    /** The layers an imported ONNX model is made of, with constant operands on either side. */
    fun onnxOps(random: Random): Module = GraphModel.builder()
        .input("a").input("b")
        .node("sub", Sub(), "a", "b")
        .node("mul", Mul(Tensor.randn(random, 3, 1), true), "sub")
        .node("div", Div(Tensor.vector(2f, 4f, 8f, 16f), false), "mul")
        .node("plus", AddConstant(Tensor.randn(random)), "div")
        .node("clip", Clip(-0.5f, Float.POSITIVE_INFINITY), "plus")
        .node("clip2", Clip(Float.NEGATIVE_INFINITY, 0.25f), "clip")
        .node("prod", Mul(), "clip", "clip2")
        .node("t", Transpose(1, 0), "prod")
        .node("mm", MatMul(), "t", "a")
        .node("mmc", MatMul(Tensor.randn(random, 4, 2), false), "mm")
        .node("r", Reshape(intArrayOf(0, -1, 1), false), "mmc")
        .node("flat", MatrixFlatten(-1), "r")
        .node("soft", CoercedSoftmax(0), "flat")
        .output("soft")
        .build()

    fun ptq(random: Random): Module {
        val model = cnn(random)
        return Ptq.quantize(model, listOf(cnnInput(random, 8), cnnInput(random, 8)), TargetPlatform.defaultPlatform(),
            PtqConfig.defaults())
    }

    fun outputs(model: Module, vararg x: Tensor): List<Int> {
        model.eval()
        Tensor.noGrad().use {
            val out = if (model is GraphModel) model.forwardAll(*x).values.toList() else listOf(model.forward(*x))
            return out.flatMap { t -> t.toFloatArray().map { it.toRawBits() } }
        }
    }

    fun bits(state: Map<String, Tensor>): Map<String, Pair<List<Int>, List<Int>>> =
        state.mapValues { (_, t) -> t.shape().toArray().toList() to t.toFloatArray().map { it.toRawBits() } }

    /** The header JSON and the data section of a model file's bytes. */
    fun split(bytes: ByteArray): Pair<JsonObject, ByteArray> {
        val n = java.nio.ByteBuffer.wrap(bytes, 12, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).long.toInt()
        val header = JsonText.parse(String(bytes, 20, n, Charsets.UTF_8), "test").jsonObject
        return header to bytes.copyOfRange(20 + n, bytes.size)
    }

    /** A model file from a header text and data, with a correct preamble. */
    fun assemble(header: String, data: ByteArray): ByteArray {
        val h = header.toByteArray(Charsets.UTF_8)
        val pre = java.nio.ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .put("JQIMODEL".toByteArray()).putInt(1).putLong(h.size.toLong())
        return pre.array() + h + data
    }

    fun JsonObject.with(key: String, value: JsonElement) = JsonObject(this + (key to value))
}

class ModelFileSpec : FunSpec({
    val meta = buildJsonObject {
        put("preset", "w8a8")
        put("qat_config", ModelFile.parseMetadata(QatConfigJson.write(QatConfig.defaults())))
        put("dataset", buildJsonObject { put("name", "bars – ünïcode"); put("samples", 1200); put("lr", 0.001) })
        put("list", buildJsonArray { add(JsonPrimitive(1.5)); add(JsonPrimitive(false)); add(JsonNull) })
        put("numbers", JsonText.parse("[1e-7, 0.000015258789, 12345678901234567890123, -0.0, 1E+2]", "test"))
    }

    /** Saves [model], loads it back, and checks outputs, state and a second save, all bit for bit. */
    fun roundTrip(model: Module, vararg x: Tensor): Module {
        val before = ModelFiles.outputs(model, *x)
        val state = ModelFiles.bits(model.stateDict())
        val bytes = ModelFile.toBytes(model, meta)
        val loaded = ModelFile.fromBytes(bytes)
        loaded.metadata shouldBe meta
        loaded.model.javaClass shouldBe model.javaClass
        loaded.model.isTraining shouldBe false
        ModelFiles.outputs(loaded.model, *x) shouldBe before
        ModelFiles.bits(loaded.model.stateDict()) shouldBe state
        loaded.model.namedModules().mapValues { it.value.javaClass } shouldBe
            model.namedModules().mapValues { it.value.javaClass }
        ModelFile.toBytes(loaded.model, meta).contentEquals(bytes) shouldBe true
        return loaded.model
    }

    test("a float MLP round-trips bit for bit") {
        val random = Random(1)
        roundTrip(ModelFiles.mlp(random), Tensor.randn(random, 5, 4))
    }

    test("a CNN with batch norm, both poolings, a grouped dilated conv and flatten round-trips bit for bit") {
        val random = Random(2)
        val loaded = roundTrip(ModelFiles.cnn(random), ModelFiles.cnnInput(random))
        val conv2 = loaded.namedModules()["conv2"] as Conv2D
        conv2.groups() shouldBe 2
        conv2.dilation().toList() shouldBe listOf(2, 1)
        conv2.hasBias() shouldBe false
        val bn = loaded.namedModules()["bn"] as BatchNorm
        bn.momentum() shouldBe 0.05f
        bn.eps() shouldBe 1e-3f
    }

    test("a residual graph with Add and a nested Sequential round-trips bit for bit") {
        val random = Random(3)
        val loaded = roundTrip(ModelFiles.residual(random), Tensor.randn(random, 4, 6)) as GraphModel
        loaded.nodeInputs("add2") shouldContainExactly listOf("relu", "block2")
        loaded.nodeNames() shouldContainExactly listOf("stem", "block", "add", "relu", "block2", "add2", "head")
    }

    test("every other built-in layer round-trips, with hyper-parameters and several outputs") {
        val random = Random(4)
        val loaded = roundTrip(ModelFiles.zoo(random), Tensor.randn(random, 2, 2, 3, 3), Tensor.randn(random, 2, 2, 3, 3))
        ((loaded as GraphModel).node("leaky") as LeakyReLU).negativeSlope() shouldBe 0.2f
        (loaded.node("drop") as Dropout).p() shouldBe 0.3f
        (loaded.node("soft") as Softmax).axis() shouldBe -1
        (loaded.node("cat") as Concat).axis() shouldBe 1
        loaded.outputNames() shouldContainExactly listOf("soft", "fc")
    }

    test("the layers of imported ONNX models round-trip with their constants, bit for bit") {
        val random = Random(11)
        val loaded = roundTrip(ModelFiles.onnxOps(random), Tensor.randn(random, 3, 4), Tensor.randn(random, 3, 4))
            as GraphModel
        (loaded.node("mul") as Mul).constantFirst() shouldBe true
        (loaded.node("div") as Div).constantFirst() shouldBe false
        (loaded.node("prod") as Mul).hasConstant() shouldBe false
        (loaded.node("clip") as Clip).max() shouldBe Float.POSITIVE_INFINITY
        (loaded.node("clip2") as Clip).min() shouldBe Float.NEGATIVE_INFINITY
        (loaded.node("r") as Reshape).shape().toList() shouldBe listOf(0, -1, 1)
        (loaded.node("t") as Transpose).perm().toList() shouldBe listOf(1, 0)
        (loaded.node("flat") as MatrixFlatten).axis() shouldBe -1
        (loaded.node("soft") as CoercedSoftmax).axis() shouldBe 0
    }

    test("QuantizeDequantize layers of imported QDQ models round-trip per tensor and per axis, bit for bit") {
        val random = Random(13)
        val model = GraphModel.builder()
            .input("x")
            .node("act", QuantizeDequantize.perTensor(0.037f, 5, -8, 7), "x")
            .node("chan", QuantizeDequantize.perAxis(floatArrayOf(0.5f, 0.1f, 2f), intArrayOf(0, 3, 255), 1, 0, 255),
                "act")
            .output("chan")
            .build()
        val loaded = roundTrip(model, Tensor.randn(random, 2, 3, 4)) as GraphModel
        (loaded.node("act") as QuantizeDequantize).perAxis() shouldBe false
        val chan = loaded.node("chan") as QuantizeDequantize
        chan.axis() shouldBe 1
        chan.zeroPoints().toList() shouldBe listOf(0, 3, 255)
        chan.scales().toList() shouldBe listOf(0.5f, 0.1f, 2f)
    }

    test("a PTQ-quantized model round-trips with its inferable quantizers, bit for bit") {
        val random = Random(5)
        val model = ModelFiles.ptq(random)
        val loaded = roundTrip(model, ModelFiles.cnnInput(random, 6))
        val wrappers = loaded.namedModules().values.filterIsInstance<QuantizationWrapper>()
        val holders = loaded.namedModules().values.filterIsInstance<ActivationQuantizationHolder>()
        wrappers.size shouldBeGreaterThan 1
        holders.size shouldBeGreaterThan 1
        val original = model.namedModules()
        for ((name, m) in loaded.namedModules()) {
            when (m) {
                is QuantizationWrapper -> m.weightQuantizers().mapValues { QuantizerJson.write(it.value as
                    io.jqi.quant.inferable.InferableQuantizer) } shouldBe (original[name] as QuantizationWrapper)
                    .weightQuantizers().mapValues { QuantizerJson.write(it.value as
                        io.jqi.quant.inferable.InferableQuantizer) }
                is ActivationQuantizationHolder -> QuantizerJson.write(m.quantizer() as
                    io.jqi.quant.inferable.InferableQuantizer) shouldBe QuantizerJson.write(
                    (original[name] as ActivationQuantizationHolder).quantizer() as
                        io.jqi.quant.inferable.InferableQuantizer)
            }
        }
    }

    test("a PTQ model with shift-negative correction round-trips with its shift, pad and 16-bit holders") {
        val random = Random(6)
        val model = io.jqi.nn.Sequential(io.jqi.nn.Conv2D(1, 4, 3, 1, 0, random), io.jqi.nn.LeakyReLU(0.01f),
            io.jqi.nn.Conv2D(4, 4, 3, 1, 1, random), io.jqi.nn.LeakyReLU(0.01f), io.jqi.nn.Flatten(),
            io.jqi.nn.Dense(4 * 4 * 4, 3, true, random))
        val data = listOf(Tensor.randn(random, 8, 1, 6, 6).mul(3f))
        val quantized = io.jqi.ptq.Ptq.quantize(model, data, io.jqi.ptq.TargetPlatform.defaultPlatform(),
            io.jqi.ptq.PtqConfig.defaults().withShiftNegativeCorrection(true))
        val loaded = roundTrip(quantized, data[0])
        loaded.namedModules().values.count { it is io.jqi.nn.AddConstant } shouldBe 2
        loaded.namedModules().values.count { it is io.jqi.nn.Pad } shouldBe 1
    }

    test("a QAT-finalized model round-trips, keeping the retired quantizer variables in its state dict") {
        val random = Random(6)
        val data = listOf(ModelFiles.cnnInput(random, 8))
        val qat = Qat.init(ModelFiles.cnn(random), data, QatConfig.defaults(), TargetPlatform.defaultPlatform())
        val error = shouldThrow<IllegalArgumentException> { ModelFile.toBytes(qat) }
        error.message shouldContain "trainable quantizer"
        error.message shouldContain "Qat.finalize"
        Qat.finalize(qat)
        val keys = qat.stateDict().keys
        // The trained thresholds stay registered on the wrappers and holders, unused, after finalizing.
        qat.namedModules().values.filter { it is QuantizationWrapper || it is ActivationQuantizationHolder }
            .count { m -> (m.namedParameters().keys + m.namedBuffers().keys).any { '.' !in it } } shouldBeGreaterThan 0
        val loaded = roundTrip(qat, ModelFiles.cnnInput(random, 4))
        loaded.stateDict().keys shouldContainExactly keys
        loaded.namedParameters().keys shouldContainExactly qat.namedParameters().keys
    }

    test("a wrapper of positional constants round-trips") {
        val random = Random(7)
        val constant = Tensor.randn(random, 1, 5)
        val q = WeightsSymmetricInferableQuantizer(8, floatArrayOf(2f), false, null, null, RoundingMode.HALF_EVEN)
        val model = GraphModel.builder()
            .input("x")
            .node("fc", Dense(3, 5, true, random), "x")
            .node("plus", QuantizationWrapper.positional(Add(), mapOf(1 to constant), mapOf(1 to q)), "fc")
            .node("act", ActivationQuantizationHolder(ActivationPOTInferableQuantizer.of(8, 4f, true)), "plus")
            .output("act")
            .build()
        val loaded = roundTrip(model, Tensor.randn(random, 4, 3)) as GraphModel
        (loaded.node("plus") as QuantizationWrapper).positionalQuantizers().keys shouldContainExactly listOf(1)
    }

    test("save and load go through a file, atomically replacing an old one and leaving no temporary file") {
        val dir = Files.createTempDirectory("modelfile")
        val file = dir.resolve("model.jqi")
        Files.writeString(file, "old")
        val random = Random(8)
        val model = ModelFiles.mlp(random)
        ModelFile.save(file, model, meta)
        dir.listDirectoryEntries() shouldContainExactly listOf(file)
        Files.readAllBytes(file).contentEquals(ModelFile.toBytes(model, meta)) shouldBe true
        val x = Tensor.randn(random, 3, 4)
        val loaded = ModelFile.load(file)
        ModelFiles.outputs(loaded.model, x) shouldBe ModelFiles.outputs(model, x)
        loaded.metadata shouldBe meta
        ModelFile.save(file, model)
        ModelFile.load(file).metadata shouldBe JsonObject(emptyMap())
        // A model that cannot be saved leaves the old file as it was.
        shouldThrow<IllegalArgumentException> {
            ModelFile.save(file, Sequential(object : Module() {
                override fun forward(vararg inputs: Tensor) = inputs[0]
            }))
        }
        ModelFile.load(file).metadata shouldBe JsonObject(emptyMap())
        dir.listDirectoryEntries() shouldContainExactly listOf(file)
        val nested = dir.resolve("runs/1/model.jqi")
        ModelFile.save(nested, model)
        ModelFiles.outputs(ModelFile.load(nested).model, x) shouldBe ModelFiles.outputs(model, x)
    }

    test("the file starts with the magic, the version and an 8-byte aligned header of compact JSON") {
        val bytes = ModelFile.toBytes(ModelFiles.mlp(Random(9)))
        String(bytes, 0, 8, Charsets.US_ASCII) shouldBe "JQIMODEL"
        bytes[8] shouldBe 1.toByte()
        val (header, data) = ModelFiles.split(bytes)
        (bytes.size - data.size) % 8 shouldBe 0
        header.keys.toList() shouldContainExactly listOf("format_version", "model", "tensors", "metadata")
        val first = header["tensors"]!!.jsonArray[0].jsonObject
        first["name"] shouldBe JsonPrimitive("0.weight")
        first["dtype"] shouldBe JsonPrimitive("F32")
        first["shape"] shouldBe buildJsonArray { add(JsonPrimitive(16)); add(JsonPrimitive(4)) }
        first["offset"] shouldBe JsonPrimitive(0)
        first["length"] shouldBe JsonPrimitive(16 * 4 * 4)
        header["model"]!!.jsonObject["type"] shouldBe JsonPrimitive("Sequential")
    }

    test("an unknown module class is a clear error naming the class and the supported types") {
        class MyLayer : Module() {
            override fun forward(vararg inputs: Tensor) = inputs[0]
        }
        val error = shouldThrow<IllegalArgumentException> { ModelFile.toBytes(Sequential(Dense(2, 2, true, Random(1)), MyLayer())) }
        error.message shouldContain "MyLayer"
        error.message shouldContain "module '1'"
        error.message shouldContain "Dense, Conv2D"
        error.message shouldContain "QuantizationWrapper"
    }

    test("metadata nested too deeply is refused when saving") {
        var deep: JsonElement = JsonPrimitive(1)
        repeat(200) { deep = buildJsonArray { add(deep) } }
        shouldThrow<IllegalArgumentException> {
            ModelFile.toBytes(ModelFiles.mlp(Random(1)), JsonObject(mapOf("deep" to deep)))
        }.message shouldContain "deeper"
    }

    test("the API is static for Java callers") {
        val c = ModelFile::class.java
        for (m in listOf(c.getMethod("save", Path::class.java, Module::class.java),
            c.getMethod("save", Path::class.java, Module::class.java, JsonObject::class.java),
            c.getMethod("load", Path::class.java), c.getMethod("fromBytes", ByteArray::class.java),
            c.getMethod("toBytes", Module::class.java))) {
            Modifier.isStatic(m.modifiers) shouldBe true
        }
    }

    context("loading reports what is wrong with the file") {
        val random = Random(10)
        val mlpBytes = ModelFile.toBytes(ModelFiles.mlp(random))
        val ptqBytes = ModelFile.toBytes(ModelFiles.ptq(random))

        fun fails(bytes: ByteArray): String {
            val e = shouldThrow<JsonFormatException> { ModelFile.fromBytes(bytes, "m.jqi") }
            e.message!! shouldStartWith "m.jqi"
            return e.message!!
        }

        fun edit(bytes: ByteArray, change: (JsonObject) -> JsonElement): String {
            val (header, data) = ModelFiles.split(bytes)
            return fails(ModelFiles.assemble(change(header).toString(), data))
        }

        fun JsonObject.tensor(i: Int, key: String, value: JsonElement): JsonObject {
            val tensors = this["tensors"]!!.jsonArray.toMutableList()
            tensors[i] = JsonObject(tensors[i].jsonObject + (key to value))
            return JsonObject(this + ("tensors" to JsonArray(tensors)))
        }

        fun JsonObject.firstChild(key: String, value: JsonElement): JsonObject {
            val model = this["model"]!!.jsonObject
            val children = model["children"]!!.jsonArray.toMutableList()
            val child = children[0].jsonObject
            val module = JsonObject(child["module"]!!.jsonObject + (key to value))
            children[0] = JsonObject(child + ("module" to module))
            return JsonObject(this + ("model" to JsonObject(model + ("children" to JsonArray(children)))))
        }

        test("missing or unreadable files") {
            val missing = Files.createTempDirectory("modelfile").resolve("none.jqi")
            shouldThrow<JsonFormatException> { ModelFile.load(missing) }.message shouldContain "no such file"
            shouldThrow<JsonFormatException> { ModelFile.load(missing.parent) }.message shouldContain "cannot read"
        }

        test("other files") {
            fails(ByteArray(0)) shouldContain "too short"
            fails("{\"format_version\": 1} and some more text".toByteArray()) shouldContain "not a jqi model file"
            val sd = Files.createTempFile("sd", ".jqsd")
            StateDicts.save(sd, ModelFiles.mlp(random).stateDict())
            fails(Files.readAllBytes(sd)) shouldContain "not a jqi model file"
        }

        test("preamble") {
            val v2 = mlpBytes.copyOf().also { it[8] = 2 }
            fails(v2) shouldContain "format version 2"
            val huge = mlpBytes.copyOf().also { it[19] = 0x7f }
            fails(huge) shouldContain "declares a header of"
            val negative = mlpBytes.copyOf().also { it[19] = 0xff.toByte() }
            fails(negative) shouldContain "declares a header of"
            fails(mlpBytes.copyOf(100)) shouldContain "truncated"
        }

        test("headers too large, too deep or with too many values are refused before parsing") {
            val (_, data) = ModelFiles.split(mlpBytes)
            val declared = java.nio.ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put("JQIMODEL".toByteArray()).putInt(1).putLong(ModelFile.MAX_HEADER_BYTES + 1L).array()
            fails(declared + ByteArray(100)) shouldContain "declares a header of ${ModelFile.MAX_HEADER_BYTES + 1}"
            val many = "{\"metadata\":[" + "0,".repeat(ModelFile.MAX_JSON_NODES) + "0]}"
            fails(ModelFiles.assemble(many, data)) shouldContain "more than ${ModelFile.MAX_JSON_NODES} JSON values"
            val deepInString = "{\"format_version\":1,\"x\":\"" + "[".repeat(500) + "\"}"
            fails(ModelFiles.assemble(deepInString, data)) shouldContain "missing key 'model'"
        }

        test("data section length") {
            fails(mlpBytes + byteArrayOf(0, 0, 0, 0)) shouldContain "data section holds"
            fails(mlpBytes.copyOf(mlpBytes.size - 4)) shouldContain "truncated"
        }

        test("header text") {
            val (_, data) = ModelFiles.split(mlpBytes)
            fails(ModelFiles.assemble("{\"format_version\": 1,", data)) shouldContain "not valid JSON"
            val bad = ModelFiles.assemble("{}", data).also { it[20] = 0xc3.toByte() }
            fails(bad) shouldContain "not valid UTF-8"
            fails(ModelFiles.assemble("[" .repeat(1000) + "]".repeat(1000), data)) shouldContain "deeper than 128"
            edit(mlpBytes) { it.with("format_version", JsonPrimitive(2)) } shouldContain "format_version 2"
            edit(mlpBytes) { it.with("extra", JsonPrimitive(2)) } shouldContain "unknown key 'extra'"
            edit(mlpBytes) { JsonArray(listOf(it)) } shouldContain "must be a JSON object"
        }

        test("tensor index") {
            edit(mlpBytes) { it.tensor(0, "dtype", JsonPrimitive("F16")) } shouldContain "reads only F32"
            edit(mlpBytes) {
                it.tensor(0, "shape", buildJsonArray { add(JsonPrimitive(Int.MAX_VALUE)); add(JsonPrimitive(Int.MAX_VALUE)) })
            } shouldContain "more than"
            edit(mlpBytes) { it.tensor(0, "shape", buildJsonArray { add(JsonPrimitive(-4)); add(JsonPrimitive(-16)) }) } shouldContain
                "negative dimension"
            edit(mlpBytes) { it.tensor(1, "offset", JsonPrimitive(-256)) } shouldContain "must be 256"
            edit(mlpBytes) { it.tensor(0, "length", JsonPrimitive(Long.MAX_VALUE)) } shouldContain "takes 256"
            edit(mlpBytes) { it.tensor(0, "offset", JsonPrimitive("0")) } shouldContain "must be an integer"
            edit(mlpBytes) { it.tensor(1, "name", JsonPrimitive("0.weight")) } shouldContain "twice"
            edit(mlpBytes) { it.tensor(1, "name", JsonPrimitive("0.bais")) } shouldContain "missing tensors 0.bias"
            edit(mlpBytes) {
                it.tensor(0, "shape", buildJsonArray { add(JsonPrimitive(4)); add(JsonPrimitive(16)) })
            } shouldContain "shape mismatches 0.weight (model [16, 4], index [4, 16])"
        }

        test("module graph") {
            edit(mlpBytes) { it.firstChild("type", JsonPrimitive("java.lang.Runtime")) } shouldContain
                "'java.lang.Runtime' is not a module type jqi loads"
            edit(mlpBytes) { it.firstChild("type", JsonPrimitive(3)) } shouldContain "must name a module type"
            edit(mlpBytes) { it.firstChild("in_features", JsonPrimitive(5)) } shouldContain "shape mismatches"
            edit(mlpBytes) { it.firstChild("in_features", JsonPrimitive(0)) } shouldContain "at least 1"
            edit(mlpBytes) { it.firstChild("in_features", JsonPrimitive(1e12)) } shouldContain "integer"
            edit(mlpBytes) { it.firstChild("bias", JsonPrimitive("yes")) } shouldContain "true or false"
            edit(mlpBytes) { it.firstChild("gain", JsonPrimitive(1)) } shouldContain "unknown key 'gain'"
            edit(mlpBytes) {
                val model = it["model"]!!.jsonObject
                val children = model["children"]!!.jsonArray
                it.with("model", model.with("children", JsonArray(children + children[1])))
            } shouldContain "two children named '1'"
            edit(mlpBytes) {
                it.with("model", it["model"]!!.jsonObject.with("children", JsonArray(emptyList())))
            } shouldContain "1 to 10000 layers"
        }

        test("layers of imported ONNX models") {
            val clip = ModelFile.toBytes(Sequential(Clip(-1f, 2f)))
            edit(clip) { it.firstChild("min", JsonPrimitive(3)) } shouldContain "Clip needs min <= max"
            edit(clip) { it.firstChild("min", JsonPrimitive("low")) } shouldContain "min must be a number"
            val reshape = ModelFile.toBytes(Sequential(Reshape(intArrayOf(2, -1), false)))
            edit(reshape) { it.firstChild("shape", JsonArray(listOf(JsonPrimitive(-1), JsonPrimitive(-1)))) } shouldContain
                "at most one dimension may be -1"
            edit(reshape) { it.firstChild("shape", JsonArray(List(17) { JsonPrimitive(1) })) } shouldContain
                "rank 17; at most"
            val qdq = ModelFile.toBytes(Sequential(QuantizeDequantize.perTensor(0.5f, 0, -128, 127)))
            edit(qdq) { it.firstChild("qmin", JsonPrimitive(200)) } shouldContain "qmin <= qmax"
            edit(qdq) { it.firstChild("scales", JsonArray(listOf(JsonPrimitive(0)))) } shouldContain "finite and > 0"
            edit(qdq) { it.firstChild("scales", JsonArray(listOf(JsonPrimitive(1), JsonPrimitive(2)))) } shouldContain
                "one scale and one zero point"
            edit(qdq) { it.firstChild("zero_points", JsonPrimitive(0)) } shouldContain "zero_points"
            val transpose = ModelFile.toBytes(Sequential(Transpose(1, 0)))
            edit(transpose) { it.firstChild("perm", JsonArray(listOf(JsonPrimitive(0), JsonPrimitive(0)))) } shouldContain
                "is not a permutation"
            val mul = ModelFile.toBytes(Sequential(Mul(Tensor.vector(1f, 2f), false)))
            edit(mul) {
                it.firstChild("constant", buildJsonObject { put("shape", JsonArray(listOf(JsonPrimitive(3)))); put("first", false) })
            } shouldContain "shape mismatches"
            edit(mul) {
                it.firstChild("constant", buildJsonObject { put("shape", JsonArray(listOf(JsonPrimitive(2)))) })
            } shouldContain "first"
            edit(mul) {
                it.firstChild("constant", buildJsonObject {
                    put("shape", JsonArray(listOf(JsonPrimitive(2)))); put("first", false); put("side", 1)
                })
            } shouldContain "unknown key 'side'"
            edit(mul) { it.firstChild("constant", JsonNull) } shouldContain "unexpected tensors"
            val plus = ModelFile.toBytes(Sequential(AddConstant(Tensor.vector(1f))))
            edit(plus) { it.firstChild("constant", JsonNull) } shouldContain "constant"
        }

        test("deep module nesting") {
            val (header, data) = ModelFiles.split(mlpBytes)
            var model = header["model"]!!.jsonObject
            repeat(40) {
                model = buildJsonObject {
                    put("type", "Sequential")
                    put("children", buildJsonArray { add(buildJsonObject { put("name", "s"); put("module", model) }) })
                }
            }
            fails(ModelFiles.assemble(header.with("model", model).toString(), data)) shouldContain "deeper than"
        }

        test("graphs with cycles or dangling names") {
            val bytes = ModelFile.toBytes(ModelFiles.residual(random))
            fun nodes(change: (MutableList<JsonElement>) -> Unit) = edit(bytes) {
                val model = it["model"]!!.jsonObject
                val list = model["nodes"]!!.jsonArray.toMutableList()
                change(list)
                it.with("model", model.with("nodes", JsonArray(list)))
            }
            // "stem" reads "head", which comes later: a cycle through the whole graph.
            nodes { list ->
                list[0] = list[0].jsonObject.with("inputs", buildJsonArray { add(JsonPrimitive("head")) })
            } shouldContain "execution order"
            nodes { list -> list.add(0, list.removeAt(2)) } shouldContain "execution order"
            nodes { list ->
                list[1] = list[1].jsonObject.with("inputs", buildJsonArray { add(JsonPrimitive("ghost")) })
            } shouldContain "'ghost'"
            nodes { list -> list.add(list[0]) } shouldContain "already a graph input or node"
            edit(bytes) {
                it.with("model", it["model"]!!.jsonObject.with("outputs", buildJsonArray { add(JsonPrimitive("nope")) }))
            } shouldContain "'nope'"
            // A node whose result reaches no output: the graph builder's own check, reported as a file error.
            edit(bytes) {
                it.with("model", it["model"]!!.jsonObject.with("outputs", buildJsonArray { add(JsonPrimitive("relu")) }))
            } shouldContain "cannot be built"
        }

        test("quantizers") {
            val (header, data) = ModelFiles.split(ptqBytes)
            val text = header.toString()
            fun replaced(from: String, to: String): String {
                text shouldContain from
                return fails(ModelFiles.assemble(text.replaceFirst(from, to), data))
            }
            replaced("\"class_name\":\"Weights", "\"class_name\":\"Evil") shouldContain "unknown class_name"
            replaced("\"num_bits\":8", "\"num_bits\":99") shouldContain "num_bits"
            // An activation quantizer where a weight quantizer belongs.
            val holderQ = Regex("\"quantizer\":(\\{\"class_name\":\"Activation[^}]*\\}[^}]*\\})").find(text)!!.groupValues[1]
            val weightsQ = Regex("\"weights\":\\{\"weight\":(\\{\"class_name\":\"Weights[^}]*\\}[^}]*\\})").find(text)!!
                .groupValues[1]
            replaced(weightsQ, holderQ) shouldContain "quantizes ACTIVATION"
            // A per-channel threshold list of the wrong length for the kernel it quantizes.
            val threshold = Regex("\"threshold\":\\[[^]]*]").find(weightsQ)!!.value
            replaced(threshold, "\"threshold\":[1.0,2.0,3.0,4.0,5.0,6.0,7.0]") shouldContain "does not fit"
        }
    }
})
