package io.jqi.cli.report

import org.knowm.xchart.BitmapEncoder
import org.knowm.xchart.CategoryChart
import org.knowm.xchart.CategoryChartBuilder
import org.knowm.xchart.XYChart
import org.knowm.xchart.XYChartBuilder
import org.knowm.xchart.XYSeries
import org.knowm.xchart.style.AxesChartStyler
import org.knowm.xchart.style.Styler
import org.knowm.xchart.style.markers.SeriesMarkers
import java.awt.BasicStroke
import java.awt.Color
import java.awt.Font
import java.awt.RenderingHints
import java.awt.image.BufferedImage
import java.util.Locale

/** Draws the report's two images with XChart, headless. */
internal object ReportCharts {
    const val CURVES_WIDTH = 1000
    const val CURVES_HEIGHT = 450
    private const val TITLE_HEIGHT = 40

    /** Width of one layer's slot in layers.png, two slots to a row. */
    const val LAYER_SLOT_WIDTH = 800
    const val LAYER_SLOT_HEIGHT = 300
    const val ACTIVATION_HEIGHT = 360

    private val BLUE = Color(0x1f, 0x77, 0xb4)
    private val ORANGE = Color(0xff, 0x7f, 0x0e)
    private val GREEN = Color(0x2c, 0xa0, 0x2c)
    private val RED = Color(0xd6, 0x27, 0x28)
    private val PURPLE = Color(0x94, 0x67, 0xbd)
    private val GRAY = Color(0x7f, 0x7f, 0x7f)
    private val HISTOGRAM_FILL = Color(0x1f, 0x77, 0xb4, 0x90)

    init {
        System.setProperty("java.awt.headless", "true")
    }

    fun title(report: RunReport): String =
        "${report.dataset.name} · ${report.model} · ${report.preset}"

    // ---------------------------------------------------------------------------------------------- curves.png

    /** Loss (left) and test accuracy (right) per epoch; QAT epochs continue the float epochs' axis. */
    fun curves(report: RunReport): BufferedImage {
        val float = report.epochsOf(EpochRecord.FLOAT)
        val qat = report.epochsOf(EpochRecord.QAT)
        val floatX = float.indices.map { it + 1.0 }
        val qatX = qat.indices.map { float.size + it + 1.0 }
        val lastX = (float.size + qat.size).toDouble().coerceAtLeast(1.0)
        val firstX = 1.0

        val panelWidth = CURVES_WIDTH / 2
        val panelHeight = CURVES_HEIGHT - TITLE_HEIGHT

        val loss = xyChart(panelWidth, panelHeight, "Training loss", epochAxisTitle(float.size, qat.size), "loss")
        lineSeries(loss, "float", floatX, float.map { it.loss }, BLUE, SeriesMarkers.CIRCLE)
        lineSeries(loss, "QAT", qatX, qat.map { it.loss }, ORANGE, SeriesMarkers.DIAMOND)
        loss.styler.setYAxisDecimalPattern("0.0##")
        noDataNote(loss, float.isEmpty() && qat.isEmpty())

        val acc = xyChart(panelWidth, panelHeight, "Test accuracy", epochAxisTitle(float.size, qat.size),
            "accuracy (%)")
        lineSeries(acc, "float", floatX, float.map { 100 * (it.testAccuracy ?: Double.NaN) }, BLUE, SeriesMarkers.CIRCLE)
        lineSeries(acc, "QAT", qatX, qat.map { 100 * (it.testAccuracy ?: Double.NaN) }, ORANGE, SeriesMarkers.DIAMOND)
        val a = report.accuracy
        if (float.isEmpty() && a.float != null) {
            referenceLine(acc, "float ${pct(a.float)}", firstX, lastX, 100 * a.float, BLUE)
        }
        if (a.ptq != null) {
            referenceLine(acc, "PTQ ${pct(a.ptq)}", firstX, lastX, 100 * a.ptq, RED)
        }
        if (a.finalized != null && a.finalized.isFinite()) {
            val s = acc.addSeries("finalized ${pct(a.finalized)}", doubleArrayOf(lastX), doubleArrayOf(100 * a.finalized))
            s.setMarker(SeriesMarkers.SQUARE)
            s.setMarkerColor(GREEN)
            s.setLineColor(GREEN)
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
        }
        acc.styler.setYAxisDecimalPattern("0.#")
        noDataNote(acc, acc.seriesMap.isEmpty())
        for (chart in listOf(loss, acc)) {
            integerTicks(chart, lastX)
            chart.styler.setLegendPosition(Styler.LegendPosition.OutsideS)
            chart.styler.setLegendLayout(Styler.LegendLayout.Horizontal)
        }

        return compose(CURVES_WIDTH, CURVES_HEIGHT, "${title(report)} — loss and test accuracy per epoch") { g ->
            g.drawImage(BitmapEncoder.getBufferedImage(loss), 0, TITLE_HEIGHT, null)
            g.drawImage(BitmapEncoder.getBufferedImage(acc), panelWidth, TITLE_HEIGHT, null)
        }
    }

