package io.jqi.cli.report

import io.jqi.io.AtomicFiles
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path
import javax.imageio.ImageIO

/**
 * Writes a [RunReport] into a run directory: `report.json`, `curves.png`, `layers.png` and `report.md` (which
 * embeds the two images by relative link). Every file is written atomically (a temporary file in the same
 * directory, then a rename), so a reader or an interrupted run never sees half a file. The images are drawn
 * headless.
 */
object ReportWriter {
    const val JSON_FILE = "report.json"
    const val MARKDOWN_FILE = "report.md"
    const val CURVES_FILE = "curves.png"
    const val LAYERS_FILE = "layers.png"

    init {
        System.setProperty("java.awt.headless", "true")
    }

    /** Writes all four files into [dir] (created if needed); returns their paths. */
    @JvmStatic
    fun write(dir: Path, report: RunReport): List<Path> {
        val json = writeJson(dir, report)
        val curves = dir.resolve(CURVES_FILE)
        writeAtomically(curves, png(ReportCharts.curves(report)))
        val layers = dir.resolve(LAYERS_FILE)
        writeAtomically(layers, png(ReportCharts.layers(report)))
        val md = dir.resolve(MARKDOWN_FILE)
        writeAtomically(md, ReportMarkdown.render(report, CURVES_FILE, LAYERS_FILE).toByteArray(Charsets.UTF_8))
        return listOf(json, curves, layers, md)
    }

    /** Writes only `report.json` (cheap enough for every epoch); returns its path. */
    @JvmStatic
    fun writeJson(dir: Path, report: RunReport): Path {
        val path = dir.resolve(JSON_FILE)
        writeAtomically(path, (report.toJson() + "\n").toByteArray(Charsets.UTF_8))
        return path
    }

    private fun png(image: java.awt.image.BufferedImage): ByteArray {
        val out = ByteArrayOutputStream()
        if (!ImageIO.write(image, "png", out)) throw IOException("no PNG writer available")
        return out.toByteArray()
    }

    /** Writes [bytes] to [path] atomically ([AtomicFiles]), creating its directory if needed. */
    @JvmStatic
    fun writeAtomically(path: Path, bytes: ByteArray) {
        path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
        AtomicFiles.write(path, bytes)
    }
}
