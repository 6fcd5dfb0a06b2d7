package io.jqi.cli.qat

import io.jqi.cli.report.Formats
import io.jqi.cli.report.RunReport
import picocli.CommandLine.Command
import picocli.CommandLine.Parameters
import picocli.CommandLine.Spec
import picocli.CommandLine.Model.CommandSpec
import java.nio.file.Path
import java.util.concurrent.Callable

/** `jqi table`: one Markdown row per `jqi qat` run, the form of the results table in docs/results.md. */
@Command(name = "table", mixinStandardHelpOptions = true,
    description = ["Print a Markdown table of the accuracies and times of jqi qat runs (their output directories)."])
class TableCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = ["Output directories of jqi qat runs"])
    lateinit var runs: List<Path>

    override fun call(): Int {
        val out = spec.commandLine().out
        out.println("| dataset | model | preset | epochs (float + QAT) | float | PTQ | QAT (finalized) | QAT - float | wall time |")
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for (dir in runs) {
            val r = RunReport.read(dir.resolve("report.json"))
            val float = r.accuracy.float
            val finalized = r.accuracy.finalized
            val seconds = r.phases.sumOf { it.seconds }
            out.println("| ${r.dataset.name} | ${r.model} | ${r.preset}${r.weightsMemory?.let { " + MP $it" } ?: ""}${r.bitOps?.let { " + BOPs ${Formats.number(it)}" } ?: ""}${r.activationMemory?.let { " + AM ${Formats.number(it)}" } ?: ""}${r.totalMemory?.let { " + TM ${Formats.number(it)}" } ?: ""}${r.distillation?.let { " + ${it.label()}" } ?: ""} | " +
                "${r.epochsOf("float").size} + " +
                "${r.epochsOf("qat").size} | ${pct(float)} | ${pct(r.accuracy.ptq)} | ${pct(finalized)} | " +
                "${if (float != null && finalized != null) "%+.2f".format((finalized - float) * 100) else "-"} | " +
                "%.0f s |".format(seconds))
        }
        return 0
    }

    private fun pct(v: Double?) = v?.let { "%.2f%%".format(it * 100) } ?: "-"
}