    private fun epochAxisTitle(floatEpochs: Int, qatEpochs: Int): String = when {
        floatEpochs > 0 && qatEpochs > 0 -> "epoch (float 1–$floatEpochs, QAT ${floatEpochs + 1}–${floatEpochs + qatEpochs})"
        else -> "epoch"
    }

    private fun integerTicks(chart: XYChart, lastX: Double) {
        chart.styler.setXAxisDecimalPattern("#0")
        chart.styler.setXAxisMin(0.5)
        chart.styler.setXAxisMax(lastX + 0.5)
        // Few epochs: keep ticks at least one epoch apart so integer labels do not repeat.
        val pxPerEpoch = (chart.width - 120) / (lastX + 1)
        chart.styler.setXAxisTickMarkSpacingHint(maxOf(60, pxPerEpoch.toInt() + 1))
    }

    private fun lineSeries(
        chart: XYChart, name: String, x: List<Double>, y: List<Double>, color: Color,
        marker: org.knowm.xchart.style.markers.Marker,
    ) {
        if (y.none { it.isFinite() }) return
        val s = chart.addSeries(name, x, y.map { if (it.isFinite()) it else null })
        s.setLineColor(color)
        s.setMarkerColor(color)
        s.setMarker(marker)
        s.setLineStyle(BasicStroke(2.2f))
    }

