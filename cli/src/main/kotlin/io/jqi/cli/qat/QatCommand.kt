package io.jqi.cli.qat

import io.jqi.cli.report.Accuracies
import io.jqi.cli.report.DatasetInfo
import io.jqi.cli.report.EpochRecord
import io.jqi.cli.report.LayerRecords
import io.jqi.cli.report.PhaseTiming
import io.jqi.cli.report.ReportWriter
import io.jqi.cli.report.RunReport
import io.jqi.cli.report.SummaryTable
import io.jqi.data.DataLoader
import io.jqi.modelfile.ModelFile
import io.jqi.json.QatConfigJson
import io.jqi.models.BuiltInModels
import io.jqi.nn.Module
import io.jqi.nn.optim.Adam
import io.jqi.nn.optim.CosineAnnealingLR
import io.jqi.nn.optim.Optimizer
import io.jqi.ptq.InferableQuantizerSource
import io.jqi.ptq.Ptq
import io.jqi.ptq.RepresentativeData
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.Qat
import io.jqi.qat.QatConfig
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.tensor.Device
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import picocli.CommandLine.Command
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Option
import picocli.CommandLine.Spec
import java.io.PrintWriter
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.LocalDateTime
import java.time.format.DateTimeFormatter
import java.util.concurrent.Callable

/**
 * `jqi qat`: trains a float model (or loads one), quantizes it post-training, runs quantization-aware training,
 * finalizes, evaluates every stage on held-out data, and writes a report, checkpoints and the finalized model.
 */
@Command(
    name = "qat", mixinStandardHelpOptions = true, sortOptions = false,
    description = ["Train, quantize (PTQ), quantization-aware train and finalize a model, with a report.",
        "Defaults: the embedded 8x8 digits, the cnn model, preset w8a8; under a minute on 2 cores."],
)
class QatCommand : Callable<Int> {
    @Spec
    lateinit var spec: CommandSpec

    @Option(names = ["--dataset"], paramLabel = "NAME", description = ["digits (embedded, default) or fashion-mnist"])
    var dataset: String = "digits"

    @Option(names = ["--data"], paramLabel = "DIR|FILE",
        description = ["A directory of MNIST-format IDX files, or a CSV file (label first, then pixels)"])
    var data: Path? = null

    @Option(names = ["--model"], paramLabel = "NAME|FILE", description = ["mlp, cnn (default), resnet, a saved jqi model, or a float ONNX model (.onnx)"])
    var model: String = "cnn"

    @Option(names = ["--preset"], paramLabel = "NAME", description = ["w8a8 (default), w4a8, w4a4 (LSQ) or w2a3"])
    var preset: String = "w8a8"

    @Option(names = ["--config"], paramLabel = "FILE", description = ["A QAT config (JSON) that replaces the preset"])
    var config: Path? = null

    @Option(names = ["--float-epochs"], paramLabel = "N",
        description = ["Float training epochs (default 20 for digits, 8 for other data, 0 for a loaded model)"])
    var floatEpochs: Int? = null

    @Option(names = ["--qat-epochs"], paramLabel = "N", description = ["QAT epochs (default 5 for digits, 3 for other data)"])
    var qatEpochs: Int? = null

    @Option(names = ["--batch"], paramLabel = "N", description = ["Batch size (default 64)"])
    var batch: Int = 64

    @Option(names = ["--lr"], paramLabel = "X", description = ["Float learning rate (Adam, cosine schedule; default 0.01)"])
    var lr: Double = 0.01

    @Option(names = ["--qat-lr"], paramLabel = "X",
        description = ["QAT learning rate (default: --lr / 100 for w8a8, --lr / 10 otherwise)"])
    var qatLr: Double? = null

    @Option(names = ["--device"], paramLabel = "auto|cpu|cuda", description = ["Where to train (default auto)"])
    var device: String = "auto"

    @Option(names = ["--seed"], paramLabel = "N", description = ["Seed of initialisation, shuffling and splits (default 0)"])
    var seed: Long = 0

    @Option(names = ["--out"], paramLabel = "DIR", description = ["Output directory (default runs/<timestamp>)"])
    var out: Path? = null

    @Option(names = ["--resume"], description = ["Continue the interrupted run in --out (default: the latest in runs/)"])
    var resume: Boolean = false

