package io.jqi.cli.qat

import io.jqi.data.DataLoader
import io.jqi.data.Dataset
import io.jqi.nn.Module
import io.jqi.nn.optim.Optimizer
import io.jqi.tensor.Losses
import io.jqi.tensor.Tensor
import java.io.PrintWriter

/** What one training epoch did. */
data class EpochStats(val meanLoss: Double, val images: Int, val seconds: Double) {
    val imagesPerSecond: Double get() = if (seconds > 0) images / seconds else 0.0
}

/** The training and evaluation loops the command's phases share. */
object Epochs {
    /** One epoch of cross-entropy training over [loader]'s epoch [epoch], on the device of [model]'s parameters. */
    fun train(model: Module, loader: DataLoader, epoch: Int, optimizer: Optimizer, label: String,
              out: PrintWriter): EpochStats {
        model.train()
        val device = Devices.of(model)
        val start = System.nanoTime()
        var lossSum = 0.0
        var images = 0
        Progress.of(label, loader.batchesPerEpoch(), out).use { progress ->
            for (batch in loader.epoch(epoch)) {
                optimizer.zeroGrad()
                val loss = Losses.crossEntropy(model.forward(batch.inputs().to(device)), batch.labels())
                loss.backward()
                optimizer.step()
                val value = loss.item().toDouble()
                if (!value.isFinite()) {
                    throw IllegalArgumentException("$label: the loss became $value; lower the learning rate (--lr)")
                }
                lossSum += value * batch.size()
                images += batch.size()
                progress.step(batch.size(), value)
            }
        }
        return EpochStats(lossSum / images, images, (System.nanoTime() - start) / 1e9)
    }

    /** The fraction of [data] that [model] classifies right, in evaluation mode. */
    fun accuracy(model: Module, data: Dataset, batchSize: Int = 500): Double {
        model.eval()
        val device = Devices.of(model)
        var correct = 0
        Tensor.noGrad().use {
            for (batch in DataLoader(data, batchSize, false, 0, false).epoch(0)) {
                val logits = model.forward(batch.inputs().to(device))
                val classes = logits.shape().dim(1)
                val v = logits.toFloatArray()
                for (i in 0 until batch.size()) {
                    var best = 0
                    for (c in 1 until classes) {
                        if (v[i * classes + c] > v[i * classes + best]) best = c
                    }
                    if (best == batch.labels()[i]) correct++
                }
            }
        }
        return correct.toDouble() / data.size()
    }
}
