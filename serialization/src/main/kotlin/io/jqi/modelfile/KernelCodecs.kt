package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.json.JsonText
import io.jqi.nn.BatchNorm
import io.jqi.nn.Conv2D
import io.jqi.nn.Dense
import io.jqi.nn.LayerNorm
import java.util.Random
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.put

/** Dense: `in_features`, `out_features`, `bias`; tensors `weight [out, in]`, `bias [out]`. */
internal object DenseCodec : LayerCodec<Dense>(Dense::class.java) {
    override fun write(layer: Dense, out: JsonObjectBuilder, context: WriteContext) {
        out.put("in_features", layer.inFeatures())
        out.put("out_features", layer.outFeatures())
        out.put("bias", layer.hasBias())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val inFeatures = context.atLeast(config, "in_features", 1)
        val outFeatures = context.atLeast(config, "out_features", 1)
        val bias = config.bool("bias")
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
                out["${prefix}weight"] = intArrayOf(outFeatures, inFeatures)
                if (bias) out["${prefix}bias"] = intArrayOf(outFeatures)
            }

            override fun build() = Dense(inFeatures, outFeatures, bias, Random(0))
        }
    }
}

/** Conv2D: channels, `[h, w]` pairs, `groups`, `bias`; tensors `weight [out, in / groups, kh, kw]`, `bias [out]`. */
internal object Conv2DCodec : LayerCodec<Conv2D>(Conv2D::class.java) {
    override fun write(layer: Conv2D, out: JsonObjectBuilder, context: WriteContext) {
        out.put("in_channels", layer.inChannels())
        out.put("out_channels", layer.outChannels())
        out.ints("kernel", layer.kernel())
        out.ints("stride", layer.stride())
        out.ints("padding", layer.padding())
        out.ints("dilation", layer.dilation())
        out.put("groups", layer.groups())
        out.put("bias", layer.hasBias())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val inChannels = context.atLeast(config, "in_channels", 1)
        val outChannels = context.atLeast(config, "out_channels", 1)
        val kernel = context.pair(config, "kernel", 1)
        val stride = context.pair(config, "stride", 1)
        val padding = context.pair(config, "padding", 0)
        val dilation = context.pair(config, "dilation", 1)
        val groups = context.atLeast(config, "groups", 1)
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw context.fail("${config.path}.groups $groups must divide in_channels $inChannels and out_channels "
                + "$outChannels")
        }
        val bias = config.bool("bias")
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
                out["${prefix}weight"] = intArrayOf(outChannels, inChannels / groups, kernel[0], kernel[1])
                if (bias) out["${prefix}bias"] = intArrayOf(outChannels)
            }

            override fun build() =
                Conv2D(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, Random(0))
        }
    }
}

/** BatchNorm: `num_features`, `momentum`, `eps`; four `[num_features]` tensors. */
/** LayerNorm: `normalized_shape`, `eps`; parameters `weight` and `bias` of that shape. */
internal object LayerNormCodec : LayerCodec<LayerNorm>(LayerNorm::class.java) {
    override fun write(layer: LayerNorm, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("normalized_shape", layer.normalizedShape())
        out.put("eps", JsonText.float(layer.eps()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val shape = context.ints(config, "normalized_shape", isRank = true)
        val eps = config.float("eps")
        config.build { LayerNorm(shape, eps) }
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
                out["${prefix}weight"] = shape
                out["${prefix}bias"] = shape
            }

            override fun build() = LayerNorm(shape, eps)
        }
    }
}

internal object BatchNormCodec : LayerCodec<BatchNorm>(BatchNorm::class.java) {
    override fun write(layer: BatchNorm, out: JsonObjectBuilder, context: WriteContext) {
        out.put("num_features", layer.numFeatures())
        out.put("momentum", JsonText.float(layer.momentum()))
        out.put("eps", JsonText.float(layer.eps()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val features = context.atLeast(config, "num_features", 1)
        val momentum = config.float("momentum")
        val eps = config.float("eps")
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) {
                for (name in listOf("weight", "bias", "running_mean", "running_var")) {
                    out["$prefix$name"] = intArrayOf(features)
                }
            }

            override fun build() = BatchNorm(features, momentum, eps)
        }
    }
}
