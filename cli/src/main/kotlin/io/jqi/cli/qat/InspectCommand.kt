package io.jqi.cli.qat

import io.jqi.cli.sources.ModelSources
import io.jqi.cli.report.LayerRecord
import io.jqi.cli.report.LayerRecords
import io.jqi.nn.GraphModel
import io.jqi.nn.Module
import io.jqi.nn.QuantizeDequantize
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import picocli.CommandLine.Command
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Parameters
import picocli.CommandLine.Spec
import java.nio.file.Path
import java.util.concurrent.Callable

/**
 * `jqi inspect`: what a saved jqi model holds (its layers, parameter counts and quantizers, and its metadata), or
 * what an ONNX model imports as.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = ["Show the layers, parameter counts, quantizers and metadata of a saved jqi model",
        "or of an ONNX model as jqi imports it."])
class InspectCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Parameters(paramLabel = "FILE",
        description = ["A model saved by jqi (model.jqi, float.jqi) or an ONNX model (.onnx)"])
    lateinit var file: Path

    override fun call(): Int {
        val out = spec.commandLine().out
        val saved = ModelSources.load(file)
        val model = saved.model
        val quantization = (model as? GraphModel)?.let { g -> LayerRecords.of(g).associateBy { it.name } } ?: emptyMap()
        val layers = leaves(model)
        // An imported QDQ model carries its quantization as QuantizeDequantize layers, not as jqi quantizers.
        val qdq = layers.count { it.second is QuantizeDequantize }
        out.println("$file: ${model.javaClass.simpleName}, ${"%,d".format(count(model))} parameters" + when {
            quantization.isNotEmpty() -> ", ${quantization.size} quantized nodes"
            qdq > 0 -> ", $qdq QuantizeDequantize nodes (an imported QDQ model)"
            else -> ", not quantized"
        })
        val row = "%-${maxOf(36, layers.maxOfOrNull { it.first.length } ?: 0)}s %-22s %12s  %s"
        out.println(row.format("node", "layer", "parameters", "quantization"))
        for ((name, layer) in layers) {
            val inner = (layer as? QuantizationWrapper)?.layer() ?: layer
            val described = if (inner is QuantizeDequantize) describe(inner) else describe(quantization[name])
            out.println(row.format(name, inner.javaClass.simpleName, "%,d".format(count(inner)), described))
        }
        quantization.values.filter { it.kind == LayerRecords.INPUT_KIND }
            .forEach { out.println("model input '${it.name}': ${describe(it)}") }
        if (saved.metadata.isNotEmpty()) {
            out.println("metadata: ${saved.metadata.keys.joinToString()}")
        }
        return 0
    }

    /** The layers of [model] by node name (a graph) or dotted path, holders left out (they show as quantization). */
    private fun leaves(model: Module): List<Pair<String, Module>> = when (model) {
        is GraphModel -> model.nodeNames().map { it to model.node(it) }
            .filter { it.second !is ActivationQuantizationHolder }
        else -> model.namedModules().filter { (name, m) -> name.isNotEmpty() && m.namedChildren().isEmpty() }
            .map { it.key to it.value }
    }

    private fun count(m: Module) = m.namedParameters().values.sumOf { it.numel().toLong() }

    private fun describe(q: QuantizeDequantize): String {
        val levels = q.qmax().toLong() - q.qmin() + 1
        val bits = 64 - java.lang.Long.numberOfLeadingZeros(levels - 1)
        val where = if (q.perAxis()) "per-axis (axis ${q.axis()})" else "per-tensor"
        return "QDQ $bits-bit [${q.qmin()}, ${q.qmax()}] $where"
    }

    private fun describe(r: LayerRecord?): String {
        r ?: return "-"
        val parts = ArrayList<String>()
        r.weights?.let { w ->
            parts += "weights ${w.method} ${w.bits}-bit ${if (w.perChannel == true) "per-channel" else "per-tensor"}"
        }
        r.activation?.let { a ->
            val sign = when (a.signed) {
                true -> " signed"
                false -> " unsigned"
                null -> ""
            }
            parts += "output ${a.method} ${a.bits}-bit$sign"
        }
        return parts.joinToString(", ").ifEmpty { "-" }
    }
}
