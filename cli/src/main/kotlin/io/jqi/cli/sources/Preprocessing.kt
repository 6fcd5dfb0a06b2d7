package io.jqi.cli.sources

import io.jqi.data.ImageFolder
import io.jqi.data.Transform
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlin.math.roundToInt

/**
 * How raw inputs became the model's inputs in `jqi qat`: for images, the channels, resize and center crop, and the
 * per-channel normalization. It is saved in the model's metadata (`preprocessing`), so that `jqi predict` on image
 * files prepares them exactly as training did.
 */
@Serializable
data class Preprocessing(
    val channels: Int? = null,
    val resize: Int? = null,
    @SerialName("center_crop") val centerCrop: Int? = null,
    val mean: List<Float>? = null,
    val std: List<Float>? = null,
) {
    fun normalizedBy(mean: FloatArray, std: FloatArray) = copy(mean = mean.toList(), std = std.toList())

    /** The reader options of image files, or null where the data were not images. */
    fun imageOptions(): ImageFolder.Options? =
        channels?.let { ImageFolder.Options(it, resize ?: 0, centerCrop ?: 0) }

    /** The normalization, or null. */
    fun normalization(): Transform? =
        if (mean != null && std != null) Transform.normalize(mean.toFloatArray(), std.toFloatArray()) else null

    fun toJson(): JsonElement = JSON.encodeToJsonElement(serializer(), this)

    companion object {
        val NONE = Preprocessing()
        private val JSON = Json { explicitNulls = false }

        fun images(options: ImageFolder.Options) = Preprocessing(options.channels(),
            options.resize().takeIf { it > 0 }, options.centerCrop().takeIf { it > 0 })

        /** The preprocessing a saved model's metadata records, or null for a model saved without one. */
        fun of(metadata: JsonObject): Preprocessing? =
            metadata["preprocessing"]?.let { JSON.decodeFromJsonElement(serializer(), it) }
    }
}

/** The command-line options that say how images are read and normalized (`--channels`, `--image-size`, ...). */
data class ImageOptions(
    val channels: Int? = null,
    val imageSize: Int? = null,
    val normalize: String? = null,
    val augment: Boolean = false,
) {
    init {
        channels?.let { require(it == 1 || it == 3) { "--channels must be 1 or 3, got $it" } }
        imageSize?.let { require(it in 1..4096) { "--image-size must be between 1 and 4096 pixels, got $it" } }
    }

    /**
     * Reader options: the channels and size given, else those of the model's input `[C, H, W]` ([expected]), else RGB
     * at the images' own size. A size `s` is torchvision's evaluation transform: resize the shorter side to `8s/7`
     * (256 for 224), then crop the central `s x s`.
     */
    fun folderOptions(expected: IntArray?): ImageFolder.Options {
        val c = channels ?: expected?.takeIf { it.size == 3 && (it[0] == 1 || it[0] == 3) }?.get(0) ?: 3
        val size = imageSize ?: expected?.takeIf { it.size == 3 && it[1] == it[2] }?.get(1)
            ?: return ImageFolder.Options(c, 0, 0)
        return ImageFolder.Options(c, (size * 8.0 / 7).roundToInt(), size)
    }

    /** The channel means `--normalize` gives for [channels]-channel images, or null for no normalization. */
    fun mean(channels: Int): FloatArray? = parsed(channels)?.first

    fun std(channels: Int): FloatArray? = parsed(channels)?.second

    private fun parsed(channels: Int): Pair<FloatArray, FloatArray>? {
        val text = normalize?.trim() ?: return null
        if (text == "none") return null
        if (text == "imagenet") {
            require(channels == 3) { "--normalize imagenet is for RGB images; these have $channels channel(s)" }
            return floatArrayOf(0.485f, 0.456f, 0.406f) to floatArrayOf(0.229f, 0.224f, 0.225f)
        }
        val parts = text.split("/")
        val numbers = parts.map { part -> part.split(",").map { it.trim().toFloatOrNull() } }
        require(parts.size == 2 && numbers.all { n -> n.all { it != null } } && numbers[0].size == numbers[1].size &&
            (numbers[0].size == 1 || numbers[0].size == channels)) {
            "--normalize must be none, imagenet or MEANS/STDS with one number or one per channel ($channels), " +
                "e.g. 0.5/0.25 or 0.485,0.456,0.406/0.229,0.224,0.225; got '$text'"
        }
        return numbers[0].map { it!! }.toFloatArray() to numbers[1].map { it!! }.toFloatArray()
    }
}
