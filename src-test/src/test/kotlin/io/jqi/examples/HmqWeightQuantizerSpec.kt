package io.jqi.examples

import io.jqi.data.DataLoader
import io.jqi.data.TensorDataset
import io.jqi.dsl.qat
import io.jqi.json.QatConfigJson
import io.jqi.modelfile.ModelFile
import io.jqi.nn.Dense
import io.jqi.nn.GraphModel
import io.jqi.nn.ReLU
import io.jqi.nn.Sequential
import io.jqi.nn.optim.Adam
import io.jqi.ptq.RepresentativeData
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.Qat
import io.jqi.qat.QatConfig
import io.jqi.qat.mixed.LearnedWidths
import io.jqi.qat.mixed.WeightsMemory
import io.jqi.qat.mixed.WeightsMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryPenalty
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.trainable.QuantizationParams
import io.jqi.quant.trainable.QuantizerOptions
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import io.jqi.train.Trainer
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.floats.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan as shouldBeGreaterThanDouble
import io.kotest.matchers.floats.shouldBeGreaterThan
import io.kotest.matchers.floats.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.serialization.json.JsonObject
import java.nio.file.Files
import java.nio.file.Path
import java.util.Random

/** The custom-quantizer guide's third example, HMQ: a quantizer that learns its bit width under a memory budget. */
class HmqWeightQuantizerSpec : FunSpec({

    val thresholds = floatArrayOf(0.5f, 1f, 2f)
    val config = TrainableQuantizerWeightsConfig.perChannel(QuantizationMethod.SYMMETRIC, 8, thresholds, 0)

    fun hmq(options: Map<String, Any> = emptyMap()) =
        HmqWeightQuantizer(config, QuantizerOptions.of(options)).also { q ->
            q.initializeQuantization(Shape.of(3, 4), "weight", { _, _ -> })
        }

    fun kernel() = Tensor.randn(Random(7), 3, 4).mul(0.8f)

    /** Three Gaussian blobs in 2-D, [n, 2] with labels 0..2. */
    fun blobs(n: Int, seed: Long): TensorDataset {
        val random = Random(seed)
        val centres = listOf(-2f to 0f, 2f to 0f, 0f to 2.5f)
        val labels = IntArray(n) { it % 3 }
        val x = FloatArray(2 * n) { i ->
            centres[labels[i / 2]].let { if (i % 2 == 0) it.first else it.second } + random.nextGaussian().toFloat() * 0.5f
        }
        return TensorDataset(Tensor.of(x, n, 2), labels)
    }

    /** A small trained float model, its data, and its QAT model under [qatConfig]. */
    fun qatModel(qatConfig: QatConfig): Pair<GraphModel, DataLoader> {
        val model = Sequential(Dense(2, 32, true, Random(1)), ReLU(), Dense(32, 3, true, Random(2)))
        val loader = DataLoader(blobs(300, 1), 30, true, 1, false)
        Trainer.builder(model, Adam(model.parameters(), 0.02)).build().fit(loader, null, 5)
        return Qat.init(model, RepresentativeData.of(loader, 4), qatConfig, TargetPlatform.defaultPlatform()) to loader
    }

    val hmqConfig = qat {
        weights { training = "HMQ"; symmetric(bits = 8) { perChannel() }; override("anneal_steps", 60) }
        activations { powerOfTwo(bits = 8) }
    }

    test("its provider registers HMQ, so the registry finds it by identifier for both threshold grids") {
        for (method in listOf(QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC)) {
            QuantizerRegistry.global().trainableQuantizerClass(QuantizationTarget.WEIGHTS, "HMQ", method) shouldBe
                HmqWeightQuantizer::class.java
        }
    }

    test("training = \"HMQ\" selects it alike in the DSL, the Java builder and the JSON example") {
        val dsl = qat {
            weights { training = "HMQ"; symmetric(bits = 8) { perChannel() } }
            activations { powerOfTwo(bits = 8) }
        }
        val java = QatConfig.builder()
            .weights { it.training("HMQ").symmetric(8).perChannel() }
            .activations { it.powerOfTwo(8) }
            .build()
        val json = QatConfigJson.readFile(Path.of("..", "examples", "qat-hmq.json"))
        java shouldBe dsl
        json shouldBe dsl

        val (model, _) = qatModel(json)
        val wrappers = model.namedModules().values.filterIsInstance<QuantizationWrapper>()
        wrappers.size shouldBe 2
        wrappers.forEach { it.weightQuantizers()["weight"].shouldBeInstanceOf<HmqWeightQuantizer>() }
    }

    test("before any training it is the PTQ quantizer: 8 bits at the PTQ thresholds") {
        val inferable = hmq().convertToInferable()
        inferable.spec().bits() shouldBe 8
        (inferable as WeightsSymmetricInferableQuantizer).threshold().toList() shouldBe thresholds.toList()
    }

    test("outside training its forward is the finalized quantizer's, bit for bit") {
        val q = hmq()
        q.quantizerVariable("weight_hmq_logits").assign(Tensor.vector(0f, 0f, 0f, 0.3f, 0f, 0f, 0f, 0f, 0f))
        val w = kernel()
        q.convertToInferable().spec().bits() shouldBe 4
        q.forward(w, false).toFloatArray().map { it.toRawBits() } shouldBe
            q.convertToInferable().quantize(w).toFloatArray().map { it.toRawBits() }
    }

    test("in training the weights' gradient passes straight through and the logits learn") {
        val q = hmq()
        val w = kernel().requiresGrad(true)
        q.forward(w, true).sum().backward()
        w.grad().toFloatArray().forEach { it shouldBe (1f plusOrMinus 1e-5f) }
        q.quantizerVariable("weight_hmq_logits").grad().toFloatArray().any { it != 0f }.shouldBeTrue()
    }

    test("the expected width starts at the candidates' mean and falls when the wide candidates' logits fall") {
        val q = hmq()
        q.expectedBits().item() shouldBe ((8f + 4f + 2f) / 3 plusOrMinus 1e-5f)
        q.expectedBits().backward()
        val gradient = q.quantizerVariable("weight_hmq_logits").grad().toFloatArray()
        gradient.take(3).forEach { it shouldBeGreaterThan 0f }       // 8 bits: above the mean
        gradient.takeLast(3).forEach { it shouldBeLessThan 0f }      // 2 bits: below it
    }

    test("its sampling noise is the same on every run, so training reruns bit for bit") {
        val w = kernel()
        val first = hmq().let { q -> List(3) { q.forward(w, true).toFloatArray().toList() } }
        val second = hmq().let { q -> List(3) { q.forward(w, true).toFloatArray().toList() } }
        second shouldBe first
        (first[0] != first[1]).shouldBeTrue()   // a new draw every step
    }

    test("a run resumed from its state dicts ends with the bits of one never stopped") {
        val budget = WeightsMemoryPenalty(WeightsMemoryBudget.relativeTo8Bits(0.5), 1.0)
        fun bits(model: GraphModel) = model.stateDict().mapValues { it.value.toFloatArray().map(Float::toRawBits) }

        val (whole, loader) = qatModel(hmqConfig)
        Trainer.builder(whole, Adam(whole.parameters(), 0.01)).penalty(budget).build().fit(loader, null, 4)

        val (first, _) = qatModel(hmqConfig)
        val firstAdam = Adam(first.parameters(), 0.01)
        Trainer.builder(first, firstAdam).penalty(budget).build().fit(loader, null, 0, 2)
        val (resumed, _) = qatModel(hmqConfig)
        resumed.loadStateDict(first.stateDict())
        val adam = Adam(resumed.parameters(), 0.01)
        adam.loadStateDict(firstAdam.stateDict())
        Trainer.builder(resumed, adam).penalty(budget).build().fit(loader, null, 2, 4)

        bits(resumed) shouldBe bits(whole)
    }

    test("trained with the memory penalty and fitted, the model finalizes within the budget at the widths it learnt") {
        val (model, loader) = qatModel(hmqConfig)
        val budget = WeightsMemoryBudget.relativeTo8Bits(0.4)
        Trainer.builder(model, Adam(model.parameters(), 0.01)).penalty(WeightsMemoryPenalty(budget, 1.0)).build()
            .fit(loader, null, 8)
        val learnt = LearnedWidths.fit(model, budget)
        learnt shouldBe WeightsMemory.of(model)

        val finalized = Qat.finalize(model)
        val memory = WeightsMemory.of(finalized)
        memory shouldBe learnt
        memory.fits(budget).shouldBeTrue()
        finalized.namedModules().values.filterIsInstance<QuantizationWrapper>().forEach {
            it.weightQuantizers()["weight"].shouldBeInstanceOf<WeightsSymmetricInferableQuantizer>()
        }
        val file = Files.createTempFile("hmq", ".jqi")
        ModelFile.save(file, finalized, JsonObject(emptyMap()))
        WeightsMemory.of(ModelFile.load(file).model) shouldBe memory
    }

    test("fitting keeps widths that fit, else lowers them removing the least memory, whatever the preferences") {
        val (model, _) = qatModel(hmqConfig)
        val (small, large) = model.namedModules().values.filterIsInstance<QuantizationWrapper>()
            .map { it.weightQuantizers()["weight"] as HmqWeightQuantizer }
        // Both learnt 8 bits: the small layer (64 weights) firmly, the large one (96 weights) barely.
        small.quantizerVariable("weight_hmq_logits").assign(Tensor.vector(0.5f, 0f, 0f, 0.1f, 0f, 0f, 0f, 0f, 0f))
        large.quantizerVariable("weight_hmq_logits").assign(Tensor.vector(0.2f, 0f, 0f, 0.1f, 0f, 0f, 0f, 0f, 0f))
        (small.widthLogProbabilities()[8]!! - small.widthLogProbabilities()[4]!!) shouldBeGreaterThanDouble
            (large.widthLogProbabilities()[8]!! - large.widthLogProbabilities()[4]!!)

        LearnedWidths.fit(model, WeightsMemoryBudget.relativeTo8Bits(1.0)).bitsPerLayer().values.toList() shouldBe
            listOf(8, 8)
        // 1,024 of 1,280 bits: lowering the small layer removes 256 bits, the large one 384.
        val fitted = LearnedWidths.fit(model, WeightsMemoryBudget.relativeTo8Bits(0.8))
        fitted.bitsPerLayer().values.toList() shouldBe listOf(4, 8)
        fitted.bits() shouldBe 1024L
        small.convertToInferable().spec().bits() shouldBe 4
    }

    test("a penalty or a fit without any learnt width says what to use instead") {
        val (model, _) = qatModel(qat { weights { symmetric(bits = 8) { perChannel() } } })
        val budget = WeightsMemoryBudget.relativeTo8Bits(0.5)
        shouldThrow<IllegalArgumentException> { WeightsMemoryPenalty(budget, 1.0).of(model) }.message shouldContain
            "MixedPrecision.search"
        shouldThrow<IllegalArgumentException> { LearnedWidths.fit(model, budget) }.message shouldContain
            "MixedPrecision.search"
    }

    test("out-of-range and misspelt options are refused by name") {
        shouldThrow<IllegalArgumentException> { hmq(mapOf("anneal_steps" to "0")) }.message shouldContain "anneal_steps"
        shouldThrow<IllegalArgumentException> { hmq(mapOf("final_temperature" to "2")) }.message shouldContain
            "final_temperature must be in (0, 1]"
        shouldThrow<IllegalArgumentException> {
            Qat.init(Sequential(Dense(2, 3, true, Random(1))), listOf(Tensor.zeros(4, 2)), qat {
                weights { training = "HMQ"; symmetric(bits = 8); override("anneal_step", 10) }
            }, TargetPlatform.defaultPlatform())
        }.message shouldContain "anneal_steps"
    }
})
