package io.jqi.examples

import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.trainable.QuantizationParams
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.floats.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import java.util.Random

/** The custom-quantizer guide's Kotlin example, used the way the guide says. */
class PactActivationQuantizerSpec : FunSpec({

    val config = TrainableQuantizerActivationConfig.of(QuantizationMethod.UNIFORM, 4,
        QuantizationParams.range(floatArrayOf(0f), floatArrayOf(6f)))

    fun pact(alpha: Float = 6f) = PactActivationQuantizer(config, alpha).also { q ->
        q.initializeQuantization(null, "act", { _, _ -> })
    }

    test("one registration call makes the PACT identifier selectable") {
        QuantizerRegistry.global().register(PactActivationQuantizer::class.java)
        QuantizerRegistry.global().trainableQuantizerClass(QuantizationTarget.ACTIVATION, "PACT",
            QuantizationMethod.UNIFORM) shouldBe PactActivationQuantizer::class.java
    }

    test("gradients go to x inside [0, alpha] and to alpha above it") {
        val q = pact(2f)
        val x = Tensor.vector(-1f, 0.5f, 1.5f, 3f).requiresGrad(true)
        q.forward(x, true).sum().backward()
        x.grad().toFloatArray().toList() shouldBe listOf(0f, 1f, 1f, 0f)
        q.quantizerVariable("act_alpha").grad().item() shouldBe 1f
    }

    test("the forward is exactly the converted quantizer's") {
        val q = pact(3.7f)
        val x = Tensor.randn(Random(3), 64).mul(4f)
        q.forward(x, true).toFloatArray().map { it.toRawBits() } shouldBe
            q.convertToInferable().quantize(x).toFloatArray().map { it.toRawBits() }
    }

    test("alpha grows when activations are clipped too hard") {
        val q = pact(0.5f)
        val alpha = q.quantizerVariable("act_alpha")
        val x = Tensor.randn(Random(5), 256).abs().mul(2f)
        repeat(50) {
            alpha.zeroGrad()
            val d = q.forward(x, true).sub(x)
            d.mul(d).mean().backward()
            Tensor.noGrad().use { alpha.addInPlace(-0.5f, alpha.grad()) }
        }
        alpha.item() shouldBeGreaterThan 2f
    }
})
