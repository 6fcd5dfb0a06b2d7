package io.jqi.cli.report

import io.jqi.cli.report.Formats.MISSING

/** `report.md`: the run report for people, with the two plots embedded by relative link. */
object ReportMarkdown {
    /** The Markdown text; [curvesImage] and [layersImage] are the images' paths relative to the Markdown file. */
    @JvmStatic
    @JvmOverloads
    fun render(
        report: RunReport,
        curvesImage: String = ReportWriter.CURVES_FILE,
        layersImage: String = ReportWriter.LAYERS_FILE,
    ): String = buildString {
        val d = report.dataset
        appendLine("# jqi QAT report: ${esc(d.name)} · ${esc(report.model)} · ${esc(report.preset)}")
        appendLine()
        table(
            listOf("Run", ""),
            listOf(
                listOf("Dataset", "${esc(d.name)} (${esc(d.source)})"),
                listOf("Examples", "${d.trainSize} train / ${d.testSize} test, input ${d.inputShape.joinToString("×")}, ${d.classes} classes"),
                listOf("Model", esc(report.model)),
                listOf("Preset", esc(report.preset)),
                listOf("Mixed precision", mixedPrecision(report)),
                listOf("Distillation", report.distillation?.let {
                    "from the float model, temperature ${Formats.number(it.temperature)}, weight ${Formats.number(it.weight)}"
                } ?: "none"),
                listOf("Seed", report.seed.toString()),
                listOf("Device", esc(report.device)),
                listOf("jqi version", esc(report.jqiVersion)),
                listOf("Started", esc(report.startedAt)),
            ),
        )
        appendLine()

        appendLine("## Accuracy")
        appendLine()
        val a = report.accuracy
        table(
            listOf("Stage", "Test accuracy", "vs float (points)"),
            listOf(
                listOf("Float", Formats.percent(a.float), ""),
                listOf("PTQ", Formats.percent(a.ptq), Formats.points(a.ptq, a.float)),
                listOf("QAT", Formats.percent(a.qat), Formats.points(a.qat, a.float)),
                listOf("Finalized", Formats.percent(a.finalized), Formats.points(a.finalized, a.float)),
            ),
            rightAligned = setOf(1, 2),
        )
        if (listOf(a.float, a.ptq, a.qat, a.finalized).any { it == null }) {
            appendLine()
            appendLine("$MISSING: the stage did not run.")
        }
        appendLine()

        appendLine("## Time")
        appendLine()
        if (report.phases.isEmpty()) {
            appendLine("No phase timings recorded.")
        } else {
            val rows = report.phases.map { listOf(esc(it.name), Formats.duration(it.seconds), Formats.rate(it.imagesPerSecond)) } +
                listOf(listOf("**total**", "**${Formats.duration(report.phases.sumOf { it.seconds })}**", ""))
            table(listOf("Phase", "Wall time", "Images/s"), rows, rightAligned = setOf(1, 2))
        }
        appendLine()

        appendLine("## Training curves")
        appendLine()
        appendLine("![Training loss and test accuracy per epoch, float and QAT]($curvesImage)")
        appendLine()
        if (report.epochs.isEmpty()) {
            appendLine("No training epochs recorded.")
        } else {
            table(
                listOf("Phase", "Epoch", "Loss", "Test accuracy", "Time", "Images/s"),
                report.epochs.map {
                    listOf(if (it.phase == EpochRecord.QAT) "QAT" else it.phase, it.epoch.toString(),
                        Formats.number(it.loss), Formats.percent(it.testAccuracy), Formats.duration(it.seconds),
                        Formats.rate(it.imagesPerSecond))
                },
                rightAligned = setOf(1, 2, 3, 4, 5),
            )
        }
        appendLine()

        appendLine("## Layers")
        appendLine()
        if (report.layers.isEmpty()) {
            appendLine("No quantized layers recorded.")
        } else {
            appendLine("Per-channel values are summarized as min · median · max.")
            appendLine()
            table(
                listOf("Layer", "Kind", "Weights", "Bits", "Per-channel", "Threshold / range",
                    "Activation", "Bits", "Threshold / range"),
                report.layers.map { layerRow(it) },
                rightAligned = setOf(3, 7),
            )
        }
        appendLine()
        appendLine("![Per-layer weight histograms with quantization grids, and activation ranges]($layersImage)")
        appendLine()

        appendLine("## QAT config")
        appendLine()
        appendLine("```json")
        appendLine(JsonPretty.print(RunReport.JSON.encodeToJsonElement(VerbatimJsonSerializer, report.config)))
        appendLine("```")
    }

