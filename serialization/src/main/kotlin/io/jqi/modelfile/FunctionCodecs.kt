package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.json.JsonText
import io.jqi.nn.AvgPool2D
import io.jqi.nn.Clip
import io.jqi.nn.CoercedSoftmax
import io.jqi.nn.Concat
import io.jqi.nn.Dropout
import io.jqi.nn.Flatten
import io.jqi.nn.HardSigmoid
import io.jqi.nn.LeakyReLU
import io.jqi.nn.Mean
import io.jqi.nn.Pad
import io.jqi.nn.Pow
import io.jqi.nn.Slice
import io.jqi.nn.MatrixFlatten
import io.jqi.nn.MaxPool2D
import io.jqi.nn.Module
import io.jqi.nn.Pool2D
import io.jqi.nn.QuantizeDequantize
import io.jqi.nn.Reshape
import io.jqi.nn.Softmax
import io.jqi.nn.Transpose
import java.util.Random
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.add
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray

// The codecs of the layers without tensors: their hyper-parameters are all a file holds of them.

/** A layer without hyper-parameters either: its type name is all of it. */
internal class StatelessCodec<M : Module>(type: Class<M>, private val make: () -> M) : LayerCodec<M>(type) {
    override fun write(layer: M, out: JsonObjectBuilder, context: WriteContext) {}
    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec = StatelessSpec(make)
}

