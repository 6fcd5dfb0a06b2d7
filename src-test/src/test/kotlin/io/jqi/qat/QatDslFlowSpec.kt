package io.jqi.qat

import io.jqi.data.DataLoader
import io.jqi.data.TensorDataset
import io.jqi.dsl.LSQ
import io.jqi.dsl.STE
import io.jqi.dsl.qat
import io.jqi.json.QatConfigJson
import io.jqi.nn.Dense
import io.jqi.nn.Module
import io.jqi.nn.ReLU
import io.jqi.nn.Sequential
import io.jqi.nn.optim.Adam
import io.jqi.ptq.RepresentativeData
import io.jqi.ptq.TargetPlatform
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.tensor.Losses
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Path
import kotlin.random.Random

/** The QAT flow from Kotlin: a DSL config, saved and reloaded as JSON, drives init, training and finalize. */
class QatDslFlowSpec : FunSpec({

    /** Three Gaussian blobs in 2-D, [n, 2] with labels 0..2. */
    fun blobs(n: Int, seed: Int): TensorDataset {
        val random = Random(seed)
        val centres = listOf(-2f to 0f, 2f to 0f, 0f to 2.5f)
        val labels = IntArray(n) { it % 3 }
        val x = FloatArray(2 * n) { i -> centres[labels[i / 2]].let { if (i % 2 == 0) it.first else it.second } +
            (random.nextFloat() - 0.5f) }
        return TensorDataset(Tensor.of(x, n, 2), labels)
    }

    fun train(model: Module, loader: DataLoader, epochs: Int, lr: Double) {
        val optimizer = Adam(model.parameters(), lr)
        model.train()
        repeat(epochs) { epoch ->
            for (batch in loader.epoch(epoch)) {
                optimizer.zeroGrad()
                Losses.crossEntropy(model.forward(batch.inputs()), batch.labels()).backward()
                optimizer.step()
            }
        }
    }

    fun logits(model: Module, x: Tensor): FloatArray {
        model.eval()
        Tensor.noGrad().use { return model.forward(x).toFloatArray() }
    }

    test("a DSL config survives JSON and quantizes, trains and finalizes a model") {
        val random = java.util.Random(3)
        val model = Sequential(Dense(2, 16, true, random), ReLU(), Dense(16, 3, true, random))
        val loader = DataLoader(blobs(300, 1), 32, true, 1, false)
        train(model, loader, epochs = 5, lr = 0.02)

        val config = qat {
            weights { training = LSQ; symmetric(bits = 4) { perChannel() } }
            activations { training = LSQ; powerOfTwo(bits = 8) }
            layer("2") { weights { symmetric(bits = 8) } }
        }
        val reloaded = QatConfigJson.read(QatConfigJson.write(config))
        reloaded shouldBe config

        val calibration = RepresentativeData.of(loader, 4)
        val qatModel = Qat.init(model, calibration, reloaded, TargetPlatform.defaultPlatform())
        train(qatModel, loader, epochs = 1, lr = 0.002)
        val test = blobs(90, 2).inputs()
        val before = logits(qatModel, test)
        Qat.finalize(qatModel)

        logits(qatModel, test).toList() shouldBe before.toList()
        val classifier = qatModel.node("2") as QuantizationWrapper
        (classifier.weightQuantizers()["weight"] as InferableQuantizer).numBits() shouldBe 8
    }

    test("examples/qat-lsq-weights.json is LSQ per-channel weights with frozen 8-bit power-of-two STE activations") {
        // The mixed-precision recipe of docs/results.md: the JSON a user passes with --config and --weights-memory.
        val dsl = qat {
            weights { training = LSQ; symmetric(bits = 8) { perChannel() } }
            activations { training = STE; powerOfTwo(bits = 8); override("freeze_quant_params", true) }
        }
        QatConfigJson.readFile(Path.of("..", "examples", "qat-lsq-weights.json")) shouldBe dsl
    }

    test("examples/qat-w8a4-snc.json is 4-bit activations with shift-negative correction, input and logits at 8 bits") {
        // The shift-negative correction recipe of docs/results.md, run on the built-in cnn-silu.
        val dsl = qat {
            weights { training = STE; symmetric(bits = 8) { perChannel() } }
            activations { training = STE; powerOfTwo(bits = 4); override("freeze_quant_params", true) }
            layer(TargetPlatform.INPUT) { activations { powerOfTwo(bits = 8) } }
            layer(LayerRule.OUTPUT) { activations { powerOfTwo(bits = 8) } }
            ptq { shiftNegativeCorrection = true }
        }
        QatConfigJson.readFile(Path.of("..", "examples", "qat-w8a4-snc.json")) shouldBe dsl
    }

    /** The LSQ presets' config at these widths, with the first and last kernels at 8 bits, as the LSQ paper keeps them. */
    fun lsqFirstLast8Bit(weightBits: Int, activationBits: Int) = qat {
        weights { training = LSQ; symmetric(bits = weightBits) { perChannel() } }
        activations { training = LSQ; symmetric(bits = activationBits) }
        layer(TargetPlatform.INPUT) { activations { symmetric(bits = 8) } }
        layer(LayerRule.OUTPUT) { activations { symmetric(bits = 8) } }
        layer("conv1") { weights { symmetric(bits = 8) { perChannel() } } }
        layer("classifier") { weights { symmetric(bits = 8) { perChannel() } } }
    }

    test("examples/qat-w4a4-first-last-8bit.json and qat-w2a3-first-last-8bit.json are the LSQ presets, first and last kernels at 8 bits") {
        // The W4A4 and W2A3 recipes of docs/results.md (with distillation).
        QatConfigJson.readFile(Path.of("..", "examples", "qat-w4a4-first-last-8bit.json")) shouldBe lsqFirstLast8Bit(4, 4)
        QatConfigJson.readFile(Path.of("..", "examples", "qat-w2a3-first-last-8bit.json")) shouldBe lsqFirstLast8Bit(2, 3)
    }
})
