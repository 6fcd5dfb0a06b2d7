package io.jqi.cli.qat

import io.jqi.cli.sources.ImageOptions
import io.jqi.cli.sources.Preprocessing
import io.jqi.cli.sources.ModelSources
import io.jqi.cli.report.Accuracies
import io.jqi.cli.report.DatasetInfo
import io.jqi.cli.report.DistillationInfo
import io.jqi.cli.report.EpochRecord
import io.jqi.cli.report.LayerRecords
import io.jqi.cli.report.PhaseTiming
import io.jqi.cli.report.ReportWriter
import io.jqi.cli.report.RunReport
import io.jqi.cli.report.SummaryTable
import io.jqi.data.DataLoader
import io.jqi.nn.BatchNorm
import io.jqi.nn.LayerNorm
import io.jqi.modelfile.ModelFile
import io.jqi.modelfile.SavedModel
import io.jqi.json.QatConfigJson
import io.jqi.models.BuiltInModels
import io.jqi.nn.Module
import io.jqi.nn.optim.Adam
import io.jqi.nn.optim.CosineAnnealingLR
import io.jqi.nn.optim.LrScheduler
import io.jqi.nn.optim.Optimizer
import io.jqi.ptq.InferableQuantizerSource
import io.jqi.ptq.Ptq
import io.jqi.ptq.RepresentativeData
import io.jqi.ptq.SensitivityProgress
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.Qat
import io.jqi.qat.QatConfig
import io.jqi.quant.registry.QuantizerRegistry
import io.jqi.onnx.export.ExportFormat
import io.jqi.onnx.export.OnnxExporter
import io.jqi.onnx.proto.OnnxCodec
import io.jqi.tensor.Device
import io.jqi.tensor.Shape
import kotlinx.serialization.json.JsonObject
import io.jqi.qat.mixed.LearnedWidths
import io.jqi.qat.mixed.ActivationMemory
import io.jqi.qat.mixed.ActivationMemoryBudget
import io.jqi.qat.mixed.BitOpsBudget
import io.jqi.qat.mixed.MixedPrecision
import io.jqi.qat.mixed.MixedPrecisionPlan
import io.jqi.qat.mixed.MixedPrecisionSettings
import io.jqi.qat.mixed.WeightsMemory
import io.jqi.qat.mixed.WeightsMemoryPenalty
import io.jqi.train.TrainingPenalty
import io.jqi.qat.mixed.TotalMemoryBudget
import io.jqi.qat.mixed.WeightsMemoryBudget
import io.jqi.train.Distillation
import io.jqi.train.EpochResult
import io.jqi.train.Evaluation
import io.jqi.train.Trainer
import io.jqi.train.TrainingCallback
import io.jqi.train.TrainingDivergedException
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
        description = ["Your data: a directory of images in one subfolder per class (optionally under train/ and " +
            "test/ or val/), of MNIST-format IDX files or of CIFAR binary batches; a NumPy .npz (x_train, y_train, " +
            "x_test, y_test, or x and y); or a CSV file (label first, then pixels)"])
    var data: Path? = null

    @Option(names = ["--image-size"], paramLabel = "N",
        description = ["Images: resize the shorter side to 8N/7 and crop the central NxN (default: the imported " +
            "model's input size, else the images' own size)"])
    var imageSize: Int? = null

    @Option(names = ["--channels"], paramLabel = "1|3",
        description = ["Images and CSV: 3 for RGB, 1 for grayscale (default: the model's, else 3 for images, 1 for CSV)"])
    var channels: Int? = null

    @Option(names = ["--normalize"], paramLabel = "none|imagenet|M/S",
        description = ["Per-channel (x - mean) / std of inputs in [0, 1]: imagenet (torchvision's models), or " +
            "means/stds such as 0.5/0.25 or 0.49,0.48,0.45/0.25,0.24,0.26 (default none)"])
    var normalize: String? = null

    @Option(names = ["--augment"], description = ["Images: random crops (padding 1/8 of the side) and horizontal flips while training"])
    var augment: Boolean = false

    @Option(names = ["--model"], paramLabel = "NAME|FILE", description = ["mlp, cnn (default), cnn-silu (cnn with SiLU), resnet, a saved jqi model, or a float ONNX model (.onnx)"])
    var model: String = "cnn"

    @Option(names = ["--preset"], paramLabel = "NAME", description = ["w8a8 (default), w4a8, w4a4 (LSQ), w2a3 or w2a3-lsq (LSQ)"])
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

    @Option(names = ["--lr"], paramLabel = "X",
        description = ["Float learning rate (Adam, cosine schedule; default 0.01, 0.001 for a loaded model without " +
            "normalization layers)"])
    var lrOption: Double? = null

    @Option(names = ["--qat-lr"], paramLabel = "X",
        description = ["QAT learning rate (default: --lr / 100 for w8a8, --lr / 10 otherwise)"])
    var qatLr: Double? = null

    @Option(names = ["--weights-memory"], paramLabel = "F",
        description = ["Mixed precision: give each quantized kernel 2, 4 or 8 bits so that they take at most F of " +
            "their memory at 8 bits (0.5: 4 bits on average), chosen by sensitivity; with a training method that " +
            "learns its widths (HMQ), a training penalty holds them to F instead; replaces the config's mixed_precision"])
    var weightsMemory: Double? = null

    @Option(names = ["--bit-ops"], paramLabel = "F",
        description = ["Mixed precision: give each quantized kernel 8, 4 or 2 bits so that the bit operations per " +
            "example (multiply-accumulates x weight bits x activation bits) are at most F of theirs with 8-bit " +
            "weights; with --weights-memory, both hold"])
    var bitOps: Double? = null

    @Option(names = ["--activation-memory"], paramLabel = "F",
        description = ["Mixed precision: give each quantized activation 8, 4 or 2 bits so that the activations held " +
            "at once per example take at most F of their memory at 8 bits, chosen by sensitivity; with the other " +
            "budgets, all hold"])
    var activationMemory: Double? = null

    @Option(names = ["--total-memory"], paramLabel = "F",
        description = ["Mixed precision: choose the bits of kernels and activations together so that the weights " +
            "memory plus the activation memory is at most F of theirs at 8 bits"])
    var totalMemory: Double? = null

    @Option(names = ["--distill-weight"], paramLabel = "W",
        description = ["QAT learns from the float model too: the share W in [0, 1] of the distillation loss " +
            "(default 0: labels only)"])
    var distillWeight: Double = 0.0

    @Option(names = ["--distill-temperature"], paramLabel = "T",
        description = ["Temperature of the distillation loss, above 0 (default 4)"])
    var distillTemperature: Double? = null

    @Option(names = ["--device"], paramLabel = "auto|cpu|cuda", description = ["Where to train (default auto)"])
    var device: String = "auto"

    @Option(names = ["--spark"], paramLabel = "MASTER",
        description = ["Train data-parallel on Apache Spark: local[N] runs N workers in this JVM, a cluster URL under " +
            "spark-submit (docs/spark.md); no evaluation between epochs"])
    var spark: String? = null

    @Option(names = ["--spark-workers"], paramLabel = "N",
        description = ["Workers under --spark, one barrier task each (default: N of local[N], else 2)"])
    var sparkWorkers: Int? = null

    @Option(names = ["--seed"], paramLabel = "N", description = ["Seed of initialisation, shuffling and splits (default 0)"])
    var seed: Long = 0

    @Option(names = ["--out"], paramLabel = "DIR", description = ["Output directory (default runs/<timestamp>)"])
    var out: Path? = null

    @Option(names = ["--resume"], description = ["Continue the interrupted run in --out (default: the latest in runs/)"])
    var resume: Boolean = false

    @Option(names = ["--subset"], paramLabel = "N",
        description = ["Train on a fixed random sample of N training examples only (quick checks)"])
    var subset: Int? = null

    @Option(names = ["--eval-every"], paramLabel = "K",
        description = ["Evaluate on the test set every K epochs and after the last (default 1)"])
    var evalEvery: Int = 1

    @Option(names = ["--eval-limit"], paramLabel = "N",
        description = ["Evaluate epochs on a fixed random sample of N test examples (default: all); the float, PTQ," +
            " QAT and finalized accuracies always use the whole test set"])
    var evalLimit: Int = 0

    @Option(names = ["--stop-after"], hidden = true, paramLabel = "N",
        description = ["Stop after N epochs in all, as if interrupted (tests resume)"])
    var stopAfter: Int? = null

    override fun call(): Int {
        validateOptions()
        val sparkPhases = spark?.let { SparkPhases(it, sparkWorkers, spec.commandLine().out) }
        try {
            return qat(sparkPhases)
        } finally {
            sparkPhases?.close()
        }
    }

    private fun qat(sparkPhases: SparkPhases?): Int {
        val console = spec.commandLine().out
        val source = if (model in BuiltInModels.NAMES) null else loadModel()
        val imageOptions = ImageOptions(channels, imageSize, normalize, augment)
        val loaded = DataSources.load(dataset, data, seed, subset, imageOptions, source?.let(::expectedShape))
        val hasNormalization = source == null || source.model.namedModules().values.any { it is BatchNorm || it is LayerNorm }
        val lr = lrOption ?: if (hasNormalization) 0.01 else 0.001
        val configured = config?.let { QatConfigJson.readFile(it) } ?: Presets.config(preset)
        val presetName = if (config != null) "config:${config!!.fileName}" else preset
        val floatN = floatEpochs ?: if (source == null) loaded.defaultFloatEpochs else 0
        val qatN = qatEpochs ?: loaded.defaultQatEpochs
        val dir = outputDirectory()
        Files.createDirectories(dir)
        val qatRate = qatLr ?: (lr * Presets.qatLrFactor(if (config != null) "" else preset))
        val fingerprint = listOf(loaded.name, loaded.source, model, QatConfigJson.write(configured), floatN, qatN, batch,
            lr, qatRate, seed, subset, loaded.preprocessing, augment).joinToString("|") +
            // Only when set, so runs without distillation or mixed precision resume as before.
            (distillationInfo()?.let { "|$it" } ?: "") + (weightsMemory?.let { "|weights-memory $it" } ?: "") +
            (bitOps?.let { "|bit-ops $it" } ?: "") + (activationMemory?.let { "|activation-memory $it" } ?: "") +
            (totalMemory?.let { "|total-memory $it" } ?: "")

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

        warnings(source, hasNormalization, floatN, lr, loaded, console)
        // Spark's workers train on the CPU (GPU executors are not supported yet).
        val trainingDevice = if (sparkPhases != null) Device.CPU else Devices.resolve(device, console)
        val run = Run(dir, fingerprint, console, stopAfter)
        val plainLoader = DataLoader(loaded.split.train(), batch, true, seed, false)
        val loader = loaded.augmentation?.let { plainLoader.withTransform(it) } ?: plainLoader
        // Training runs on the chosen device (models move before optimizer state is restored onto them); analysis,
        // finalization and files work on the CPU.
        val floatModel = (source?.model ?: BuiltInModels.create(model, loaded.inputShape, loaded.classes, seed))
            .to(trainingDevice)
        run.restore(checkpoint)

        // Float training (skipped for a loaded model that asks for no epochs).
        val floatOptimizer = Adam(floatModel.parameters(), lr)
        val floatSchedule = CosineAnnealingLR(floatOptimizer, maxOf(floatN, 1), 0.0)
        if (checkpoint != null) {
            floatModel.loadStateDict(checkpoint.section("float"))
            if (checkpoint.progress.phase == EpochRecord.FLOAT) floatOptimizer.loadStateDict(checkpoint.section("optimizer"))
        }
        if (sparkPhases != null) {
            run.epochs += sparkPhases.train(floatModel, loaded, floatN, batch, lr, seed)
        } else {
            run.train(EpochRecord.FLOAT, floatN, trainer(floatModel, floatOptimizer, floatSchedule, EpochRecord.FLOAT,
                floatN, run) { mapOf("float" to floatModel.stateDict(), "optimizer" to floatOptimizer.stateDict()) },
                loader, loaded) ?: return 0
        }
        floatModel.to(Device.CPU)
        val floatAccuracy = run.floatAccuracy ?: Evaluation.accuracy(floatModel, loaded.split.test()).also {
            run.floatAccuracy = it
        }
        run.phase("float", floatN, loaded.split.train().size())
        if (floatN > 0 && !Files.exists(dir.resolve(FLOAT_MODEL))) {
            ModelFile.save(dir.resolve(FLOAT_MODEL), floatModel, metadata(loaded, null))
        }

        // Post-training quantization, and QAT from the same analysis.
        val platform = TargetPlatform.defaultPlatform()
        val calibration = RepresentativeData.of(plainLoader, CALIBRATION_BATCHES)
        // Mixed precision (the budget options, else the config's): the bits per layer and activation within the
        // budgets, as layer rules on the config, unless the training method learns the widths itself; then a penalty
        // holds them to the budget while QAT trains.
        val registry = QuantizerRegistry.global()
        val mixedPrecision = if (listOf(weightsMemory, bitOps, activationMemory, totalMemory).any { it != null }) {
            MixedPrecisionSettings(weightsMemory?.let { WeightsMemoryBudget.relativeTo8Bits(it) },
                bitOps?.let { BitOpsBudget.relativeTo8Bits(it) },
                activationMemory?.let { ActivationMemoryBudget.relativeTo8Bits(it) },
                totalMemory?.let { TotalMemoryBudget.relativeTo8Bits(it) }, null, null)
        } else configured.mixedPrecision()
        val learnedWidths = mixedPrecision != null && configured.weightsLearnTheirWidths(registry)
        require(!learnedWidths || (mixedPrecision!!.bitOps() == null && mixedPrecision.weightsMemory() != null &&
            !mixedPrecision.choosesActivations())) {
            "the weights' training method learns its widths, held to --weights-memory in training; --bit-ops, " +
                "--activation-memory and --total-memory need the mixed-precision search (train with STE or LSQ)"
        }
        require(sparkPhases == null || !learnedWidths) {
            "--spark does not train widths learnt under a memory penalty yet (docs/spark.md#what-is-missing)"
        }
        val rules = configured.withMixedPrecision(null, registry)
        var searched: MixedPrecisionPlan? = null
        val qatConfig = mixedPrecision?.takeUnless { learnedWidths }?.let { mp ->
            val mixed = run.timed("mixed precision") {
                MixedPrecision.search(floatModel, calibration, rules, rules.ptq(), platform, mp, searchProgress(console))
            }
            searched = mixed
            console.println("  mixed precision:\n" + mixed.toString().prependIndent("    "))
            rules.withWidths(mixed.bits(), mixed.activationBits(), registry)
        } ?: rules
        // Under --spark the workers rebuild the QAT model from the statistics' batch summaries: the same plan, bit for bit.
        val summaries = sparkPhases?.let {
            Ptq.summaries(floatModel, calibration, platform, qatConfig.ptq(), qatConfig)
        }
        val plan = run.timed("ptq") {
            summaries?.let { Ptq.fromSummaries(floatModel, it, platform, qatConfig.ptq(), qatConfig) }
                ?: Ptq.analyze(floatModel, calibration, platform, qatConfig.ptq(), qatConfig)
        }
        val ptqAccuracy = run.ptqAccuracy
            ?: Evaluation.accuracy(plan.build(InferableQuantizerSource()), loaded.split.test()).also { run.ptqAccuracy = it }
        console.println("  float %.2f%%, PTQ %.2f%%".format(floatAccuracy * 100, ptqAccuracy * 100))

        val qatModel = Qat.init(plan, qatConfig, QuantizerRegistry.global())
        qatModel.to(trainingDevice)
        val qatOptimizer = Adam(qatModel.parameters(), qatRate)
        val qatSchedule = CosineAnnealingLR(qatOptimizer, maxOf(qatN, 1), 0.0)
        if (checkpoint != null && checkpoint.progress.phase == EpochRecord.QAT) {
            qatModel.loadStateDict(checkpoint.section("qat"))
            qatOptimizer.loadStateDict(checkpoint.section("optimizer"))
        }
        val floatState = floatModel.stateDict()
        // The float model is the teacher: it runs beside the QAT model, on its device, and is never trained.
        val distillation = distillationInfo()?.let {
            Distillation(floatModel.to(trainingDevice), it.temperature.toFloat(), it.weight.toFloat())
        }
        val penalty = mixedPrecision?.takeIf { learnedWidths }?.let {
            WeightsMemoryPenalty(it.weightsMemory(), WeightsMemoryPenalty.DEFAULT_STRENGTH)
        }
        if (sparkPhases != null) {
            run.epochs += sparkPhases.qat(qatModel, floatModel, qatConfig, platform, summaries!!, loaded, qatN, batch,
                qatRate, seed, distillationInfo())
        } else {
            run.train(EpochRecord.QAT, qatN, trainer(qatModel, qatOptimizer, qatSchedule, EpochRecord.QAT, qatN, run,
                distillation, penalty) {
                mapOf("float" to floatState, "qat" to qatModel.stateDict(), "optimizer" to qatOptimizer.stateDict())
            }, loader, loaded) ?: return 0
        }
        qatModel.to(Device.CPU)
        floatModel.to(Device.CPU)
        run.phase("qat", qatN, loaded.split.train().size())
        mixedPrecision?.takeIf { learnedWidths }?.let { mp ->
            // The penalty held the expected memory; the finalized widths must fit too.
            val learnt = WeightsMemory.of(qatModel)
            val fitted = LearnedWidths.fit(qatModel, mp.weightsMemory())
            if (fitted != learnt) {
                console.println("  learnt widths ${learnt.bitsPerLayer()} take %.4f of 8 bits; lowered to fit the budget: %s"
                    .format(learnt.relativeTo8Bits(), fitted.bitsPerLayer()))
            }
        }
        val qatAccuracy = Evaluation.accuracy(qatModel, loaded.split.test())

        val finalized = run.timed("finalize") { Qat.finalize(qatModel) }
        val finalizedAccuracy = Evaluation.accuracy(finalized, loaded.split.test())
        val memory = mixedPrecision?.let { WeightsMemory.of(finalized) }
        // Counted only where a budget holds it: it takes a forward pass.
        val activations = mixedPrecision?.takeIf { it.choosesActivations() }
            ?.let { ActivationMemory.of(finalized, calibration.first()) }
        // The budgets as fractions of their 8-bit values, also when the config gave them as bytes or counts.
        val budgetFraction = mixedPrecision?.weightsMemory()?.let {
            it.fractionOf8Bits() ?: (it.bits(memory!!.eightBitBits() / 8).toDouble() / memory.eightBitBits())
        }
        val resources = searched?.resources()
        val bitOpsFraction = resources?.bitOpsBudget()?.let {
            mixedPrecision?.bitOps()?.fractionOf8Bits() ?: (it.toDouble() / searched!!.eightBitOps())
        }
        val activationFraction = resources?.activationBudget()?.let {
            mixedPrecision?.activationMemory()?.fractionOf8Bits() ?: (it.toDouble() / activations!!.eightBitBits())
        }
        val totalFraction = resources?.totalBudget()?.let {
            mixedPrecision?.totalMemory()?.fractionOf8Bits()
                ?: (it.toDouble() / (memory!!.eightBitBits() + activations!!.eightBitBits()))
        }
        memory?.let {
            console.println("  weights memory: %.4f of 8 bits%s".format(it.relativeTo8Bits(),
                budgetFraction?.let { b -> " (budget %.4f)".format(b) } ?: ""))
        }
        activations?.let {
            console.println("  activation memory: %.4f of 8 bits%s".format(it.relativeTo8Bits(),
                activationFraction?.let { b -> " (budget %.4f)".format(b) } ?: ""))
        }
        val bitOpsUsed = resources?.takeIf { it.bitOpsBudget() != null }?.let { it.bitOps().toDouble() / searched!!.eightBitOps() }

        val report = RunReport(
            dataset = DatasetInfo(loaded.name, loaded.source, loaded.split.train().size(), loaded.split.test().size(),
                loaded.inputShape.toList(), loaded.classes),
            model = if (model in BuiltInModels.NAMES) model else Path.of(model).fileName.toString(),
            preset = presetName, config = RunReport.configJson(qatConfig), seed = seed,
            device = trainingDevice.name.lowercase() +
                (sparkPhases?.let { " (Spark $spark, ${it.workers} workers)" } ?: ""),
            distillation = distillationInfo(), weightsMemory = budgetFraction,
            weightsMemoryUsed = memory?.relativeTo8Bits(), bitOps = bitOpsFraction, bitOpsUsed = bitOpsUsed,
            activationMemory = activationFraction,
            activationMemoryUsed = activationFraction?.let { activations!!.relativeTo8Bits() }, totalMemory = totalFraction,
            totalMemoryUsed = totalFraction?.let {
                (memory!!.bits() + activations!!.bits()).toDouble() / (memory.eightBitBits() + activations.eightBitBits())
            },
            accuracy = Accuracies(floatAccuracy, ptqAccuracy, qatAccuracy, finalizedAccuracy),
            epochs = run.epochs, phases = run.phases, layers = LayerRecords.of(finalized),
            startedAt = run.startedAt, jqiVersion = RunReport.currentJqiVersion(),
        )
        val finalMetadata = metadata(loaded, qatConfig)
        ModelFile.save(dir.resolve(FINALIZED_MODEL), finalized, finalMetadata)
        val qdq = exportQdq(finalized, loaded, finalMetadata, dir.resolve(QDQ_MODEL), console)
        ReportWriter.write(dir, report)
        console.println(SummaryTable.render(report))
        console.println("Report: ${dir.resolve("report.md")}; finalized model: ${dir.resolve(FINALIZED_MODEL)}" +
            (if (qdq) "; ONNX (QDQ): ${dir.resolve(QDQ_MODEL)}" else "") +
            (if (floatN > 0) "; float model: ${dir.resolve(FLOAT_MODEL)}" else ""))
        return 0
    }

    private fun validateOptions() {
        require(batch > 0) { "--batch must be positive, got $batch" }
        lrOption?.let { require(it > 0 && it.isFinite()) { "--lr must be a positive number, got $it" } }
        require(evalEvery >= 1) { "--eval-every must be >= 1, got $evalEvery" }
        require(evalLimit >= 0) { "--eval-limit must be >= 0 (0: the whole test set), got $evalLimit" }
        qatLr?.let { require(it >= 0 && it.isFinite()) { "--qat-lr must be a number >= 0, got $it" } }
        floatEpochs?.let { require(it >= 0) { "--float-epochs must be >= 0, got $it" } }
        qatEpochs?.let { require(it >= 0) { "--qat-epochs must be >= 0, got $it" } }
        subset?.let { require(it > 0) { "--subset must be positive, got $it" } }
        require(config == null || !spec.commandLine().parseResult.hasMatchedOption("--preset")) {
            "--config replaces the preset; give one of --config and --preset"
        }
        require(device in listOf("auto", "cpu", "cuda")) { "--device must be auto, cpu or cuda, got '$device'" }
        // The budgets, each a fraction of its 8-bit amount.
        listOf(Triple("--weights-memory", weightsMemory, "weight memory"), Triple("--bit-ops", bitOps, "bit operations"),
            Triple("--activation-memory", activationMemory, "activation memory"),
            Triple("--total-memory", totalMemory, "total memory")).forEach { (option, value, what) ->
            require(value == null || (value > 0 && value <= 2)) {
                "$option must be in (0, 2] (a fraction of the 8-bit $what), got $value"
            }
        }
        require(distillWeight in 0.0..1.0) { "--distill-weight must be in [0, 1] (0: no distillation), got $distillWeight" }
        distillTemperature?.let {
            require(it > 0 && it.isFinite()) { "--distill-temperature must be a number above 0, got $it" }
            require(distillWeight > 0) { "--distill-temperature needs --distill-weight above 0 (distillation is off)" }
        }
        require(sparkWorkers == null || spark != null) { "--spark-workers needs --spark" }
        spark?.let {
            val workers = sparkWorkers ?: SparkPhases.localThreads(it) ?: 2
            require(workers >= 1) { "--spark-workers must be at least 1, got $workers" }
            require(batch % workers == 0) {
                "--batch ($batch) must be a multiple of the Spark workers ($workers): each takes an equal share"
            }
            val unsupported = listOfNotNull("--resume".takeIf { resume }, "--augment".takeIf { augment },
"--device cuda".takeIf { device == "cuda" },
                "--stop-after".takeIf { stopAfter != null })
            require(unsupported.isEmpty()) {
                "--spark does not take ${unsupported.joinToString(", ")} yet (docs/spark.md#what-is-missing)"
            }
        }
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

    private fun loadModel(): SavedModel {
        val path = Path.of(model)
        require(Files.isRegularFile(path)) {
            "--model '$model' is neither a built-in model (${BuiltInModels.NAMES.joinToString()}) nor a file"
        }
        return ModelSources.load(path)
    }

    /** The `[C, H, W]` input a loaded model declares in its metadata, or null. */
    private fun expectedShape(saved: SavedModel): IntArray? =
        (saved.metadata["input_shape"] as? JsonArray)?.map { (it as JsonPrimitive).content.toInt() }?.toIntArray()
            ?.takeIf { it.size == 3 }

    /** What a user fine-tuning an imported model should know before the run starts. */
    /**
     * Lines at every tenth of each sensitivity measurement once it has run for two seconds: on a large model the
     * search takes minutes, on a small one it would only be noise.
     */
    private fun searchProgress(out: PrintWriter): SensitivityProgress {
        var reported = 0
        var start = 0L
        return SensitivityProgress { what, done, total ->
            if (done == 1) {
                reported = 0
                start = System.nanoTime()
            }
            val tenth = done * 10 / total
            if (tenth > reported && done < total && System.nanoTime() - start > 2_000_000_000L) {
                reported = tenth
                out.println("  mixed precision: %s' sensitivities %d%% (%d/%d runs)".format(what, tenth * 10, done, total))
            }
        }
    }

    private fun warnings(source: SavedModel?, hasNormalization: Boolean, floatN: Int, lr: Double, loaded: LoadedData,
                         console: PrintWriter) {
        source ?: return
        if (floatN > 0 && !hasNormalization) {
            console.println("  warning: the model has no batch or layer normalization left (folded into its " +
                "convolutions when it was exported), so float training diverges at high learning rates; " +
                (if (lrOption == null) "using --lr 0.001" else "--lr is $lr") + ". Export with " +
                "training=TrainingMode.PRESERVE to keep them (docs/bring-your-own-model.md).")
        }
        if (loaded.preprocessing.channels != null && normalize == null) {
            console.println("  warning: images go in as values in [0, 1]; a model trained on normalized inputs " +
                "(torchvision's: --normalize imagenet) needs the same normalization here")
        }
    }

    /** A trainer for one phase whose epochs [run] records and checkpoints with [state]. */
    private fun trainer(model: Module, optimizer: Optimizer, schedule: LrScheduler, phase: String, epochs: Int, run: Run,
                        distillation: Distillation? = null, penalty: TrainingPenalty? = null,
                        state: () -> Map<String, Map<String, io.jqi.tensor.Tensor>>): Trainer =
        Trainer.builder(model, optimizer).schedule(schedule).evaluateEvery(evalEvery).evaluationLimit(evalLimit)
            .distillation(distillation).penalty(penalty)
            .callbacks(ProgressCallback(phase, epochs, run.console), run.recorder(phase, epochs, state)).build()

    /** The settings of `--distill-weight` and `--distill-temperature`, or null without distillation. */
    private fun distillationInfo(): DistillationInfo? =
        if (distillWeight > 0) DistillationInfo(distillTemperature ?: DEFAULT_DISTILL_TEMPERATURE, distillWeight) else null

    /**
     * Writes the finalized model as a QDQ ONNX file that any ONNX runtime runs with jqi's results; a model that cannot
     * be exported keeps its jqi file and gets one line saying why.
     */
    private fun exportQdq(finalized: Module, loaded: LoadedData, metadata: JsonObject, file: Path,
                          console: PrintWriter): Boolean = try {
        finalized.eval()
        OnnxCodec.write(OnnxExporter.export(finalized, Shape.of(*loaded.inputShape), ExportFormat.QDQ,
            ModelSources.onnxMetadata(metadata)), file)
        true
    } catch (e: RuntimeException) {
        console.println("  no ONNX export: ${e.message}")
        false
    }

    /** What a saved model says about itself: its data and, once quantized, its QAT config. */
    private fun metadata(loaded: LoadedData, qatConfig: QatConfig?) = buildJsonObject {
        qatConfig?.let { put("qat_config", RunReport.configJson(it)) }
        put("dataset", JsonPrimitive(loaded.name))
        put("input_shape", JsonArray(loaded.inputShape.map { JsonPrimitive(it) }))
        put("classes", JsonPrimitive(loaded.classes))
        if (loaded.preprocessing != Preprocessing.NONE) put("preprocessing", loaded.preprocessing.toJson())
        loaded.classNames?.let { names -> put("class_names", JsonArray(names.map { JsonPrimitive(it) })) }
    }

    private companion object {
        const val CALIBRATION_BATCHES = 16
        const val FLOAT_MODEL = "float.jqi"
        const val FINALIZED_MODEL = "model.jqi"
        const val QDQ_MODEL = "model-qdq.onnx"
        const val DEFAULT_DISTILL_TEMPERATURE = 4.0
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

    /**
     * Runs [trainer] over the phase's remaining epochs; null when the run must stop here (--stop-after). A loss that
     * diverges is an error naming the phase and the option to change.
     */
    fun train(phase: String, epochs: Int, trainer: Trainer, loader: DataLoader, data: LoadedData): Unit? {
        val history = try {
            trainer.fit(loader, data.split.test(), epochsDone(phase), epochs)
        } catch (e: TrainingDivergedException) {
            throw IllegalArgumentException("$phase training: ${e.message} (--${if (phase == EpochRecord.QAT) "qat-" else ""}lr)", e)
        }
        return if (history.stopReason().isPresent) null else Unit
    }

    /** Records, prints and checkpoints each epoch of [phase], and stops the trainer at --stop-after. */
    fun recorder(phase: String, of: Int, state: () -> Map<String, Map<String, io.jqi.tensor.Tensor>>) =
        object : TrainingCallback {
            override fun onEpochEnd(trainer: Trainer, result: EpochResult) {
                val accuracy = result.validation()?.accuracy()
                epochs += EpochRecord(phase, result.epoch(), result.trainLoss(), accuracy, result.seconds(),
                    result.examplesPerSecond())
                console.println("  %s epoch %d/%d: loss %.4f, %s, %.1f s, %.0f images/s".format(phase, result.epoch(),
                    of, result.trainLoss(), accuracy?.let { "test %.2f%%".format(it * 100) } ?: "not evaluated",
                    result.seconds(), result.examplesPerSecond()))
                Checkpoint.save(dir, CheckpointProgress(fingerprint = fingerprint, phase = phase,
                    epochsDone = result.epoch(), epochs = epochs.toList(), phases = phases.toList(),
                    floatAccuracy = floatAccuracy, ptqAccuracy = ptqAccuracy), state())
                epochsThisProcess++
                if (stopAfter != null && epochsThisProcess >= stopAfter) {
                    console.println("Stopped after $epochsThisProcess epochs (--stop-after); continue with --resume --out $dir")
                    trainer.stop("--stop-after")
                }
            }
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
