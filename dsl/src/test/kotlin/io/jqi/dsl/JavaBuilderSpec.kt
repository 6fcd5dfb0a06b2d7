package io.jqi.dsl

import io.jqi.ptq.ErrorMethod
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.Signedness
import io.jqi.qat.QatConfig
import io.jqi.qat.mixed.ActivationMemoryBudget
import io.jqi.qat.mixed.BitOpsBudget
import io.jqi.qat.mixed.MixedPrecisionSettings
import io.jqi.qat.mixed.TotalMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryBudget
import io.jqi.quant.trainable.LsqGradientScale
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain

/** The DSL and the Java fluent builder are two spellings of the same configs. */
class JavaBuilderSpec : FunSpec({

    test("the issue's example is the same config either way") {
        val dsl = qat {
            weights { training = LSQ; symmetric(bits = 4) { perChannel() } }
            activations { powerOfTwo(bits = 8) }
            layer("classifier") { weights { uniform(bits = 8) } }
            skip("stem.conv")
        }
        val java = QatConfig.builder()
            .weights { it.training(LSQ).symmetric(4).perChannel() }
            .activations { it.powerOfTwo(8) }
            .layer("classifier") { l -> l.weights { it.uniform(8) } }
            .skip("stem.conv")
            .build()
        dsl shouldBe java
    }

    test("every option has the same meaning in both") {
        val dsl = qat {
            weights { training = STE; uniform(bits = 6) { perChannel(axis = 1) }; override("gradient_scale", "MCT") }
            activations { training = LSQ; symmetric(bits = 8) { signed() }; override("freeze_quant_params", true) }
            layer("Dense") {
                weights { training = LSQ; powerOfTwo(bits = 4) { perTensor() } }
                activations { disabled() }
            }
            layer("head.fc") { activations { uniform(bits = 16) { unsigned() } } }
            skip("stem")
            ptq { activationErrorMethod = ErrorMethod.LP; lpValue = 3.0; minThreshold = 1e-3f; biasCorrection = false }
        }
        val java = QatConfig.builder()
            .weights { it.training(STE).uniform(6).perChannel(1).override("gradient_scale", LsqGradientScale.MCT) }
            .activations {
                it.training(LSQ).symmetric(8).signedness(Signedness.SIGNED).override("freeze_quant_params", true)
            }
            .layer("Dense") { l ->
                l.weights { it.training(LSQ).powerOfTwo(4).perTensor() }
                l.activations { it.disabled() }
            }
            .layer("head.fc") { l -> l.activations { it.uniform(16).signedness(Signedness.UNSIGNED) } }
            .skip("stem")
            .ptq(PtqConfig(ErrorMethod.MSE, ErrorMethod.LP, 3.0, 1e-3f, false))
            .build()
        dsl shouldBe java
    }

    test("mixed precision is the same setting in both, with the platform's candidates unless others are given") {
        qat { mixedPrecision { weightsMemory = 0.5 } } shouldBe
            QatConfig.builder().mixedPrecision(WeightsMemoryBudget.relativeTo8Bits(0.5)).build()
        qat { mixedPrecision { weightsMemoryBytes = 4096; candidateBits = listOf(3, 6) } } shouldBe
            QatConfig.builder().mixedPrecision(WeightsMemoryBudget.bytes(4096), 3, 6).build()
        qat { mixedPrecision { weightsMemory = 0.5 } }.mixedPrecision().candidateBits() shouldBe emptyList()
        qat { mixedPrecision { bitOps = 0.25; weightsMemory = 0.5 } } shouldBe QatConfig.builder().mixedPrecision(
            MixedPrecisionSettings(WeightsMemoryBudget.relativeTo8Bits(0.5), BitOpsBudget.relativeTo8Bits(0.25),
                emptyList())).build()
        qat { mixedPrecision { activationMemory = 0.5; totalMemoryBytes = 4096; activationCandidateBits = listOf(8, 4) } } shouldBe
            QatConfig.builder().mixedPrecision(MixedPrecisionSettings(null, null, ActivationMemoryBudget.relativeTo8Bits(0.5),
                TotalMemoryBudget.bytes(4096), emptyList(), listOf(8, 4))).build()
    }

    test("a mixed-precision block needs exactly one budget") {
        shouldThrow<IllegalArgumentException> { qat { mixedPrecision { } } }.message shouldContain "give a budget"
        shouldThrow<IllegalArgumentException> {
            qat { mixedPrecision { weightsMemory = 0.5; weightsMemoryBytes = 10 } }
        }.message shouldContain "give the weights memory once"
        shouldThrow<IllegalArgumentException> { qat { mixedPrecision { weightsMemory = 3.0 } } }.message shouldContain
            "mixedPrecision: a weights memory budget relative to 8 bits must be in (0, 2]"
    }

    test("a different choice gives a different config") {
        qat { weights { symmetric(bits = 8) } } shouldNotBe QatConfig.builder().weights { it.powerOfTwo(8) }.build()
    }
})