    /** The budgets a mixed-precision run held, and what the finalized model uses of each. */
    private fun mixedPrecision(r: RunReport): String {
        val budgets = listOfNotNull(
            r.weightsMemory?.let { "${Formats.number(it)} of the 8-bit weight memory (using ${Formats.number(r.weightsMemoryUsed)})" },
            r.activationMemory?.let { "${Formats.number(it)} of the 8-bit activation memory (using ${Formats.number(r.activationMemoryUsed)})" },
            r.totalMemory?.let { "${Formats.number(it)} of the 8-bit total memory (using ${Formats.number(r.totalMemoryUsed)})" },
            r.bitOps?.let { "${Formats.number(it)} of the 8-bit bit operations (using ${Formats.number(r.bitOpsUsed)})" },
        )
        return if (budgets.isEmpty()) "none" else "bits per layer within " + budgets.joinToString(" and ") +
            " (see the layers)"
    }

    private fun layerRow(l: LayerRecord): List<String> {
        val w = l.weights
        val act = l.activation
        val weightCells = if (w == null) listOf("", "", "", "") else listOf(
            esc(w.method), w.bits?.toString() ?: MISSING,
            when (w.perChannel) { true -> "yes" + (w.channelAxis?.let { " (axis $it)" } ?: ""); false -> "no"; null -> MISSING },
            weightSummary(w),
        )
        val actCells = if (act == null) listOf("", "", "") else listOf(
            esc(act.method), act.bits?.toString() ?: MISSING, activationSummary(act),
        )
        return listOf(code(l.name), esc(l.kind)) + weightCells + actCells
    }

    /** Thresholds as `T` or min · median · max; ranges as `[min, max]` or both spreads. */
    internal fun weightSummary(w: WeightRecord): String = when {
        w.thresholds != null -> "T " + Formats.spread(w.thresholds)
        w.rangeMin != null && w.rangeMax != null ->
            if (w.rangeMin.size == 1) "[${Formats.number(w.rangeMin[0])}, ${Formats.number(w.rangeMax[0])}]"
            else "min ${Formats.spread(w.rangeMin)}; max ${Formats.spread(w.rangeMax)}"
        else -> MISSING
    }

    internal fun activationSummary(a: ActivationRecord): String = when {
        a.threshold != null -> "T ${Formats.number(a.threshold)}" + when (a.signed) {
            true -> " (signed)"; false -> " (unsigned)"; null -> ""
        }
        a.rangeMin != null && a.rangeMax != null -> "[${Formats.number(a.rangeMin)}, ${Formats.number(a.rangeMax)}]"
        else -> MISSING
    }

    private fun StringBuilder.table(header: List<String>, rows: List<List<String>>, rightAligned: Set<Int> = emptySet()) {
        appendLine(header.joinToString(" | ", "| ", " |"))
        appendLine(header.indices.joinToString(" | ", "| ", " |") { if (it in rightAligned) "---:" else "---" })
        for (row in rows) appendLine(row.joinToString(" | ", "| ", " |"))
    }

    /** [text] as a code span in a table cell. */
    private fun code(text: String): String = "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"

    /** Escapes what would break a table cell or start Markdown formatting. */
    private fun esc(text: String): String =
        text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("*", "\\*").replace("_", "\\_")
}
