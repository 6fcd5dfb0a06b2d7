package io.jqi.examples

import io.jqi.quant.QuantizationMethod
import io.jqi.quant.QuantizationTarget
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.MarkQuantizer
import io.jqi.quant.QuantizerHost
import io.jqi.quant.trainable.TrainableQuantizer
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor

/**
 * PACT (Choi et al., 2018) as a user's activation quantizer (docs/custom-quantizers.md): a learnable clipping
 * value alpha; outputs on the uniform grid of [0, alpha]. The forward value is exactly the inferable uniform
 * quantizer's; the gradient is PACT's: to x inside [0, alpha], to alpha above it.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = [QuantizationMethod.UNIFORM], identifier = "PACT")
class PactActivationQuantizer @JvmOverloads constructor(
    config: TrainableQuantizerActivationConfig,
    private val initialAlpha: Float = 6f,
) : TrainableQuantizer(config, false) {
    private lateinit var alpha: Tensor

    override fun initializeQuantization(shape: Shape?, name: String, host: QuantizerHost) {
        alpha = Tensor.vector(initialAlpha).requiresGrad(true)
        addQuantizerVariable(host, "${name}_alpha", alpha)
    }

    override fun forward(x: Tensor, training: Boolean): Tensor {
        val value = convertToInferable().quantize(x)           // exact: what deployment will compute
        val clipped = x.minimum(alpha).relu()                  // PACT's surrogate: y = clip(x, 0, alpha)
        return Tensor.straightThrough(value, clipped)
    }

    override fun convertToInferable(): InferableQuantizer =
        ActivationUniformInferableQuantizer(config().nBits(), floatArrayOf(0f), floatArrayOf(alpha.item()),
            RoundingMode.HALF_EVEN)
}
