package io.jqi.cli

import io.jqi.cli.report.DistillationInfo
import io.jqi.cli.report.RunReport
import io.jqi.cuda.CudaProbe
import io.jqi.data.MnistFormat
import io.jqi.modelfile.ModelFile
import io.jqi.nn.GraphModel
import io.jqi.qat.mixed.ActivationMemory
import io.jqi.quant.inferable.InferableQuantizer
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import java.nio.file.Path

/** `jqi qat` end to end on the embedded digits: phases, report, saved model, resume, and its errors. */
class QatCommandSpec : FunSpec({

    val runs = Files.createTempDirectory("jqi-qat")

    val quick = arrayOf("--model", "mlp", "--float-epochs", "3", "--qat-epochs", "2")

    test("the default demo (no arguments but --out) runs on the embedded digits") {
        val out = runs.resolve("default")
        val r = jqi("qat", "--out", out.toString())
        r.code shouldBe 0
        RunReport.read(out.resolve("report.json")).accuracy.finalized!! shouldBeGreaterThan 0.9
    }

    test("a reduced Fashion-MNIST run (a subset, one epoch each) learns")
        .config(enabledIf = { MnistFormat.isPresent(MnistFormat.DEBIAN_FASHION_MNIST) }) {
        val out = runs.resolve("fashion")
        val r = jqi("qat", "--dataset", "fashion-mnist", "--subset", "3000", "--float-epochs", "1", "--qat-epochs", "1",
            "--out", out.toString())
        r.code shouldBe 0
        val report = RunReport.read(out.resolve("report.json"))
        report.accuracy.float!! shouldBeGreaterThan 0.6
        report.accuracy.finalized!! shouldBeGreaterThan 0.6
    }

    test("a run trains, quantizes, finalizes and leaves a report and a loadable model") {
        val out = runs.resolve("full")
        val r = jqi("qat", *quick, "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "finalized"
        for (file in listOf("report.json", "report.md", "curves.png", "layers.png", "model.jqi", "float.jqi")) {
            Files.isRegularFile(out.resolve(file)).shouldBeTrue()
        }
        val report = RunReport.read(out.resolve("report.json"))
        report.accuracy.float!! shouldBeGreaterThan 0.8
        report.accuracy.finalized shouldBe report.accuracy.qat
        report.epochs.size shouldBe 5
        ModelFile.load(out.resolve("model.jqi")).model.namedChildren().isNotEmpty().shouldBeTrue()

        val inspected = jqi("inspect", out.resolve("model.jqi").toString())
        inspected.code shouldBe 0
        inspected.out shouldContain "weights SYMMETRIC 8-bit per-channel"
        inspected.out shouldContain "model input 'input': output POWER_OF_TWO 8-bit unsigned"
        jqi("inspect", out.resolve("float.jqi").toString()).out shouldContain "not quantized"
    }

    test("--spark local[2] trains both phases data-parallel on two workers and leaves the same kind of run") {
        val out = runs.resolve("spark")
        val r = jqi("qat", *quick, "--spark", "local[2]", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "float on Spark, 2 workers"
        r.out shouldContain "qat on Spark, 2 workers"
        val report = RunReport.read(out.resolve("report.json"))
        report.epochs.size shouldBe 5
        report.device shouldBe "cpu (Spark local[2], 2 workers)"
        report.accuracy.float!! shouldBeGreaterThan 0.8
        report.accuracy.finalized!! shouldBeGreaterThan 0.8
        Files.isRegularFile(out.resolve("model.jqi")).shouldBeTrue()
    }

    test("--spark refuses what it does not run yet, and a batch the workers cannot share") {
        jqi("qat", *quick, "--spark", "local[2]", "--augment").err shouldContain "--spark does not take --augment yet"
        jqi("qat", *quick, "--spark", "local[2]", "--batch", "63").err shouldContain
            "--batch (63) must be a multiple of the Spark workers (2)"
        jqi("qat", *quick, "--spark-workers", "2").err shouldContain "--spark-workers needs --spark"
    }

    test("an interrupted run resumed with --resume ends exactly as an uninterrupted one") {
        val straight = runs.resolve("straight")
        val resumed = runs.resolve("resumed")
        jqi("qat", *quick, "--out", straight.toString()).code shouldBe 0

        val first = jqi("qat", *quick, "--out", resumed.toString(), "--stop-after", "2")
        first.code shouldBe 0
        first.out shouldContain "--resume"
        jqi("qat", *quick, "--out", resumed.toString(), "--resume", "--stop-after", "2").code shouldBe 0
        jqi("qat", *quick, "--out", resumed.toString(), "--resume").code shouldBe 0

        val a = RunReport.read(straight.resolve("report.json"))
        val b = RunReport.read(resumed.resolve("report.json"))
        b.accuracy shouldBe a.accuracy
        b.epochs.map { it.loss to it.testAccuracy } shouldBe a.epochs.map { it.loss to it.testAccuracy }
        Files.readAllBytes(resumed.resolve("model.jqi")).contentEquals(Files.readAllBytes(straight.resolve("model.jqi")))
            .shouldBeTrue()
    }

    test("--distill-weight trains the QAT phase against the float model too, and the report says so") {
        val out = runs.resolve("distilled")
        val r = jqi("qat", *quick, "--distill-weight", "0.5", "--distill-temperature", "2", "--out", out.toString())

        r.code shouldBe 0
        val report = RunReport.read(out.resolve("report.json"))
        report.distillation shouldBe DistillationInfo(2.0, 0.5)
        report.accuracy.finalized!! shouldBeGreaterThan 0.8
        Files.readString(out.resolve("report.md")) shouldContain "from the float model, temperature 2, weight 0.5"
        jqi("table", out.toString()).out shouldContain "w8a8 + KD T=2 w=0.5"
        // The same run without distillation ends elsewhere: the soft loss changed the QAT steps.
        val plain = RunReport.read(runs.resolve("full").resolve("report.json"))
        report.distillation shouldNotBe plain.distillation
        report.epochs.last().loss shouldNotBe plain.epochs.last().loss
    }

    /** The saved model's quantized kernels, recounted from its file: (bits used, bits at 8 bits, the widths). */
    fun kernelMemory(model: Path): Triple<Long, Long, Set<Int>> {
        val saved = ModelFile.load(model).model
        var used = 0L
        var eightBits = 0L
        val widths = mutableSetOf<Int>()
        for (module in saved.namedModules().values) {
            if (module is QuantizationWrapper) {
                val bits = (module.weightQuantizers()["weight"] as InferableQuantizer).spec().bits()
                val weights = module.layer().parameters()[0].numel().toLong()
                used += weights * bits
                eightBits += weights * 8
                widths += bits
            }
        }
        return Triple(used, eightBits, widths)
    }

    /** The saved model's activation memory, counted by one pass over an example of the run's input shape. */
    fun activationMemory(out: Path, report: RunReport): ActivationMemory = ActivationMemory.of(
        ModelFile.load(out.resolve("model.jqi")).model as GraphModel,
        Tensor.zeros(1, *report.dataset.inputShape.toIntArray()))

    test("--weights-memory picks bits per layer whose saved kernels fit the budget as the report states") {
        val out = runs.resolve("mixed")
        val r = jqi("qat", *quick, "--weights-memory", "0.5", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "mixed precision:"
        val (used, eightBits, widths) = kernelMemory(out.resolve("model.jqi"))
        (used * 2 <= eightBits).shouldBeTrue()
        val report = RunReport.read(out.resolve("report.json"))
        report.weightsMemory shouldBe 0.5
        report.weightsMemoryUsed shouldBe used.toDouble() / eightBits
        jqi("table", out.toString()).out shouldContain "w8a8 + MP 0.5"
        widths.all { it in setOf(2, 4, 8) }.shouldBeTrue()
        jqi("qat", *quick, "--weights-memory", "0").err shouldContain "--weights-memory must be in (0, 2]"
    }

    test("--bit-ops holds the chosen widths' bit operations to the budget, and the report gives both") {
        val out = runs.resolve("bitops")
        val r = jqi("qat", *quick, "--bit-ops", "0.5", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "bit operations"
        val report = RunReport.read(out.resolve("report.json"))
        report.bitOps shouldBe 0.5
        (report.bitOpsUsed!! <= 0.5).shouldBeTrue()
        jqi("table", out.toString()).out shouldContain "w8a8 + BOPs 0.5"
        jqi("qat", *quick, "--bit-ops", "3").err shouldContain "--bit-ops must be in (0, 2]"
    }

    test("--activation-memory picks activation bits whose saved quantizers fit the budget as the report states") {
        val out = runs.resolve("activation-memory")
        val r = jqi("qat", *quick, "--activation-memory", "0.5", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "| activation | bits |"
        val report = RunReport.read(out.resolve("report.json"))
        val memory = activationMemory(out, report)
        (memory.bits() * 2 <= memory.eightBitBits()).shouldBeTrue()
        memory.bitsPerValue().values.any { it < 8 }.shouldBeTrue()
        report.activationMemory shouldBe 0.5
        report.activationMemoryUsed shouldBe memory.relativeTo8Bits()
        report.weightsMemoryUsed shouldBe 1.0   // the kernels keep the preset's 8 bits
        jqi("table", out.toString()).out shouldContain "w8a8 + AM 0.5"
        jqi("qat", *quick, "--activation-memory", "2.5").err shouldContain "--activation-memory must be in (0, 2]"
    }

    test("--total-memory holds kernels and activations together to the budget, recounted from the saved model") {
        val out = runs.resolve("total-memory")
        val r = jqi("qat", *quick, "--total-memory", "0.4", "--out", out.toString())

        r.code shouldBe 0
        val report = RunReport.read(out.resolve("report.json"))
        val activations = activationMemory(out, report)
        val (used, eightBits, _) = kernelMemory(out.resolve("model.jqi"))
        val total = (used + activations.bits()).toDouble() / (eightBits + activations.eightBitBits())
        (total <= 0.4).shouldBeTrue()
        report.totalMemory shouldBe 0.4
        report.totalMemoryUsed shouldBe total
        out.resolve("report.md").toFile().readText() shouldContain "0.4 of the 8-bit total memory"
    }

    test("under --spark a memory budget is searched on the driver and the workers train at its widths") {
        val out = runs.resolve("spark-total-memory")
        val r = jqi("qat", *quick, "--spark", "local[2]", "--total-memory", "0.5", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldContain "| activation | bits |"
        val report = RunReport.read(out.resolve("report.json"))
        val activations = activationMemory(out, report)
        val (used, eightBits, _) = kernelMemory(out.resolve("model.jqi"))
        report.totalMemoryUsed shouldBe (used + activations.bits()).toDouble() / (eightBits + activations.eightBitBits())
        (report.totalMemoryUsed!! <= 0.5).shouldBeTrue()
        report.accuracy.finalized!! shouldBeGreaterThan 0.5
    }

    test("with HMQ, --weights-memory is a training penalty and the learnt widths fit the budget as reported") {
        val out = runs.resolve("hmq")
        val config = Path.of("..", "examples", "qat-hmq.json")   // the module directory is the working directory
        val r = jqi("qat", "--model", "mlp", "--float-epochs", "3", "--qat-epochs", "3", "--config", config.toString(),
            "--weights-memory", "0.4", "--out", out.toString())

        r.code shouldBe 0
        r.out shouldNotContain "mixed precision:"
        val (used, eightBits, widths) = kernelMemory(out.resolve("model.jqi"))
        (used <= 0.4 * eightBits).shouldBeTrue()
        RunReport.read(out.resolve("report.json")).weightsMemoryUsed shouldBe used.toDouble() / eightBits
        widths.all { it in setOf(2, 4, 8) }.shouldBeTrue()
        Files.isRegularFile(out.resolve("model-qdq.onnx")).shouldBeTrue()   // exported like any other model
    }

    test("distillation settings out of range are refused with what is allowed") {
        jqi("qat", *quick, "--distill-weight", "1.5").err shouldContain "--distill-weight must be in [0, 1]"
        jqi("qat", *quick, "--distill-temperature", "2").err shouldContain "needs --distill-weight above 0"
        jqi("qat", *quick, "--distill-weight", "0.5", "--distill-temperature", "0").err shouldContain
            "--distill-temperature must be a number above 0"
    }

    test("starting over a directory that holds a run without --resume is refused") {
        val r = jqi("qat", *quick, "--out", runs.resolve("full").toString())
        r.code shouldBe Jqi.BAD_INPUT
        r.err shouldContain "--resume"
    }

    test("an unknown preset names the presets") {
        val r = jqi("qat", "--preset", "w3a3", "--out", runs.resolve("bad").toString())
        r.code shouldBe Jqi.BAD_INPUT
        r.err shouldContain "w8a8, w4a8, w4a4, w2a3"
    }

    test("a missing dataset directory says how to get Fashion-MNIST") {
        val r = jqi("qat", "--dataset", "fashion-mnist", "--data", runs.resolve("nowhere").toString())
        r.code shouldBe Jqi.BAD_INPUT
        r.err shouldContain "dataset-fashion-mnist"
    }

    test("--device cuda without a usable GPU is a clear error")
        .config(enabledIf = { !CudaProbe.probe().available() }) {
        val r = jqi("qat", "--device", "cuda")
        r.code shouldBe Jqi.BAD_INPUT
        r.err shouldContain "--device cpu"
    }
})
