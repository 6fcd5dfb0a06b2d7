package io.jqi.cli

import io.jqi.cli.report.RunReport
import io.jqi.models.BuiltInModels
import io.jqi.modelfile.ModelFile
import io.jqi.onnx.OnnxImporter
import io.jqi.onnx.export.ExportFormat
import io.jqi.onnx.export.OnnxExporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.tensor.Shape
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.jsonPrimitive
import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path
import java.util.Random
import javax.imageio.ImageIO

/**
 * `jqi qat` and `jqi predict` on data as users have it: an RGB image folder (mixed sizes and formats), a model
 * imported from ONNX fine-tuned without float training, and the errors for broken data.
 */
class UserDataQatSpec : FunSpec({

    val root = Files.createTempDirectory("jqi-user-data")

    /** Noisy images whose dominant colour is their class, of varied sizes, as PNG and JPEG. */
    fun colours(dir: Path, perClass: Int, seed: Long): Path {
        val random = Random(seed)
        val classes = mapOf("red" to 0, "green" to 1, "blue" to 2)
        for ((name, channel) in classes) {
            Files.createDirectories(dir.resolve(name))
            repeat(perClass) { i ->
                val w = 10 + random.nextInt(8)
                val h = 10 + random.nextInt(8)
                val image = BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)
                for (y in 0 until h) for (x in 0 until w) {
                    val c = IntArray(3) { random.nextInt(110) }
                    c[channel] = 140 + random.nextInt(116)
                    image.setRGB(x, y, (c[0] shl 16) or (c[1] shl 8) or c[2])
                }
                val format = if (i % 2 == 0) "png" else "jpg"
                ImageIO.write(image, format, dir.resolve("$name/$i.$format").toFile())
            }
        }
        return dir
    }

    val images = colours(root.resolve("colours"), 30, 1)

    test("an RGB image folder trains, quantizes and exports, and predict classifies image files by class name") {
        val out = root.resolve("run-folder")
        val r = jqi("qat", "--model", "cnn", "--data", images.toString(), "--image-size", "8", "--normalize",
            "0.5/0.25", "--augment", "--float-epochs", "4", "--qat-epochs", "1", "--eval-every", "2",
            "--eval-limit", "10", "--out", out.toString())
        r.code shouldBe 0
        r.out shouldContain "3x8x8"
        r.out shouldContain "not evaluated"
        val report = RunReport.read(out.resolve("report.json"))
        report.accuracy.finalized!! shouldBeGreaterThan 0.8
        report.epochs.first().testAccuracy shouldBe null
        Files.isRegularFile(out.resolve("model-qdq.onnx")) shouldBe true
        OnnxImporter.importFile(out.resolve("model-qdq.onnx")) shouldNotBe null

        val saved = ModelFile.load(out.resolve("model.jqi"))
        (saved.metadata["class_names"] as JsonArray).map { it.jsonPrimitive.content } shouldBe
            listOf("blue", "green", "red")
        val p = jqi("predict", "--model", out.resolve("model.jqi").toString(), "--images",
            images.resolve("red/0.png").toString(), images.resolve("blue/1.jpg").toString())
        p.code shouldBe 0
        val lines = p.out.trim().lines()
        lines[0].split("\t")[2] shouldBe "red"
        lines[1].split("\t")[2] shouldBe "blue"
    }

    test("an imported ONNX model fine-tunes without float training, at its own input size, with warnings") {
        val model = BuiltInModels.create("cnn", intArrayOf(3, 12, 12), 3, 0).eval()
        val onnx = root.resolve("pretrained.onnx")
        OnnxCodec.write(OnnxExporter.export(model, Shape.of(3, 12, 12), ExportFormat.QDQ), onnx)
        val out = root.resolve("run-onnx")
        val r = jqi("qat", "--model", onnx.toString(), "--data", images.toString(), "--qat-epochs", "1",
            "--out", out.toString())
        r.code shouldBe 0
        r.out shouldContain "3x12x12"
        r.out shouldContain "--normalize imagenet"
        r.out shouldNotContain "float epoch"
        Files.isRegularFile(out.resolve("model-qdq.onnx")) shouldBe true

        // An MLP has no normalization layers, like a CNN exported with its batch norms folded.
        val mlp = root.resolve("mlp.onnx")
        OnnxCodec.write(OnnxExporter.export(BuiltInModels.create("mlp", intArrayOf(3, 12, 12), 3, 0).eval(),
            Shape.of(3, 12, 12), ExportFormat.QDQ), mlp)
        val floatRun = jqi("qat", "--model", mlp.toString(), "--data", images.toString(), "--float-epochs", "1",
            "--qat-epochs", "1", "--normalize", "0.5/0.25", "--out", root.resolve("run-onnx-float").toString())
        floatRun.code shouldBe 0
        floatRun.out shouldContain "no batch or layer normalization left"
        floatRun.out shouldContain "using --lr 0.001"
    }

    test("a train/ and test/ folder pair is used as the split; differing classes are refused") {
        val split = root.resolve("split")
        colours(split.resolve("train"), 6, 2)
        colours(split.resolve("test"), 3, 3)
        val r = jqi("qat", "--model", "mlp", "--data", split.toString(), "--image-size", "6", "--float-epochs", "1",
            "--qat-epochs", "1", "--out", root.resolve("run-split").toString())
        r.code shouldBe 0
        r.out shouldContain "18 train / 9 test"

        Files.createDirectories(split.resolve("test/purple"))
        ImageIO.write(BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB), "png", split.resolve("test/purple/x.png").toFile())
        val bad = jqi("qat", "--model", "mlp", "--data", split.toString(), "--image-size", "6",
            "--out", root.resolve("run-split-bad").toString())
        bad.code shouldBe Jqi.BAD_INPUT
        bad.err shouldContain "same class subfolders"
    }

    test("a damaged image is an error naming the file, not a crash") {
        val broken = root.resolve("broken")
        colours(broken, 3, 4)
        val file = broken.resolve("red/1.jpg")
        val bytes = Files.readAllBytes(file)
        Files.write(file, bytes.copyOf(bytes.size / 3))
        val r = jqi("qat", "--model", "mlp", "--data", broken.toString(), "--image-size", "6", "--float-epochs", "1",
            "--qat-epochs", "0", "--out", root.resolve("run-broken").toString())
        r.code shouldBe Jqi.BAD_INPUT
        r.err shouldContain file.toString()
    }

    /** One array in .npy format version 1: the header dict padded to a multiple of 64 bytes, then the values. */
    fun npy(descr: String, shape: List<Int>, values: ByteArray): ByteArray {
        var header = "{'descr': '$descr', 'fortran_order': False, 'shape': (${shape.joinToString(", ")},), }"
        while ((10 + header.length + 1) % 64 != 0) header += " "
        header += "\n"
        val out = java.io.ByteArrayOutputStream()
        out.write(byteArrayOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(),
            'P'.code.toByte(), 'Y'.code.toByte(), 1, 0, (header.length and 0xff).toByte(), (header.length shr 8).toByte()))
        out.write(header.toByteArray(Charsets.ISO_8859_1))
        out.write(values)
        return out.toByteArray()
    }

    test("a NumPy archive of channels-last uint8 images with x and y arrays trains on a stratified split") {
        val n = 20
        val x = ByteArray(n * 6 * 6 * 3) { (it * 7 % 256).toByte() }
        val y = ByteArray(n) { (it % 2).toByte() }
        val npz = root.resolve("data.npz")
        java.util.zip.ZipOutputStream(Files.newOutputStream(npz)).use { zip ->
            zip.putNextEntry(java.util.zip.ZipEntry("x.npy"))
            zip.write(npy("|u1", listOf(n, 6, 6, 3), x))
            zip.putNextEntry(java.util.zip.ZipEntry("y.npy"))
            zip.write(npy("|u1", listOf(n), y))
        }
        val r = jqi("qat", "--model", "mlp", "--data", npz.toString(), "--float-epochs", "1", "--qat-epochs", "1",
            "--batch", "4", "--out", root.resolve("run-npz").toString())
        r.code shouldBe 0
        r.out shouldContain "16 train / 4 test, 3x6x6"
    }
})
