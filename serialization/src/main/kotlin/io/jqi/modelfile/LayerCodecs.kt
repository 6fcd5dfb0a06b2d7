package io.jqi.modelfile

import io.jqi.nn.Add
import io.jqi.nn.Erf
import io.jqi.nn.GlobalAvgPool2D
import io.jqi.nn.Hardswish
import io.jqi.nn.Identity
import io.jqi.nn.Module
import io.jqi.nn.ReLU
import io.jqi.nn.ReLU6
import io.jqi.nn.SiLU
import io.jqi.nn.Sqrt
import io.jqi.nn.Sigmoid
import io.jqi.nn.Tanh

/**
 * The codec of every module type a model file holds, in the order files and messages list them. A file can name
 * nothing else: loading never instantiates a class a file names (docs/model-format.md).
 */
internal object LayerCodecs {
    val ALL: List<LayerCodec<*>> = listOf(DenseCodec, Conv2DCodec, BatchNormCodec, LayerNormCodec,
        StatelessCodec(ReLU::class.java, ::ReLU), StatelessCodec(ReLU6::class.java, ::ReLU6), LeakyReLUCodec,
        StatelessCodec(Sigmoid::class.java, ::Sigmoid), StatelessCodec(Tanh::class.java, ::Tanh),
        StatelessCodec(SiLU::class.java, ::SiLU), StatelessCodec(Hardswish::class.java, ::Hardswish), HardSigmoidCodec,
        SoftmaxCodec,
        MaxPool2DCodec, AvgPool2DCodec, StatelessCodec(GlobalAvgPool2D::class.java, ::GlobalAvgPool2D), FlattenCodec,
        DropoutCodec, StatelessCodec(Identity::class.java, ::Identity), StatelessCodec(Add::class.java, ::Add),
        ConcatCodec, SequentialCodec, GraphModelCodec, QuantizationWrapperCodec, ActivationQuantizationHolderCodec,
        SubCodec, MulCodec, DivCodec, MatMulCodec, AddConstantCodec, ClipCodec, ReshapeCodec, TransposeCodec,
        MatrixFlattenCodec, CoercedSoftmaxCodec, QuantizeDequantizeCodec, MeanCodec,
        PadCodec, SliceCodec, StatelessCodec(Erf::class.java, ::Erf), StatelessCodec(Sqrt::class.java, ::Sqrt), PowCodec)

    private val byName = ALL.associateBy { it.name }
    private val byType = ALL.associateBy { it.type }

    fun forName(name: String): LayerCodec<*>? = byName[name]

    /** The codec of [module]'s exact class (a subclass of a saved type is not that type). */
    fun forModule(module: Module): LayerCodec<*>? = byType[module.javaClass]
}
