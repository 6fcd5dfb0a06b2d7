package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.nn.Module
import io.jqi.quant.QuantizationTarget
import io.jqi.quant.QuantizerHost
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.addJsonObject
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray

/**
 * The modules that host quantizers, and the bookkeeping of the variables they host: the wrapper's and holder's own
 * parameters and buffers beyond positional weights are what their quantizers created (trainable ones stay registered,
 * unused, after finalizing). They are saved as `variables` (`{name, shape, trainable}`) so that the loaded model's
 * state dict is the same, and registered again on loading (docs/model-format.md).
 */
internal class QuantizerVariable(val name: String, val shape: IntArray, val trainable: Boolean)

/** Writes the `variables` of [host], leaving out [positional] buffers; nothing when it hosts none. */
internal fun JsonObjectBuilder.variables(host: Module, positional: Set<String>) {
    val parameters = host.namedParameters().filterKeys { '.' !in it }
    val buffers = ownBuffers(host).filterKeys { it !in positional }
    if (parameters.isEmpty() && buffers.isEmpty()) return
    putJsonArray("variables") {
        for ((vars, trainable) in listOf(parameters to true, buffers to false)) {
            vars.forEach { (name, t) ->
                addJsonObject {
                    put("name", name)
                    ints("shape", t.shape().toArray())
                    put("trainable", trainable)
                }
            }
        }
    }
}

/** Reads the `variables` of a host entry. */
internal fun ReadContext.variables(c: ConfigReader): List<QuantizerVariable> {
    val seen = HashSet<String>()
    return c.objects("variables", "a quantizer variable").map { item ->
        val name = name(item, "name")
        if (!seen.add(name)) throw fail("${item.path}.name: variable '$name' appears twice")
        val v = QuantizerVariable(name, shape(item, "shape"), item.bool("trainable"))
        item.finish()
        v
    }
}

private fun ownBuffers(m: Module) = m.namedBuffers().filterKeys { '.' !in it }

private fun expectVariables(variables: List<QuantizerVariable>, prefix: String, out: MutableMap<String, IntArray>) =
    variables.forEach { out["$prefix${it.name}"] = it.shape }

private fun register(host: QuantizerHost, variables: List<QuantizerVariable>) =
    variables.forEach { host.registerQuantizerVariable(it.name, Tensor.zeros(*it.shape).requiresGrad(it.trainable)) }

/**
 * QuantizationWrapper: the wrapped `layer`, the `weights` quantizer of each quantized attribute, or the `positional`
 * weights (`{position, shape, quantizer}`) of a functional layer, and the `variables`.
 */
internal object QuantizationWrapperCodec : LayerCodec<QuantizationWrapper>(QuantizationWrapper::class.java) {
    private class Positional(val position: Int, val shape: IntArray, val quantizer: InferableQuantizer)

    override fun write(layer: QuantizationWrapper, out: JsonObjectBuilder, context: WriteContext) {
        out.put("layer", context.child(layer.layer(), "layer"))
        out.put("weights", buildJsonObject {
            layer.weightQuantizers().forEach { (attribute, q) ->
                put(attribute, context.quantizer(q, "the quantizer of weight '$attribute' of ${context.where}"))
            }
        })
        val positionalNames = HashSet<String>()
        if (layer.positionalQuantizers().isNotEmpty()) {
            out.putJsonArray("positional") {
                layer.positionalQuantizers().forEach { (position, q) ->
                    val name = QuantizationWrapper.POSITIONAL_WEIGHT_PREFIX + position
                    positionalNames += name
                    addJsonObject {
                        put("position", position)
                        ints("shape", ownBuffers(layer)[name]!!.shape().toArray())
                        put("quantizer", context.quantizer(q, "the quantizer of positional weight $position of "
                            + context.where))
                    }
                }
            }
        }
        out.variables(layer, positionalNames)
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val layer = context.module(config.obj("layer"), "${config.path}.layer")
        val weights = LinkedHashMap<String, InferableQuantizer>()
        config.obj("weights").forEach { (attribute, q) ->
            context.checkName(attribute, "${config.path}.weights")
            weights[attribute] = context.quantizer(q, "${config.path}.weights.$attribute", QuantizationTarget.WEIGHTS)
        }
        val positions = HashSet<Int>()
        val positional = config.objects("positional", "a positional weight").map { item ->
            val position = context.atLeast(item, "position", 0)
            if (!positions.add(position)) throw context.fail("${item.path}.position $position appears twice")
            val p = Positional(position, context.shape(item, "shape"), context.quantizer(item.element("quantizer"),
                "${item.path}.quantizer", QuantizationTarget.WEIGHTS))
            item.finish()
            p
        }
        if (weights.isNotEmpty() && positional.isNotEmpty()) {
            throw context.fail("${config.path} quantizes both named weights and positional weights; a wrapper does "
                + "one or the other")
        }
        val variables = context.variables(config)
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
                expectVariables(variables, prefix, out)
                positional.forEach { out["$prefix${QuantizationWrapper.POSITIONAL_WEIGHT_PREFIX}${it.position}"] = it.shape }
                layer.expect("${prefix}layer.", out)
            }

            override fun build(): QuantizationWrapper {
                val wrapper = if (positional.isEmpty()) {
                    QuantizationWrapper(layer.build(), weights)
                } else {
                    QuantizationWrapper.positional(layer.build(),
                        positional.associate { it.position to Tensor.zeros(*it.shape) },
                        positional.associate { it.position to it.quantizer })
                }
                register(wrapper, variables)
                return wrapper
            }
        }
    }
}

/** ActivationQuantizationHolder: its `quantizer` and the `variables`. */
internal object ActivationQuantizationHolderCodec
    : LayerCodec<ActivationQuantizationHolder>(ActivationQuantizationHolder::class.java) {
    override fun write(layer: ActivationQuantizationHolder, out: JsonObjectBuilder, context: WriteContext) {
        out.put("quantizer", context.quantizer(layer.quantizer(), "the quantizer of ${context.where}"))
        out.variables(layer, emptySet())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val quantizer = context.quantizer(config.element("quantizer"), "${config.path}.quantizer",
            QuantizationTarget.ACTIVATION)
        val variables = context.variables(config)
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) =
                expectVariables(variables, prefix, out)

            override fun build(): ActivationQuantizationHolder {
                val holder = ActivationQuantizationHolder(quantizer)
                register(holder, variables)
                return holder
            }
        }
    }
}