    @Option(names = ["--subset"], paramLabel = "N", description = ["Train on the first N training examples only (quick checks)"])
    var subset: Int? = null

    @Option(names = ["--stop-after"], hidden = true, paramLabel = "N",
        description = ["Stop after N epochs in all, as if interrupted (tests resume)"])
    var stopAfter: Int? = null

    override fun call(): Int {
        val console = spec.commandLine().out
        validateOptions()
        val loaded = DataSources.load(dataset, data, seed, subset)
        val qatConfig = config?.let { QatConfigJson.readFile(it) } ?: Presets.config(preset)
        val presetName = if (config != null) "config:${config!!.fileName}" else preset
        val floatN = floatEpochs ?: if (model in BuiltInModels.NAMES) loaded.defaultFloatEpochs else 0
        val qatN = qatEpochs ?: loaded.defaultQatEpochs
        val dir = outputDirectory()
        Files.createDirectories(dir)
        val qatRate = qatLr ?: (lr * Presets.qatLrFactor(if (config != null) "" else preset))
        val fingerprint = listOf(loaded.name, loaded.source, model, QatConfigJson.write(qatConfig), floatN, qatN, batch,
            lr, qatRate, seed, subset).joinToString("|")

        val checkpoint = if (resume) Checkpoint.load(dir)
            ?: throw IllegalArgumentException("Nothing to resume in $dir: it has no checkpoint") else null
        if (checkpoint != null && checkpoint.progress.fingerprint != fingerprint) {
            throw IllegalArgumentException("The run in $dir was started with other options; resume it with the same "
                + "options, or start a new run with another --out")
        }
        if (!resume && Checkpoint.load(dir) != null) {
            throw IllegalArgumentException("$dir already holds a run; add --resume to continue it, or choose another --out")
        }
        console.println("jqi qat: ${loaded.name} (${loaded.split.train().size()} train / ${loaded.split.test().size()} " +
            "test, ${loaded.inputShape.joinToString("x")}), model $model, $presetName, seed $seed, out $dir" +
            (if (checkpoint != null) ", resuming after ${checkpoint.progress.phase} epoch ${checkpoint.progress.epochsDone}" else ""))

        val trainingDevice = Devices.resolve(device, console)
        val run = Run(dir, fingerprint, console, stopAfter)
        val loader = DataLoader(loaded.split.train(), batch, true, seed, false)
        // Training runs on the chosen device (models move before optimizer state is restored onto them); analysis,
        // finalization and files work on the CPU.
        val floatModel = initialModel(loaded).to(trainingDevice)
        run.restore(checkpoint)

        // Float training (skipped for a loaded model that asks for no epochs).
        val floatOptimizer = Adam(floatModel.parameters(), lr)
        val floatSchedule = CosineAnnealingLR(floatOptimizer, maxOf(floatN, 1), 0.0)
        if (checkpoint != null) {
            floatModel.loadStateDict(checkpoint.section("float"))
            if (checkpoint.progress.phase == EpochRecord.FLOAT) floatOptimizer.loadStateDict(checkpoint.section("optimizer"))
        }
        val floatDone = run.epochsDone(EpochRecord.FLOAT)
        repeat(floatDone) { floatSchedule.step() }
        for (epoch in floatDone + 1..floatN) {
            run.epoch(EpochRecord.FLOAT, epoch, floatN, floatModel, loader, floatOptimizer, loaded) {
                mapOf("float" to floatModel.stateDict(), "optimizer" to floatOptimizer.stateDict())
            } ?: return 0
            floatSchedule.step()
        }
        floatModel.to(Device.CPU)
        val floatAccuracy = run.floatAccuracy ?: Epochs.accuracy(floatModel, loaded.split.test()).also {
            run.floatAccuracy = it
        }
        run.phase("float", floatN, loaded.split.train().size())
        if (floatN > 0 && !Files.exists(dir.resolve(FLOAT_MODEL))) {
            ModelFile.save(dir.resolve(FLOAT_MODEL), floatModel, metadata(loaded, null))
        }

        // Post-training quantization, and QAT from the same analysis.
        val platform = TargetPlatform.defaultPlatform()
        val calibration = RepresentativeData.of(loader, CALIBRATION_BATCHES)
        val plan = run.timed("ptq") { Ptq.analyze(floatModel, calibration, platform, qatConfig.ptq(), qatConfig) }
        val ptqAccuracy = run.ptqAccuracy
            ?: Epochs.accuracy(plan.build(InferableQuantizerSource()), loaded.split.test()).also { run.ptqAccuracy = it }
        console.println("  float %.2f%%, PTQ %.2f%%".format(floatAccuracy * 100, ptqAccuracy * 100))

        val qatModel = Qat.init(plan, qatConfig, QuantizerRegistry.global())
        qatModel.to(trainingDevice)
        val qatOptimizer = Adam(qatModel.parameters(), qatRate)
        val qatSchedule = CosineAnnealingLR(qatOptimizer, maxOf(qatN, 1), 0.0)
        if (checkpoint != null && checkpoint.progress.phase == EpochRecord.QAT) {
            qatModel.loadStateDict(checkpoint.section("qat"))
            qatOptimizer.loadStateDict(checkpoint.section("optimizer"))
        }
        val qatDone = run.epochsDone(EpochRecord.QAT)
        repeat(qatDone) { qatSchedule.step() }
        val floatState = floatModel.stateDict()
        for (epoch in qatDone + 1..qatN) {
            run.epoch(EpochRecord.QAT, epoch, qatN, qatModel, loader, qatOptimizer, loaded) {
                mapOf("float" to floatState, "qat" to qatModel.stateDict(), "optimizer" to qatOptimizer.stateDict())
            } ?: return 0
            qatSchedule.step()
        }
        qatModel.to(Device.CPU)
        run.phase("qat", qatN, loaded.split.train().size())
        val qatAccuracy = Epochs.accuracy(qatModel, loaded.split.test())

        val finalized = run.timed("finalize") { Qat.finalize(qatModel) }
        val finalizedAccuracy = Epochs.accuracy(finalized, loaded.split.test())

        val report = RunReport(
            dataset = DatasetInfo(loaded.name, loaded.source, loaded.split.train().size(), loaded.split.test().size(),
                loaded.inputShape.toList(), loaded.classes),
            model = if (model in BuiltInModels.NAMES) model else Path.of(model).fileName.toString(),
            preset = presetName, config = RunReport.configJson(qatConfig), seed = seed,
            device = trainingDevice.name.lowercase(), accuracy = Accuracies(floatAccuracy, ptqAccuracy, qatAccuracy, finalizedAccuracy),
            epochs = run.epochs, phases = run.phases, layers = LayerRecords.of(finalized),
            startedAt = run.startedAt, jqiVersion = RunReport.currentJqiVersion(),
        )
        ModelFile.save(dir.resolve(FINALIZED_MODEL), finalized, metadata(loaded, qatConfig))
        ReportWriter.write(dir, report)
        console.println(SummaryTable.render(report))
        console.println("Report: ${dir.resolve("report.md")}; finalized model: ${dir.resolve(FINALIZED_MODEL)}" +
            (if (floatN > 0) "; float model: ${dir.resolve(FLOAT_MODEL)}" else ""))
        return 0
    }

