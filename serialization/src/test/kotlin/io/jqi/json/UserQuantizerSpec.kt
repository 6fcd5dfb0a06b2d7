package io.jqi.json

import io.jqi.grid.ChannelLayout
import io.jqi.grid.Grid
import io.jqi.grid.LutGrid
import io.jqi.modelfile.ModelFile
import io.jqi.quant.MarkQuantizer
import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.QuantizerId
import io.jqi.quant.inferable.ActivationInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizers
import io.jqi.quant.inferable.QuantizerConfig
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.grid.RoundingMode
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/**
 * A user's own inferable quantizer: look-up-table activations with any positive threshold (jqi ships only the
 * power-of-two one). Registered, it writes its config like jqi's and reads back through its `fromConfig`.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = [QuantizationMethod.LUT_SYMMETRIC],
    identifier = QuantizerId.INFERABLE)
class LutSymmetricActivations(bits: Int, private val levels: FloatArray, private val threshold: Float)
    : ActivationInferableQuantizer(bits, true, RoundingMode.HALF_EVEN) {
    private val grid = LutGrid(levels, floatArrayOf(threshold), 8, true, 0f)

    override fun grid(): Grid = grid

    override fun writeConfig(out: QuantizerConfig.Writer) {
        out.put("num_bits", numBits())
        out.put("lut_values", levels)
        out.put("threshold", threshold)
    }

    companion object {
        @JvmStatic
        fun fromConfig(config: QuantizerConfig.Reader) = LutSymmetricActivations(config.integer("num_bits"),
            config.numbers("lut_values"), config.number("threshold"))
    }
}

class UserQuantizerSpec : FunSpec({
    val registry = QuantizerRegistry().registerAll(InferableQuantizers.ALL.toList())
        .register(LutSymmetricActivations::class.java)
    val quantizer = LutSymmetricActivations(2, floatArrayOf(-100f, -20f, 20f, 100f), 1.5f)
    val x = Tensor.of(floatArrayOf(-3f, -0.4f, 0f, 0.2f, 0.9f, 7f), 2, 3)

    test("a registered user quantizer writes its own config under its class name") {
        QuantizerJson.toJson(quantizer).toString() shouldBe """{"class_name":"LutSymmetricActivations",""" +
            """"config":{"num_bits":2,"lut_values":[-100,-20,20,100],"threshold":1.5},"format_version":1}"""
    }

    test("a registered user quantizer reads back through its fromConfig to the same bits") {
        val back = QuantizerJson.read(QuantizerJson.write(quantizer), "mine.json", registry)
        back.quantize(x).toFloatArray().toList() shouldBe quantizer.quantize(x).toFloatArray().toList()
    }

    test("a model holding a user quantizer saves and loads with the registry that knows it") {
        val holder = ActivationQuantizationHolder(quantizer)
        val loaded = ModelFile.fromBytes(ModelFile.toBytes(holder, registry = registry), "mine.jqi", registry).model
        loaded.forward(x).toFloatArray().toList() shouldBe holder.forward(x).toFloatArray().toList()
    }

    test("a class the registry does not know is refused by its name") {
        shouldThrow<JsonFormatException> { QuantizerJson.read(QuantizerJson.write(quantizer), "mine.json") }
            .message!! shouldContain "unknown class_name 'LutSymmetricActivations'"
    }
})
