package io.jqi.cli.report

import io.jqi.dsl.qat
import io.jqi.nn.Conv2D
import io.jqi.nn.Dense
import io.jqi.nn.Flatten
import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.nn.ReLU
import io.jqi.nn.Sequential
import io.jqi.ptq.ActivationQuantization
import io.jqi.ptq.OpQuantization
import io.jqi.ptq.Ptq
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.QuantizationPlan
import io.jqi.ptq.TargetPlatform
import io.jqi.ptq.WeightQuantization
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import java.util.Random
import kotlin.math.exp

/** Small PTQ models and a plausible run report built from them. */
object Fixtures {
    /** A digits-sized CNN: conv 1→8 (3x3, stride 2), ReLU, conv 8→16, ReLU, flatten, dense 64→32, ReLU, dense 32→10. */
    fun cnn(random: Random): Module = Sequential(
        Conv2D(1, 8, 3, 2, 1, random), ReLU(), Conv2D(8, 16, 3, 2, 1, random), ReLU(), Flatten(),
        Dense(16 * 2 * 2, 32, true, random), ReLU(), Dense(32, 10, true, random),
    )

    /** An MLP on 8x8 inputs flattened: 64→64→64→10. */
    fun mlp(random: Random): Module = Sequential(
        Flatten(), Dense(64, 64, true, random), ReLU(), Dense(64, 64, true, random), ReLU(),
        Dense(64, 10, true, random),
    )

    /** A deep MLP with [kernels] dense layers, for the layout of a dozen layers. */
    fun deepMlp(random: Random, kernels: Int): Module {
        val layers = mutableListOf<Module>(Flatten())
        for (i in 0 until kernels - 1) {
            layers += Dense(if (i == 0) 64 else 48, 48, true, random)
            layers += ReLU()
        }
        layers += Dense(48, 10, true, random)
        return Sequential(*layers.toTypedArray())
    }

    /** The reference tutorial's w2a3 recipe, with dense kernels POT 4-bit per tensor to exercise the grid lines. */
    fun w2a3Platform(): TargetPlatform {
        val act = ActivationQuantization.of(QuantizationMethod.POWER_OF_TWO, 3)
        return TargetPlatform.defaultPlatform()
            .withOp("Conv2D", OpQuantization.kernel(WeightQuantization.perChannel(QuantizationMethod.SYMMETRIC, 2), act))
            .withOp("Dense", OpQuantization.kernel(WeightQuantization.perTensor(QuantizationMethod.POWER_OF_TWO, 4), act))
            .let { TargetPlatform(it.name(), OpQuantization.activationOnly(act), it.ops(), it.fusing()) }
    }

    /** Uniform 8-bit weights per channel and uniform 8-bit activations. */
    fun uniformPlatform(): TargetPlatform {
        val act = ActivationQuantization.of(QuantizationMethod.UNIFORM, 8)
        return TargetPlatform.defaultPlatform()
            .withOp("Dense", OpQuantization.kernel(WeightQuantization.perChannel(QuantizationMethod.UNIFORM, 8), act))
            .let { TargetPlatform(it.name(), OpQuantization.activationOnly(act), it.ops(), it.fusing()) }
    }

    /** The record of [quantizer] quantizing the `[channels, 5]` kernel of a dense layer, the model's one node. */
    fun weightRecordOf(quantizer: FakeQuantizer, channels: Int = 3): WeightRecord {
        val dense = QuantizationWrapper(Dense(5, channels, true, Random(0)), mapOf("weight" to quantizer))
        val model = GraphModel.builder().input("x").node("dense", dense, "x").output("dense").build()
        return LayerRecords.of(model).single().weights!!
    }

    /** The record of [quantizer] quantizing the model's input. */
    fun activationRecordOf(quantizer: FakeQuantizer): ActivationRecord {
        val holder = "x" + QuantizationPlan.HOLDER_SUFFIX
        val model = GraphModel.builder().input("x").node(holder, ActivationQuantizationHolder(quantizer), "x")
            .output(holder).build()
        return LayerRecords.of(model).single().activation!!
    }

    fun images(random: Random, batches: Int = 2, batch: Int = 16): List<Tensor> =
        List(batches) { Tensor.uniform(random, 0f, 1f, batch, 1, 8, 8) }

    fun quantize(model: Module, platform: TargetPlatform, seed: Long = 1): GraphModel =
        Ptq.quantize(model, images(Random(seed)), platform, PtqConfig.defaults())

    /** A report with float and QAT curves, all four accuracies, timings and the layers of [model]. */
    fun report(model: GraphModel, preset: String = "w2a3", modelName: String = "cnn"): RunReport {
        val floatEpochs = 6
        val qatEpochs = 4
        val epochs = (1..floatEpochs).map { e ->
            EpochRecord(EpochRecord.FLOAT, e, 1.9 * exp(-0.55 * e) + 0.08, 0.80 + 0.16 * (1 - exp(-0.7 * e)),
                1.4 + 0.01 * e, 1030.0 + e)
        } + (1..qatEpochs).map { e ->
            EpochRecord(EpochRecord.QAT, e, 0.55 * exp(-0.6 * e) + 0.15, 0.86 + 0.08 * (1 - exp(-0.9 * e)),
                3.1, 465.0 + e)
        }
        val config = qat {
            weights { symmetric(bits = 2) { perChannel() } }
            activations { powerOfTwo(bits = 3) }
        }
        return RunReport(
            dataset = DatasetInfo("digits", "embedded", 1437, 360, listOf(1, 8, 8), 10),
            model = modelName,
            preset = preset,
            config = RunReport.configJson(config),
            seed = 42,
            device = "cpu",
            accuracy = Accuracies(float = 0.9638888888888889, ptq = 0.5527777777777778, qat = 0.9333333333333333,
                finalized = 0.9305555555555556),
            epochs = epochs,
            phases = listOf(
                PhaseTiming("float", 8.61, 1027.4), PhaseTiming("ptq", 0.42, null),
                PhaseTiming("qat", 12.4, 463.6), PhaseTiming("finalize", 0.03, null),
                PhaseTiming("evaluate", 0.21, 8571.4),
            ),
            layers = LayerRecords.of(model),
            startedAt = "2025-01-31T12:00:00Z",
            jqiVersion = "0.1.0-SNAPSHOT",
        )
    }
}