    private fun validateOptions() {
        require(batch > 0) { "--batch must be positive, got $batch" }
        require(lr > 0 && lr.isFinite()) { "--lr must be a positive number, got $lr" }
        qatLr?.let { require(it >= 0 && it.isFinite()) { "--qat-lr must be a number >= 0, got $it" } }
        floatEpochs?.let { require(it >= 0) { "--float-epochs must be >= 0, got $it" } }
        qatEpochs?.let { require(it >= 0) { "--qat-epochs must be >= 0, got $it" } }
        subset?.let { require(it > 0) { "--subset must be positive, got $it" } }
        require(config == null || !spec.commandLine().parseResult.hasMatchedOption("--preset")) {
            "--config replaces the preset; give one of --config and --preset"
        }
        require(device in listOf("auto", "cpu", "cuda")) { "--device must be auto, cpu or cuda, got '$device'" }
    }

    private fun outputDirectory(): Path {
        out?.let { return it }
        val runs = Path.of("runs")
        if (resume) {
            return Files.list(runs.takeIf { Files.isDirectory(it) }
                ?: throw IllegalArgumentException("Nothing to resume: there is no runs/ directory; give --out DIR"))
                .use { dirs -> dirs.filter { Checkpoint.load(it) != null }.sorted().toList().lastOrNull() }
                ?: throw IllegalArgumentException("Nothing to resume in runs/: no run there has a checkpoint")
        }
        return runs.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
    }

