package io.jqi.json

import io.jqi.tensor.FloatFormat
import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonPrimitive
import java.nio.file.Path

/**
 * Tensors as JSON: a number (rank 0) or nested arrays of numbers (rank 1 to 6), row-major. `"NaN"`, `"Infinity"`
 * and `"-Infinity"` are accepted as strings, and written that way, since JSON has no such numbers. Numbers are
 * written in shortest round-trip form, so reading back gives the same float32 bits.
 */
object TensorJson {
    const val MAX_RANK = 6
    private val specials = mapOf("NaN" to Float.NaN, "Infinity" to Float.POSITIVE_INFINITY,
        "-Infinity" to Float.NEGATIVE_INFINITY)

    @JvmStatic
    @JvmOverloads
    fun read(text: String, source: String = "input"): Tensor {
        val root = JsonText.parse(text, source)
        val dims = ArrayList<Int>()
        var probe: JsonElement = root
        while (probe is JsonArray) {
            dims += probe.size
            if (dims.size > MAX_RANK) {
                throw JsonFormatException("$source: arrays nest deeper than rank $MAX_RANK at ${"$"}${"[0]".repeat(MAX_RANK)}")
            }
            if (probe.isEmpty()) break
            probe = probe[0]
        }
        val shape = Shape.of(*dims.toIntArray())
        val values = FloatArray(shape.numel())
        var next = 0
        fun visit(element: JsonElement, depth: Int, path: String) {
            if (depth < dims.size) {
                if (element !is JsonArray || element.size != dims[depth]) {
                    throw JsonFormatException("$source: expected an array of ${dims[depth]} elements at $path "
                        + "(the shape is ${dims} from the first elements), found ${sizeOf(element)}")
                }
                element.forEachIndexed { i, child -> visit(child, depth + 1, "$path[$i]") }
            } else {
                values[next++] = scalar(element, source, path)
            }
        }
        visit(root, 0, "$")
        return Tensor.wrap(values, shape)
    }

    @JvmStatic
    fun readFile(path: Path): Tensor = read(JsonText.read(path), path.toString())

    /** Nested arrays on one line. */
    @JvmStatic
    fun write(tensor: Tensor): String {
        val dims = tensor.shape().toArray()
        val values = tensor.toFloatArray()
        val out = StringBuilder(values.size * 8 + 16)
        var next = 0
        fun emit(depth: Int) {
            if (depth == dims.size) {
                out.append(number(values[next++]))
                return
            }
            out.append('[')
            for (i in 0 until dims[depth]) {
                if (i > 0) out.append(',')
                emit(depth + 1)
            }
            out.append(']')
        }
        emit(0)
        return out.toString()
    }

    @JvmStatic
    fun writeFile(path: Path, tensor: Tensor) = JsonText.writeAtomically(path, write(tensor) + "\n")

    internal fun number(value: Float): String {
        val text = FloatFormat.shortest(value)
        return if (value.isFinite()) text else "\"$text\""
    }

    private fun scalar(element: JsonElement, source: String, path: String): Float {
        if (element is JsonPrimitive && element.isString) {
            return specials[element.content] ?: throw JsonFormatException("$source: expected a number at $path, "
                + "found the string \"${element.content}\" (only \"NaN\", \"Infinity\" and \"-Infinity\" are "
                + "accepted as strings)")
        }
        if (!JsonText.isNumber(element)) {
            throw JsonFormatException("$source: expected a number at $path, found ${JsonText.describe(element)}")
        }
        val value = JsonText.toFloat(element as JsonPrimitive)
        if (value.isInfinite()) {
            throw JsonFormatException("$source: ${element.content} at $path is outside the float32 range; write "
                + "\"Infinity\" or \"-Infinity\" if you mean it")
        }
        return value
    }

    private fun sizeOf(element: JsonElement): String =
        if (element is JsonArray) "an array of ${element.size}" else JsonText.describe(element)
}