/** A layer of one integer hyper-parameter, such as an axis. */
internal class IntCodec<M : Module>(type: Class<M>, private val key: String, private val value: (M) -> Int,
                                    private val make: (Int) -> M) : LayerCodec<M>(type) {
    override fun write(layer: M, out: JsonObjectBuilder, context: WriteContext) {
        out.put(key, value(layer))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec =
        config.int(key).let { v -> StatelessSpec { make(v) } }
}

internal val SoftmaxCodec = IntCodec(Softmax::class.java, "axis", Softmax::axis, ::Softmax)
internal val ConcatCodec = IntCodec(Concat::class.java, "axis", Concat::axis, ::Concat)
internal val FlattenCodec = IntCodec(Flatten::class.java, "start_axis", Flatten::startAxis, ::Flatten)
internal val MatrixFlattenCodec = IntCodec(MatrixFlatten::class.java, "axis", MatrixFlatten::axis, ::MatrixFlatten)
internal val CoercedSoftmaxCodec = IntCodec(CoercedSoftmax::class.java, "axis", CoercedSoftmax::axis, ::CoercedSoftmax)

/** LeakyReLU: `negative_slope`. */
internal object LeakyReLUCodec : LayerCodec<LeakyReLU>(LeakyReLU::class.java) {
    override fun write(layer: LeakyReLU, out: JsonObjectBuilder, context: WriteContext) {
        out.put("negative_slope", JsonText.float(layer.negativeSlope()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec =
        config.float("negative_slope").let { slope -> StatelessSpec { LeakyReLU(slope) } }
}

/** HardSigmoid: `alpha`, `beta`. */
internal object HardSigmoidCodec : LayerCodec<HardSigmoid>(HardSigmoid::class.java) {
    override fun write(layer: HardSigmoid, out: JsonObjectBuilder, context: WriteContext) {
        out.put("alpha", JsonText.float(layer.alpha()))
        out.put("beta", JsonText.float(layer.beta()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val alpha = config.float("alpha")
        val beta = config.float("beta")
        return StatelessSpec { HardSigmoid(alpha, beta) }
    }
}

/** Mean: `axes` (empty: every axis), `keep_dims`. */
internal object MeanCodec : LayerCodec<Mean>(Mean::class.java) {
    override fun write(layer: Mean, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("axes", layer.axes())
        out.put("keep_dims", layer.keepDims())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val axes = context.ints(config, "axes")
        val keepDims = config.bool("keep_dims")
        config.build { Mean(axes, keepDims) }
        return StatelessSpec { Mean(axes, keepDims) }
    }
}

/** Pad: `pads` (ONNX's layout, begin pads then end pads), `value`. */
internal object PadCodec : LayerCodec<Pad>(Pad::class.java) {
    override fun write(layer: Pad, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("pads", layer.pads())
        out.put("value", JsonText.float(layer.value()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val pads = context.ints(config, "pads", 2 * ModelFile.MAX_RANK)
        val value = config.float("value")
        config.build { Pad(pads, value) }
        return StatelessSpec { Pad(pads, value) }
    }
}

/** Slice: `axes`, `starts`, `lengths`, one entry per sliced axis. */
internal object SliceCodec : LayerCodec<Slice>(Slice::class.java) {
    override fun write(layer: Slice, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("axes", layer.axes())
        out.ints("starts", layer.starts())
        out.ints("lengths", layer.lengths())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val axes = context.ints(config, "axes")
        val starts = config.ints("starts")
        val lengths = config.ints("lengths")
        config.build { Slice(axes, starts, lengths) }
        return StatelessSpec { Slice(axes, starts, lengths) }
    }
}

/** Pow: `exponent`. */
internal object PowCodec : LayerCodec<Pow>(Pow::class.java) {
    override fun write(layer: Pow, out: JsonObjectBuilder, context: WriteContext) {
        out.put("exponent", JsonText.float(layer.exponent()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val exponent = config.float("exponent")
        config.build { Pow(exponent) }
        return StatelessSpec { Pow(exponent) }
    }
}

/** Dropout: `p`. The mask generator is not saved: a loaded dropout draws from a fresh seeded one. */
internal object DropoutCodec : LayerCodec<Dropout>(Dropout::class.java) {
    override fun write(layer: Dropout, out: JsonObjectBuilder, context: WriteContext) {
        out.put("p", JsonText.float(layer.p()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec =
        config.float("p").let { p -> StatelessSpec { Dropout(p, Random(0)) } }
}

/** Clip: `min`, `max`; JSON has no infinities, so an unbounded side is left out. */
internal object ClipCodec : LayerCodec<Clip>(Clip::class.java) {
    override fun write(layer: Clip, out: JsonObjectBuilder, context: WriteContext) {
        if (layer.min() != Float.NEGATIVE_INFINITY) out.put("min", JsonText.float(layer.min()))
        if (layer.max() != Float.POSITIVE_INFINITY) out.put("max", JsonText.float(layer.max()))
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val min = config.float("min", Float.NEGATIVE_INFINITY)
        val max = config.float("max", Float.POSITIVE_INFINITY)
        config.build { Clip(min, max) }
        return StatelessSpec { Clip(min, max) }
    }
}

/**
 * MaxPool2D and AvgPool2D: `kernel`, `stride`, `padding` pairs, and `ceil_mode` only when true (files written before
 * it existed, and layers that round down, have none).
 */
internal class PoolCodec<M : Pool2D>(type: Class<M>, private val make: (IntArray, IntArray, IntArray, Boolean) -> M)
    : LayerCodec<M>(type) {
    override fun write(layer: M, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("kernel", layer.kernel())
        out.ints("stride", layer.stride())
        out.ints("padding", layer.padding())
        if (layer.ceilMode()) {
            out.put("ceil_mode", true)
        }
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val kernel = context.pair(config, "kernel", 1)
        val stride = context.pair(config, "stride", 1)
        val padding = context.pair(config, "padding", 0)
        val ceilMode = config.optionalBool("ceil_mode") ?: false
        return StatelessSpec { make(kernel, stride, padding, ceilMode) }
    }
}

internal val MaxPool2DCodec = PoolCodec(MaxPool2D::class.java, ::MaxPool2D)
internal val AvgPool2DCodec = PoolCodec(AvgPool2D::class.java, ::AvgPool2D)

/** Reshape: `shape` (at most MAX_RANK entries), `allow_zero`. */
internal object ReshapeCodec : LayerCodec<Reshape>(Reshape::class.java) {
    override fun write(layer: Reshape, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("shape", layer.shape())
        out.put("allow_zero", layer.allowZero())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val shape = context.ints(config, "shape", isRank = true)
        val allowZero = config.bool("allow_zero")
        config.build { Reshape(shape, allowZero) }
        return StatelessSpec { Reshape(shape, allowZero) }
    }
}

/** Transpose: `perm` (at most MAX_RANK entries; empty reverses the axes). */
internal object TransposeCodec : LayerCodec<Transpose>(Transpose::class.java) {
    override fun write(layer: Transpose, out: JsonObjectBuilder, context: WriteContext) {
        out.ints("perm", layer.perm())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val perm = context.ints(config, "perm", isRank = true)
        config.build { Transpose(*perm) }
        return StatelessSpec { Transpose(*perm) }
    }
}

/** QuantizeDequantize: `scales`, `zero_points`, `qmin`, `qmax`, and `axis` when per axis. */
internal object QuantizeDequantizeCodec : LayerCodec<QuantizeDequantize>(QuantizeDequantize::class.java) {
    override fun write(layer: QuantizeDequantize, out: JsonObjectBuilder, context: WriteContext) {
        out.putJsonArray("scales") { layer.scales().forEach { add(JsonText.float(it)) } }
        out.ints("zero_points", layer.zeroPoints())
        out.put("qmin", layer.qmin())
        out.put("qmax", layer.qmax())
        if (layer.perAxis()) out.put("axis", layer.axis())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val scales = config.floats("scales")
        val zeroPoints = config.ints("zero_points")
        val qmin = config.int("qmin")
        val qmax = config.int("qmax")
        val axis = config.optionalInt("axis")
        // The constructor checks the rest (equal lengths, finite positive scales, qmin <= qmax).
        val make = {
            if (axis == null) {
                if (scales.size != 1 || zeroPoints.size != 1) {
                    throw IllegalArgumentException("a per-tensor QuantizeDequantize (no axis) has one scale and one "
                        + "zero point, got ${scales.size} and ${zeroPoints.size}")
                }
                QuantizeDequantize.perTensor(scales[0], zeroPoints[0], qmin, qmax)
            } else {
                QuantizeDequantize.perAxis(scales, zeroPoints, axis, qmin, qmax)
            }
        }
        config.build(make)
        return StatelessSpec(make)
    }
}