    private fun initialModel(loaded: LoadedData): Module {
        if (model in BuiltInModels.NAMES) {
            return BuiltInModels.create(model, loaded.inputShape, loaded.classes, seed)
        }
        val path = Path.of(model)
        require(Files.isRegularFile(path)) {
            "--model '$model' is neither a built-in model (${BuiltInModels.NAMES.joinToString()}) nor a file"
        }
        return ModelSources.load(path).model
    }

    /** What a saved model says about itself: its data and, once quantized, its QAT config. */
    private fun metadata(loaded: LoadedData, qatConfig: QatConfig?) = buildJsonObject {
        qatConfig?.let { put("qat_config", RunReport.configJson(it)) }
        put("dataset", JsonPrimitive(loaded.name))
        put("input_shape", JsonArray(loaded.inputShape.map { JsonPrimitive(it) }))
        put("classes", JsonPrimitive(loaded.classes))
    }

    private companion object {
        const val CALIBRATION_BATCHES = 16
        const val FLOAT_MODEL = "float.jqi"
        const val FINALIZED_MODEL = "model.jqi"
    }
}

/** The running state of one `jqi qat` run: its history, timings and checkpoints. */
private class Run(val dir: Path, val fingerprint: String, val console: PrintWriter, val stopAfter: Int?) {
    val epochs = ArrayList<EpochRecord>()
    val phases = ArrayList<PhaseTiming>()
    var floatAccuracy: Double? = null
    var ptqAccuracy: Double? = null
    val startedAt: String = Instant.now().toString()
    private var epochsThisProcess = 0

    fun restore(checkpoint: Checkpoint?) {
        checkpoint ?: return
        epochs += checkpoint.progress.epochs
        phases += checkpoint.progress.phases
        floatAccuracy = checkpoint.progress.floatAccuracy
        ptqAccuracy = checkpoint.progress.ptqAccuracy
    }

    fun epochsDone(phase: String) = epochs.count { it.phase == phase }

    /** Trains one epoch, evaluates, checkpoints; null when the run must stop here (--stop-after). */
    fun epoch(phase: String, epoch: Int, of: Int, model: Module, loader: DataLoader, optimizer: Optimizer,
              data: LoadedData, state: () -> Map<String, Map<String, io.jqi.tensor.Tensor>>): Unit? {
        val stats = Epochs.train(model, loader, epoch - 1, optimizer, "$phase epoch $epoch/$of", console)
        val accuracy = Epochs.accuracy(model, data.split.test())
        val record = EpochRecord(phase, epoch, stats.meanLoss, accuracy, stats.seconds, stats.imagesPerSecond)
        epochs += record
        console.println("  %s epoch %d/%d: loss %.4f, test %.2f%%, %.1f s, %.0f images/s".format(phase, epoch, of,
            stats.meanLoss, accuracy * 100, stats.seconds, stats.imagesPerSecond))
        Checkpoint.save(dir, CheckpointProgress(fingerprint = fingerprint, phase = phase, epochsDone = epoch,
            epochs = epochs.toList(), phases = phases.toList(), floatAccuracy = floatAccuracy,
            ptqAccuracy = ptqAccuracy), state())
        epochsThisProcess++
        if (stopAfter != null && epochsThisProcess >= stopAfter) {
            console.println("Stopped after $epochsThisProcess epochs (--stop-after); continue with --resume --out $dir")
            return null
        }
        return Unit
    }

    /** Records the wall time of a whole training phase from its epochs. */
    fun phase(name: String, epochCount: Int, images: Int) {
        if (phases.any { it.name == name }) return
        val seconds = epochs.filter { it.phase == name }.sumOf { it.seconds }
        phases += PhaseTiming(name, seconds, if (seconds > 0) images.toDouble() * epochCount / seconds else null)
    }

    /** Runs [block] and records its wall time as phase [name] (replacing the time of an interrupted run's). */
    fun <T> timed(name: String, block: () -> T): T {
        val start = System.nanoTime()
        val result = block()
        phases.removeIf { it.name == name }
        phases += PhaseTiming(name, (System.nanoTime() - start) / 1e9)
        return result
    }
}
