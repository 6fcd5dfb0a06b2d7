package io.jqi.cli

import io.jqi.json.QuantizerJson
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/** The README's Kotlin snippet, verbatim, with the claims its comments make. */
class ReadmeSnippetsSpec : FunSpec({

    test("the Kotlin snippet runs and does what its comments say") {
        // 4-bit symmetric weights, one threshold per output channel (axis 0 of a [out, in] kernel)
        val quantizer = WeightsSymmetricInferableQuantizer.perChannel(4, floatArrayOf(0.5f, 1.0f), 0)
        val kernel = Tensor.of(floatArrayOf(0.11f, -0.42f, 0.3f, 0.9f, -1.3f, 0.05f), 2, 3)
        val quantized = quantizer.quantize(kernel)        // same shape, every value on its channel's grid

        val json = QuantizerJson.write(quantizer)         // {"class_name": ..., "config": {...}, "format_version": 1}
        val reloaded = QuantizerJson.read(json)           // the same quantizer, bit for bit

        quantized.shape() shouldBe kernel.shape()
        quantized.toFloatArray().toList() shouldBe listOf(0.125f, -0.4375f, 0.3125f, 0.875f, -1f, 0f)
        reloaded.quantize(kernel).toFloatArray().toList() shouldBe quantized.toFloatArray().toList()
    }
})
