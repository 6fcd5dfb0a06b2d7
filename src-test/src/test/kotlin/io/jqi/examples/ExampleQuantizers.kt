package io.jqi.examples

import io.jqi.quant.QuantizerProvider

/**
 * The example quantizers as a user's library offers them: listed in
 * `META-INF/services/io.jqi.quant.QuantizerProvider`, so the global registry (and `jqi` with this directory or jar on
 * `JQI_CLASSPATH`) finds them without a call to `register`.
 */
class ExampleQuantizers : QuantizerProvider {
    override fun quantizerClasses(): Collection<Class<*>> =
        listOf(HmqWeightQuantizer::class.java, PactActivationQuantizer::class.java)
}
