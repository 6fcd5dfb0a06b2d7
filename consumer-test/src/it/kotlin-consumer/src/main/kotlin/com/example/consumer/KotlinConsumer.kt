package com.example.consumer

import io.jqi.dsl.LSQ
import io.jqi.dsl.holder
import io.jqi.dsl.qat
import io.jqi.tensor.Tensor

/** jqi's Kotlin DSL, run from a project that has jqi-core and jqi-dsl as dependencies. */
fun main() {
    // An activation holder with a fixed 8-bit unsigned power-of-two grid on [0, 4).
    val relu = holder { powerOfTwo(bits = 8) { threshold(4f); unsigned() } }
    val y = relu.forward(Tensor.vector(0.005f, 1.337f, 5.0f))
    // A QAT config: 4-bit LSQ weights, found in the quantizer registry.
    val config = qat { weights { training = LSQ; symmetric(bits = 4) } }

    println("jqi kotlin consumer: quantized ${y.toFloatArray().contentToString()}, qat config ${config::class.simpleName}")
}
