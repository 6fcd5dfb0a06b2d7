package io.jqi.cli.report

/**
 * The console summary `jqi qat` prints at the end: the accuracy of each stage and the wall time of each phase, as
 * a fixed-width ASCII table.
 *
 * ```
 * +-----------+---------------+----------+
 * | stage     | test accuracy | vs float |
 * +-----------+---------------+----------+
 * | float     |       97.22 % |          |
 * | PTQ       |       80.56 % |   -16.67 |
 * ...
 * ```
 */
object SummaryTable {
    /** The table, lines separated by `\n`, ending with a newline. */
    @JvmStatic
    fun render(report: RunReport): String {
        val a = report.accuracy
        val accuracy = listOf(
            listOf("float", Formats.percent(a.float), ""),
            listOf("PTQ", Formats.percent(a.ptq), Formats.points(a.ptq, a.float)),
            listOf("QAT", Formats.percent(a.qat), Formats.points(a.qat, a.float)),
            listOf("finalized", Formats.percent(a.finalized), Formats.points(a.finalized, a.float)),
        ).map { row -> row.map { it.replace(Formats.MISSING, "-") } }
        val phases = report.phases.map {
            listOf(it.name, Formats.duration(it.seconds), Formats.rate(it.imagesPerSecond).replace(Formats.MISSING, ""))
        } + if (report.phases.isEmpty()) emptyList()
        else listOf(listOf("total", Formats.duration(report.phases.sumOf { it.seconds }), ""))

        val sections = listOf(listOf("stage", "test accuracy", "vs float") to accuracy) +
            if (phases.isEmpty()) emptyList() else listOf(listOf("phase", "wall time", "images/s") to phases)
        val widths = IntArray(3) { c ->
            sections.maxOf { (header, rows) -> (rows + listOf(header)).maxOf { it[c].length } }
        }
        val rule = widths.joinToString("+", "+", "+") { "-".repeat(it + 2) }
        return buildString {
            for ((header, rows) in sections) {
                appendLine(rule)
                appendLine(line(header, widths, rightFrom = Int.MAX_VALUE))
                appendLine(rule)
                rows.forEach { appendLine(line(it, widths, rightFrom = 1)) }
            }
            appendLine(rule)
        }
    }

    private fun line(cells: List<String>, widths: IntArray, rightFrom: Int): String =
        cells.indices.joinToString("|", "|", "|") { c ->
            " " + (if (c >= rightFrom) cells[c].padStart(widths[c]) else cells[c].padEnd(widths[c])) + " "
        }
}
