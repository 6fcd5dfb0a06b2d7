package io.jqi.cli.report

import java.util.Locale

/** Number formatting shared by the Markdown report and the console table (locale-independent). */
internal object Formats {
    const val MISSING = "—"

    /** A fraction as a percentage, `97.22 %`. */
    fun percent(fraction: Double?): String = when {
        fraction == null -> MISSING
        !fraction.isFinite() -> fraction.toString()
        else -> String.format(Locale.ROOT, "%.2f %%", 100 * fraction)
    }

    /** The difference of two fractions in percentage points, `-1.25`, or empty when either is missing. */
    fun points(fraction: Double?, reference: Double?): String =
        if (fraction == null || reference == null || !fraction.isFinite() || !reference.isFinite()) ""
        else String.format(Locale.ROOT, "%+.2f", 100 * (fraction - reference))

    /** Seconds as `0.42 s`, `12.3 s`, `2 min 05 s` or `1 h 02 min`. */
    fun duration(seconds: Double?): String = when {
        seconds == null -> MISSING
        !seconds.isFinite() -> seconds.toString()
        seconds < 10 -> String.format(Locale.ROOT, "%.2f s", seconds)
        seconds < 60 -> String.format(Locale.ROOT, "%.1f s", seconds)
        seconds < 3600 -> {
            val s = Math.round(seconds)
            String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
        }
        else -> {
            val m = Math.round(seconds / 60)
            String.format(Locale.ROOT, "%d h %02d min", m / 60, m % 60)
        }
    }

    /** A rate with thousands separators, `12,345`. */
    fun rate(perSecond: Double?): String = when {
        perSecond == null -> MISSING
        !perSecond.isFinite() -> perSecond.toString()
        perSecond < 100 -> String.format(Locale.ROOT, "%.1f", perSecond)
        else -> String.format(Locale.ROOT, "%,.0f", perSecond)
    }

    /** A loss or parameter value with four significant digits. */
    fun number(value: Double?): String = when {
        value == null -> MISSING
        !value.isFinite() -> value.toString()
        value == 0.0 -> "0"
        else -> String.format(Locale.ROOT, "%.4g", value).let(::trimZeros)
    }

    fun number(value: Float?): String = number(value?.toDouble())

    /** `min · median · max` of [values], or the value itself when there is one. */
    fun spread(values: List<Float>): String {
        if (values.isEmpty()) return MISSING
        if (values.size == 1) return number(values[0])
        val sorted = values.sorted()
        return "${number(sorted.first())} · ${number(sorted[(sorted.size - 1) / 2])} · ${number(sorted.last())}"
    }

    private fun trimZeros(s: String): String {
        if ('e' in s || '.' !in s) return s
        return s.trimEnd('0').trimEnd('.')
    }
}