    private fun referenceLine(chart: XYChart, name: String, x0: Double, x1: Double, y: Double, color: Color) {
        if (!y.isFinite()) return
        val s = chart.addSeries(name, doubleArrayOf(x0 - 0.5, x1 + 0.5), doubleArrayOf(y, y))
        s.setMarker(SeriesMarkers.NONE)
        s.setLineColor(color)
        s.setLineStyle(BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, floatArrayOf(8f, 5f), 0f))
    }

    private fun noDataNote(chart: XYChart, empty: Boolean) {
        if (!empty) return
        val s = chart.addSeries("no epochs recorded", doubleArrayOf(1.0), doubleArrayOf(0.0))
        s.setMarker(SeriesMarkers.NONE)
        s.setLineColor(Color(0, 0, 0, 0))
    }

    // ---------------------------------------------------------------------------------------------- layers.png

    /**
     * Per layer with weights: the float kernel's histogram with the quantization grid (per tensor) or the grid of
     * the median-threshold channel, plus the per-channel thresholds/ranges as bars (per channel). Below them, the
     * activation thresholds/ranges of every quantized output as bars.
     */
    fun layers(report: RunReport): BufferedImage {
        val weighted = report.layers.filter { it.weights != null }
        val activations = report.layers.filter { it.activation?.let(::activationBounds) != null }
        val slotsPerRow = if (weighted.size <= 1) 1 else 2
        val width = LAYER_SLOT_WIDTH * slotsPerRow
        val rows = (weighted.size + slotsPerRow - 1) / slotsPerRow
        val activationHeight = if (activations.isEmpty()) 0 else ACTIVATION_HEIGHT
        val emptyHeight = if (weighted.isEmpty() && activations.isEmpty()) 120 else 0
        val height = TITLE_HEIGHT + rows * LAYER_SLOT_HEIGHT + activationHeight + emptyHeight

        return compose(width, height, "${title(report)} — per-layer quantization") { g ->
            weighted.forEachIndexed { i, layer ->
                val x0 = (i % slotsPerRow) * LAYER_SLOT_WIDTH
                val y0 = TITLE_HEIGHT + (i / slotsPerRow) * LAYER_SLOT_HEIGHT
                val w = layer.weights!!
                val channels = w.thresholds?.size ?: w.rangeMax?.size ?: 0
                if (w.perChannel == true && channels > 1) {
                    val half = LAYER_SLOT_WIDTH / 2
                    g.drawImage(BitmapEncoder.getBufferedImage(weightHistogram(layer, half)), x0, y0, null)
                    g.drawImage(BitmapEncoder.getBufferedImage(channelBars(layer, half)), x0 + half, y0, null)
                } else {
                    g.drawImage(BitmapEncoder.getBufferedImage(weightHistogram(layer, LAYER_SLOT_WIDTH)), x0, y0, null)
                }
            }
            val yAct = TITLE_HEIGHT + rows * LAYER_SLOT_HEIGHT
            if (activations.isNotEmpty()) {
                g.drawImage(BitmapEncoder.getBufferedImage(activationBars(activations, width)), 0, yAct, null)
            }
            if (emptyHeight > 0) {
                g.color = Color.DARK_GRAY
                g.font = Font(Font.SANS_SERIF, Font.PLAIN, 16)
                g.drawString("The model has no quantized layers.", 20, TITLE_HEIGHT + 60)
            }
        }
    }

    private fun weightsLabel(w: WeightRecord): String {
        val bits = w.bits?.let { "$it-bit" } ?: "?-bit"
        val scope = when (w.perChannel) {
            true -> "per-channel"
            false -> "per-tensor"
            null -> ""
        }
        return listOf(w.method, bits, scope).filter { it.isNotEmpty() }.joinToString(" ")
    }

    /** The histogram of the float kernel with the grid (or its bounds) of one channel drawn over it. */
    private fun weightHistogram(layer: LayerRecord, width: Int): XYChart {
        val w = layer.weights!!
        val title = "${layer.name} (${layer.kind}) · ${weightsLabel(w)}"
        val chart = xyChart(width, LAYER_SLOT_HEIGHT, title, "float weight value", "count")
        fitTitle(chart, title, width)
        chart.styler.setYAxisDecimalPattern("#,##0.#")
        chart.styler.setLegendPosition(Styler.LegendPosition.InsideNE)
        chart.styler.setLegendFont(Font(Font.SANS_SERIF, Font.PLAIN, 11))
        chart.styler.setXAxisDecimalPattern("0.###")
        val h = w.histogram
        var yMax = 1.0
        var xMin = Double.POSITIVE_INFINITY
        var xMax = Double.NEGATIVE_INFINITY
        if (h != null) {
            val xs = h.edges.map { it.toDouble() }
            val ys = h.counts.map { it.toDouble() } + h.counts.last().toDouble()
            val s = chart.addSeries("float weights", xs, ys)
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea)
            s.setMarker(SeriesMarkers.NONE)
            s.setFillColor(HISTOGRAM_FILL)
            s.setLineColor(BLUE)
            s.setLineStyle(BasicStroke(1f))
            yMax = (h.counts.maxOrNull() ?: 1L).toDouble().coerceAtLeast(1.0) * 1.08
            xMin = xs.first()
            xMax = xs.last()
        }
        val grid = w.grid
        if (grid != null) {
            val lines = grid.values.map { it.toDouble() }
            val xs = ArrayList<Double?>()
            val ys = ArrayList<Double?>()
            for (v in lines) {
                if (xs.isNotEmpty()) {
                    xs.add(null); ys.add(null)
                }
                xs.add(v); ys.add(0.0)
                xs.add(v); ys.add(yMax)
            }
            val s = chart.addSeries(gridLabel(w, grid), xs, ys)
            s.setMarker(SeriesMarkers.NONE)
            s.setLineColor(RED)
            s.setLineStyle(if (grid.complete) BasicStroke(1.2f)
            else BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, floatArrayOf(6f, 4f), 0f))
            xMin = minOf(xMin, lines.first())
            xMax = maxOf(xMax, lines.last())
        }
        if (h == null && grid == null) {
            noDataNote(chart, true)
        } else {
            val pad = (xMax - xMin).coerceAtLeast(1e-6) * 0.04
            chart.styler.setXAxisMin(xMin - pad)
            chart.styler.setXAxisMax(xMax + pad)
            chart.styler.setYAxisMin(0.0)
            chart.styler.setYAxisMax(yMax * 1.4) // room for the legend
        }
        return chart
    }

    private fun gridLabel(w: WeightRecord, grid: GridRecord): String {
        val median = if (w.thresholds != null) "median T" else "median range"
        return when {
            grid.channel == null && grid.complete -> "quantization grid: ${grid.levels} levels"
            grid.channel == null -> "clipping range (${grid.levels} levels)"
            grid.complete -> "grid of ch ${grid.channel} ($median): ${grid.levels} levels"
            else -> "range of ch ${grid.channel} ($median), ${grid.levels} levels"
        }
    }

    /** Per-channel thresholds (symmetric family) or ranges (uniform) as bars. */
    private fun channelBars(layer: LayerRecord, width: Int): CategoryChart {
        val w = layer.weights!!
        val values = w.thresholds ?: w.rangeMax!!
        val labelled = values.size <= 16
        val title = "${layer.name}: per-channel ${if (w.thresholds != null) "thresholds" else "ranges"} (${values.size} ch)"
        val axis = w.channelAxis?.let { "channel (axis $it)" } ?: "channel"
        val chart = categoryChart(width, LAYER_SLOT_HEIGHT, title,
            axis + (if (labelled) "" else " 0–${values.size - 1}"),
            if (w.thresholds != null) "threshold" else "range")
        fitTitle(chart, title, width)
        chart.styler.setYAxisDecimalPattern("0.###")
        val categories = values.indices.map { it.toString() }
        if (w.thresholds != null) {
            chart.addSeries("threshold", categories, w.thresholds.map { it.toDouble() }).setFillColor(PURPLE)
            chart.styler.setLegendVisible(false)
        } else {
            chart.styler.setOverlapped(true)
            chart.addSeries("max", categories, w.rangeMax!!.map { it.toDouble() }).setFillColor(PURPLE)
            chart.addSeries("min", categories, w.rangeMin!!.map { it.toDouble() }).setFillColor(ORANGE)
            chart.styler.setLegendPosition(Styler.LegendPosition.InsideNE)
            chart.styler.setLegendLayout(Styler.LegendLayout.Horizontal)
            val top = w.rangeMax.maxOf { it.toDouble() }
            val bottom = w.rangeMin.minOf { it.toDouble() }
            if (top > 0) chart.styler.setYAxisMax(top * 1.5) // room for the legend
            if (bottom < 0) chart.styler.setYAxisMin(bottom * 1.1)
        }
        chart.styler.setAvailableSpaceFill(if (labelled) 0.8 else 1.0)
        chart.styler.setXAxisTicksVisible(labelled)
        return chart
    }

    /** `[lower, upper]` of an activation quantizer's range, or null when unknown. */
    fun activationBounds(a: ActivationRecord): Pair<Double, Double>? = when {
        a.threshold != null -> (if (a.signed == true) -a.threshold.toDouble() else 0.0) to a.threshold.toDouble()
        a.rangeMin != null && a.rangeMax != null -> a.rangeMin.toDouble() to a.rangeMax.toDouble()
        else -> null
    }

    private fun activationBars(layers: List<LayerRecord>, width: Int): CategoryChart {
        val chart = categoryChart(width, ACTIVATION_HEIGHT,
            "Activation quantization: representable range per quantized output (bits in brackets)",
            "quantized output", "value")
        val categories = layers.map { "${it.name} [${it.activation!!.bits ?: "?"}b]" }
        val bounds = layers.map { activationBounds(it.activation!!)!! }
        chart.styler.setOverlapped(true)
        chart.addSeries("upper: threshold / range max", categories, bounds.map { it.second }).setFillColor(GREEN)
        if (bounds.any { it.first != 0.0 }) {
            chart.addSeries("lower: −threshold (signed) / range min", categories, bounds.map { it.first })
                .setFillColor(ORANGE)
        }
        chart.styler.setLegendPosition(Styler.LegendPosition.InsideNE)
        chart.styler.setYAxisDecimalPattern("0.###")
        chart.styler.setAvailableSpaceFill(0.6)
        val longest = categories.maxOf { it.length }
        if (categories.size * (longest * 8 + 10) > width - 120) {
            chart.styler.setXAxisLabelRotation(35)
        }
        val top = bounds.maxOf { it.second }
        val bottom = bounds.minOf { it.first }
        chart.styler.setYAxisMax(if (top > 0) top * 1.3 else 1.0)
        if (bottom < 0) chart.styler.setYAxisMin(bottom * 1.15)
        return chart
    }

    // ---------------------------------------------------------------------------------------------- common

    private fun xyChart(width: Int, height: Int, title: String, xTitle: String, yTitle: String): XYChart {
        val chart = XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
            .build()
        style(chart.styler)
        chart.styler.setMarkerSize(7)
        return chart
    }

    private fun categoryChart(width: Int, height: Int, title: String, xTitle: String, yTitle: String): CategoryChart {
        val chart = CategoryChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
            .yAxisTitle(yTitle).build()
        style(chart.styler)
        chart.styler.setPlotGridVerticalLinesVisible(false)
        return chart
    }

    private fun style(s: AxesChartStyler) {
        s.setChartBackgroundColor(Color.WHITE)
        s.setPlotBackgroundColor(Color.WHITE)
        s.setPlotGridLinesColor(Color(0xdd, 0xdd, 0xdd))
        s.setPlotBorderVisible(true)
        s.setChartTitleFont(Font(Font.SANS_SERIF, Font.BOLD, 15))
        s.setAxisTitleFont(Font(Font.SANS_SERIF, Font.PLAIN, 13))
        s.setAxisTickLabelsFont(Font(Font.SANS_SERIF, Font.PLAIN, 12))
        s.setLegendFont(Font(Font.SANS_SERIF, Font.PLAIN, 12))
        s.setLegendBackgroundColor(Color(255, 255, 255, 220))
        s.setLegendBorderColor(Color(0xbb, 0xbb, 0xbb))
        s.setChartTitleBoxVisible(false)
        s.setLocale(Locale.ROOT)
        s.setAntiAlias(true)
        s.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right)
    }

    /** Sets [title] in the largest bold font from 13 to 10 points that fits [width], cut with an ellipsis if none does. */
    private fun fitTitle(chart: org.knowm.xchart.internal.chartpart.Chart<*, *>, title: String, width: Int) {
        val g = BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
        try {
            val room = width - 16
            var size = 13
            while (size > 10 && g.getFontMetrics(Font(Font.SANS_SERIF, Font.BOLD, size)).stringWidth(title) > room) size--
            val font = Font(Font.SANS_SERIF, Font.BOLD, size)
            val fm = g.getFontMetrics(font)
            var text = title
            while (text.length > 1 && fm.stringWidth(text) > room) text = text.dropLast(2) + "…"
            chart.styler.setChartTitleFont(font)
            chart.setTitle(text)
        } finally {
            g.dispose()
        }
    }

    /** A white image of [width] x [height] with [title] across the top; [draw] adds the charts. */
    private fun compose(width: Int, height: Int, title: String, draw: (java.awt.Graphics2D) -> Unit): BufferedImage {
        val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
        val g = image.createGraphics()
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON)
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON)
            g.color = Color.WHITE
            g.fillRect(0, 0, width, height)
            g.color = Color(0x22, 0x22, 0x22)
            var size = 18
            g.font = Font(Font.SANS_SERIF, Font.BOLD, size)
            while (size > 11 && g.fontMetrics.stringWidth(title) > width - 20) {
                size--
                g.font = Font(Font.SANS_SERIF, Font.BOLD, size)
            }
            val fm = g.fontMetrics
            g.drawString(title, (width - fm.stringWidth(title)) / 2, (TITLE_HEIGHT + fm.ascent - fm.descent) / 2)
            draw(g)
        } finally {
            g.dispose()
        }
        return image
    }

    private fun pct(fraction: Double): String = String.format(Locale.ROOT, "%.2f%%", 100 * fraction)
}
