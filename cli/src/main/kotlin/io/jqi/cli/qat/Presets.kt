package io.jqi.cli.qat

import io.jqi.dsl.LSQ
import io.jqi.dsl.STE
import io.jqi.dsl.qat
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.LayerRule
import io.jqi.qat.QatConfig

/** The bit-width recipes `jqi qat --preset` offers; `--config` replaces them with a user's QAT config. */
object Presets {
    /** Name to what it means, for help texts and errors. */
    val DESCRIPTIONS: Map<String, String> = linkedMapOf(
        "w8a8" to "8-bit symmetric per-channel weights, 8-bit power-of-two activations, STE",
        "w4a8" to "4-bit symmetric per-channel weights, 8-bit power-of-two activations, STE",
        "w4a4" to "4-bit symmetric per-channel weights, 4-bit symmetric activations (8-bit model inputs and outputs), LSQ",
        "w2a3" to "2-bit symmetric per-channel weights, 3-bit power-of-two activations, STE (the reference tutorial's)",
        "w2a3-lsq" to "2-bit symmetric per-channel weights, 3-bit symmetric activations (8-bit model inputs and " +
            "outputs), LSQ",
    )

    /**
     * STE presets keep the activation thresholds PTQ chose, as the reference's Keras STE (and so its QAT tutorial)
     * does: STE's threshold gradient pulls clipped ranges inwards
     * (docs/quantizer-contract.md#example-trainable-gradients), which at 3 bits shrinks them until every activation
     * is zero.
     */
    private const val FREEZE = "freeze_quant_params"

    /**
     * The QAT learning rate as a fraction of the float one: an 8-bit model starts at the float model's accuracy and
     * only needs to settle on its grid, while low bit widths have accuracy to win back.
     */
    fun qatLrFactor(name: String): Double = if (name == "w8a8") 0.01 else 0.1

    fun config(name: String): QatConfig = when (name) {
        "w8a8" -> ste(weightBits = 8, activationBits = 8)
        "w4a8" -> ste(weightBits = 4, activationBits = 8)
        "w4a4" -> lsq(weightBits = 4, activationBits = 4)
        "w2a3" -> ste(weightBits = 2, activationBits = 3)
        "w2a3-lsq" -> lsq(weightBits = 2, activationBits = 3)
        else -> throw IllegalArgumentException("Unknown preset '$name'; choose one of ${DESCRIPTIONS.keys.joinToString()}")
    }

    // As in the LSQ paper, the model's inputs and outputs keep 8 bits: 16 levels of pixel intensity, or of logits,
    // cost far more accuracy than any hidden activation does.
    private fun lsq(weightBits: Int, activationBits: Int) = qat {
        weights { training = LSQ; symmetric(bits = weightBits) { perChannel() } }
        activations { training = LSQ; symmetric(bits = activationBits) }
        layer(TargetPlatform.INPUT) { activations { symmetric(bits = 8) } }
        layer(LayerRule.OUTPUT) { activations { symmetric(bits = 8) } }
    }

    private fun ste(weightBits: Int, activationBits: Int) = qat {
        weights { training = STE; symmetric(bits = weightBits) { perChannel() } }
        activations { training = STE; powerOfTwo(bits = activationBits); override(FREEZE, true) }
    }
}
