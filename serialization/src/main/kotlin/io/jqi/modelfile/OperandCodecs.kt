package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.nn.AddConstant
import io.jqi.nn.BinaryLayer
import io.jqi.nn.Div
import io.jqi.nn.MatMul
import io.jqi.nn.Module
import io.jqi.nn.Mul
import io.jqi.nn.Sub
import io.jqi.tensor.Tensor
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/** A layer holding a constant operand: the buffer `constant` of [shape], filled in by the state dict. */
internal class ConstantSpec(private val shape: IntArray, private val make: (Tensor) -> Module) : ModuleSpec() {
    override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
        out["${prefix}constant"] = shape
    }

    override fun build() = make(Tensor.zeros(*shape))
}

/** AddConstant: `constant: {shape}`, its values in the tensor `constant`. */
internal object AddConstantCodec : LayerCodec<AddConstant>(AddConstant::class.java) {
    override fun write(layer: AddConstant, out: JsonObjectBuilder, context: WriteContext) {
        out.put("constant", buildJsonObject { ints("shape", layer.constant().shape().toArray()) })
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val k = config.child("constant", "an AddConstant's constant")
        val shape = context.shape(k, "shape")
        k.finish()
        return ConstantSpec(shape) { AddConstant(it) }
    }
}

/**
 * Sub, Mul, Div and MatMul: two inputs, or one input and a constant operand, `constant: {shape, first}` (whether the
 * constant is the left operand), its values in the tensor `constant`.
 */
internal class BinaryCodec<M : BinaryLayer>(type: Class<M>, private val twoInputs: () -> M,
                                            private val withConstant: (Tensor, Boolean) -> M) : LayerCodec<M>(type) {
    override fun write(layer: M, out: JsonObjectBuilder, context: WriteContext) {
        if (layer.hasConstant()) {
            out.put("constant", buildJsonObject {
                ints("shape", layer.constant().shape().toArray())
                put("first", layer.constantFirst())
            })
        }
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val k = config.optionalChild("constant", "a $name's constant") ?: return StatelessSpec(twoInputs)
        val shape = context.shape(k, "shape")
        val first = k.bool("first")
        k.finish()
        return ConstantSpec(shape) { constant -> withConstant(constant, first) }
    }
}

internal val SubCodec = BinaryCodec(Sub::class.java, ::Sub, ::Sub)
internal val MulCodec = BinaryCodec(Mul::class.java, ::Mul, ::Mul)
internal val DivCodec = BinaryCodec(Div::class.java, ::Div, ::Div)
internal val MatMulCodec = BinaryCodec(MatMul::class.java, ::MatMul, ::MatMul)
