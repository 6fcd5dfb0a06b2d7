package io.jqi.cli.report

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.Random
import javax.imageio.ImageIO
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.readText

class ReportWriterSpec : FunSpec({

    val cnn = Fixtures.report(Fixtures.quantize(Fixtures.cnn(Random(1)), Fixtures.w2a3Platform()))
    val mlp = Fixtures.report(Fixtures.quantize(Fixtures.mlp(Random(2)), Fixtures.uniformPlatform()),
        preset = "uniform8", modelName = "mlp")
    val files = listOf("report.json", "curves.png", "layers.png", "report.md")

    fun image(path: Path): BufferedImage = ImageIO.read(path.toFile()) ?: error("$path is not an image")

    /** Variance of the pixels' grey levels: 0 for a blank image. */
    fun variance(image: BufferedImage): Double {
        var sum = 0.0
        var sq = 0.0
        val n = image.width.toDouble() * image.height
        for (y in 0 until image.height) for (x in 0 until image.width) {
            val rgb = image.getRGB(x, y)
            val grey = ((rgb shr 16 and 255) + (rgb shr 8 and 255) + (rgb and 255)) / 3.0
            sum += grey
            sq += grey * grey
        }
        return sq / n - (sum / n) * (sum / n)
    }

    test("writes the four files, and only them") {
        val dir = Files.createTempDirectory("jqi-report")
        ReportWriter.write(dir, cnn).map { it.name } shouldBe files
        dir.listDirectoryEntries().map { it.name } shouldContainExactlyInAnyOrder files
        RunReport.read(dir.resolve("report.json")) shouldBe cnn
    }

    test("the images decode, have the expected sizes and are not blank") {
        val dir = Files.createTempDirectory("jqi-report")
        ReportWriter.write(dir, cnn)
        val curves = image(dir.resolve("curves.png"))
        curves.width shouldBe 1000
        curves.height shouldBe 450
        variance(curves) shouldBeGreaterThan 100.0

        // 4 kernels: two rows of two layer slots, then the activation chart.
        val layers = image(dir.resolve("layers.png"))
        layers.width shouldBe 2 * ReportCharts.LAYER_SLOT_WIDTH
        layers.height shouldBe 40 + 2 * ReportCharts.LAYER_SLOT_HEIGHT + ReportCharts.ACTIVATION_HEIGHT
        variance(layers) shouldBeGreaterThan 100.0
    }

    test("the Markdown has the header, the accuracy table, the tables and the image links") {
        val dir = Files.createTempDirectory("jqi-report")
        ReportWriter.write(dir, cnn)
        val md = dir.resolve("report.md").readText()
        md shouldContain "# jqi QAT report: digits · cnn · w2a3"
        md shouldContain "| Seed | 42 |"
        md shouldContain "| Device | cpu |"
        md shouldContain "| jqi version | 0.1.0-SNAPSHOT |"
        md shouldContain "| Stage | Test accuracy | vs float (points) |"
        md shouldContain "| Float | 96.39 % |  |"
        md shouldContain "| PTQ | 55.28 % | -41.11 |"
        md shouldContain "| QAT | 93.33 % | -3.06 |"
        md shouldContain "| Finalized | 93.06 % | -3.33 |"
        md shouldContain "| float | 8.61 s | 1,027 |"
        md shouldContain "| QAT | 4 | "
        md shouldContain "](curves.png)"
        md shouldContain "](layers.png)"
        md shouldContain "| `0` | Conv2D | SYMMETRIC | 2 | yes (axis 0) | T "
        md shouldContain "| `input` | input |  |  |  |  | POWER\\_OF\\_TWO | 3 | T "
        md shouldContain "```json\n{\n  \"format_version\": 1,"
        md shouldContain "\"min_threshold\": 0.000015258789,"  // the config's numbers as the config spells them
        md shouldNotContain "the stage did not run"
    }

    test("a report with nothing but the header still writes (no epochs, no layers, missing stages)") {
        val dir = Files.createTempDirectory("jqi-report")
        val empty = cnn.copy(epochs = emptyList(), layers = emptyList(), phases = emptyList(),
            accuracy = Accuracies(float = 0.9))
        ReportWriter.write(dir, empty)
        image(dir.resolve("curves.png")).width shouldBe 1000
        image(dir.resolve("layers.png")).height shouldBe 40 + 120
        val md = dir.resolve("report.md").readText()
        md shouldContain "| PTQ | — |  |"
        md shouldContain "No training epochs recorded."
    }

    test("writes are atomic: rewriting replaces the files and leaves no temporary file behind") {
        val dir = Files.createTempDirectory("jqi-report")
        ReportWriter.write(dir, mlp)
        ReportWriter.write(dir, cnn)
        dir.listDirectoryEntries().map { it.name } shouldContainExactlyInAnyOrder files
        RunReport.read(dir.resolve("report.json")) shouldBe cnn
        Files.list(dir).use { s -> s.anyMatch { it.name.endsWith(".tmp") } } shouldBe false
    }

    test("a NaN loss and diverged accuracy do not stop the plots") {
        val dir = Files.createTempDirectory("jqi-report")
        val diverged = cnn.copy(epochs = cnn.epochs.map {
            if (it.phase == EpochRecord.QAT && it.epoch >= 3) it.copy(loss = Double.NaN, testAccuracy = 0.1) else it
        })
        ReportWriter.write(dir, diverged)
        RunReport.read(dir.resolve("report.json")) shouldBe diverged
        dir.resolve("report.md").readText() shouldContain "| QAT | 3 | NaN |"
    }

    test("the console summary is a fixed-width table of the accuracies and the phase timings") {
        val table = SummaryTable.render(cnn)
        val lines = table.trimEnd().lines()
        lines.map { it.length }.distinct().size shouldBe 1
        table shouldContain "| PTQ       |       55.28 % |   -41.11 |"
        table shouldContain "| finalized |       93.06 % |    -3.33 |"
        table shouldContain "| qat       |        12.4 s |      464 |"
        table shouldContain "| total     |        21.7 s |          |"
        SummaryTable.render(cnn.copy(accuracy = Accuracies(float = 0.5))) shouldContain "| QAT       |             - |"
        table shouldNotContain "—"
    }

    test("sample reports for a person to look at (target/report-samples)") {
        val root = Paths.get("target", "report-samples")
        ReportWriter.write(root.resolve("cnn-w2a3"), cnn)
        ReportWriter.write(root.resolve("mlp-uniform8"), mlp)
        val default8 = Fixtures.report(Fixtures.quantize(Fixtures.cnn(Random(3)),
            io.jqi.ptq.TargetPlatform.defaultPlatform()), preset = "w8a8")
        ReportWriter.write(root.resolve("cnn-w8a8"), default8)
        val deep = Fixtures.report(Fixtures.quantize(Fixtures.deepMlp(Random(4), 12), Fixtures.w2a3Platform()),
            modelName = "mlp12")
        ReportWriter.write(root.resolve("mlp12-w2a3"), deep)
        image(root.resolve("mlp12-w2a3/layers.png")).height shouldBe
            40 + 6 * ReportCharts.LAYER_SLOT_HEIGHT + ReportCharts.ACTIVATION_HEIGHT
        Files.exists(root.resolve("cnn-w2a3/layers.png")) shouldBe true
    }
})
