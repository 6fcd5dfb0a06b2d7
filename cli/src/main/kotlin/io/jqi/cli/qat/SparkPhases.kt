package io.jqi.cli.qat

import io.jqi.cli.report.DistillationInfo
import io.jqi.cli.report.EpochRecord
import io.jqi.nn.Module
import io.jqi.ptq.PtqSummaries
import io.jqi.ptq.TargetPlatform
import io.jqi.qat.QatConfig
import io.jqi.spark.LabeledInput
import io.jqi.spark.SparkTraining
import org.apache.spark.SparkConf
import org.apache.spark.api.java.JavaRDD
import org.apache.spark.api.java.JavaSparkContext
import java.io.PrintWriter

/**
 * `jqi qat --spark MASTER`: the float and QAT phases trained data-parallel on Spark ([SparkTraining],
 * docs/spark.md), each worker a barrier task holding its shard of the training set. The Spark context starts at the
 * first phase and stops with [close].
 */
internal class SparkPhases(private val master: String, workers: Int?, private val console: PrintWriter) :
    AutoCloseable {
    val workers: Int = workers ?: localThreads(master) ?: 2
    private var context: JavaSparkContext? = null
    private var examples: JavaRDD<LabeledInput>? = null

    /** Trains [model] (the float model) in place for [epochs] epochs; the epochs' records. */
    fun train(model: Module, data: LoadedData, epochs: Int, batch: Int, lr: Double, seed: Long): List<EpochRecord> {
        if (epochs == 0) return emptyList()
        val result = SparkTraining.train(examples(data), data.inputShape, model, settings(batch, epochs, lr, seed))
        model.loadStateDict(result.model().stateDict())
        return records(EpochRecord.FLOAT, result, data)
    }

    /**
     * QAT of [qatModel], which `Qat.init` made from the analysis of [summaries]: the workers build the same model from
     * [floatModel] and those summaries, train it (distilled from their copy of [floatModel] with [distillation]), and
     * [qatModel] takes the result.
     */
    fun qat(qatModel: Module, floatModel: Module, config: QatConfig, platform: TargetPlatform,
            summaries: PtqSummaries, data: LoadedData, epochs: Int, batch: Int, lr: Double, seed: Long,
            distillation: DistillationInfo?): List<EpochRecord> {
        if (epochs == 0) return emptyList()
        val settings = settings(batch, epochs, lr, seed).let { s ->
            distillation?.let { s.withDistillation(it.temperature.toFloat(), it.weight.toFloat()) } ?: s
        }
        val result = SparkTraining.qat(examples(data), data.inputShape, floatModel, config, platform, summaries,
            settings)
        qatModel.loadStateDict(result.model().stateDict())
        return records(EpochRecord.QAT, result, data)
    }

    private fun settings(batch: Int, epochs: Int, lr: Double, seed: Long) =
        SparkTraining.Settings(workers, batch, epochs, lr, seed, true).withCosineSchedule()

    private fun records(phase: String, result: SparkTraining.Result, data: LoadedData): List<EpochRecord> {
        val losses = result.epochLosses()
        val seconds = result.trainSeconds() / losses.size
        val imagesPerSecond = data.split.train().size() / seconds
        console.println("  %s on Spark, %d workers: %.1f s, %.0f%% of it in the gradient exchange".format(phase,
            workers, result.trainSeconds(), 100 * result.exchangeSeconds() / result.trainSeconds()))
        return losses.mapIndexed { i, loss ->
            console.println("  %s epoch %d/%d: loss %.4f, not evaluated (--spark), %.1f s".format(phase, i + 1,
                losses.size, loss, seconds))
            EpochRecord(phase, i + 1, loss, null, seconds, imagesPerSecond)
        }
    }

    /** The training set as an RDD, one partition per worker, made once. */
    private fun examples(data: LoadedData): JavaRDD<LabeledInput> {
        examples?.let { return it }
        val spark = JavaSparkContext(SparkConf().setMaster(master).setAppName("jqi qat")
            .setIfMissing("spark.ui.enabled", "false"))
        context = spark
        val train = data.split.train()
        val list = (0 until train.size()).map { i -> train.get(i).let { LabeledInput(it.input(), it.label()) } }
        return spark.parallelize(list, workers).cache().also { examples = it }
    }

    override fun close() {
        context?.stop()
    }

    companion object {
        /** N of `local[N]` or `local[N, F]`; null for `local[*]` and cluster masters. */
        fun localThreads(master: String): Int? =
            Regex("""local\[\s*(\d+)\s*(,\s*\d+\s*)?]""").matchEntire(master.trim())?.groupValues?.get(1)?.toInt()
    }
}
