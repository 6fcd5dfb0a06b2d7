package io.jqi.cli.qat

import io.jqi.train.Trainer
import io.jqi.train.TrainingCallback
import me.tongfei.progressbar.ProgressBar
import me.tongfei.progressbar.ProgressBarBuilder
import me.tongfei.progressbar.ProgressBarStyle
import java.io.PrintWriter

/**
 * Progress through one epoch: a live bar on a terminal, and on anything else (logs, CI) a plain line every tenth
 * of the epoch, so that output that is not a terminal stays readable.
 */
interface Progress : AutoCloseable {
    fun step(images: Int, loss: Double)

    override fun close()

    companion object {
        /** A bar when standard output is a terminal, plain lines otherwise. */
        fun of(label: String, batches: Int, out: PrintWriter, terminal: Boolean = System.console() != null): Progress =
            if (terminal) TerminalProgress(label, batches) else PlainProgress(label, batches, out)
    }
}

private class TerminalProgress(label: String, batches: Int) : Progress {
    private val bar: ProgressBar = ProgressBarBuilder().setTaskName(label).setInitialMax(batches.toLong())
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" batches", 1).continuousUpdate().build()

    override fun step(images: Int, loss: Double) {
        bar.step()
        bar.extraMessage = "loss %.4f".format(loss)
    }

    override fun close() = bar.close()
}

private class PlainProgress(private val label: String, private val batches: Int, private val out: PrintWriter) :
    Progress {
    private var done = 0
    private var lastReported = 0

    override fun step(images: Int, loss: Double) {
        done++
        val tenth = done * 10 / batches
        if (tenth > lastReported && done < batches) {
            lastReported = tenth
            out.println("  %s: %d%% (%d/%d batches), loss %.4f".format(label, tenth * 10, done, batches, loss))
        }
    }

    override fun close() {
        out.flush()
    }
}

/**
 * The trainer's batches as a [Progress] per epoch (a bar on a terminal, lines elsewhere), labelled by [label] with
 * the epoch and [epochs].
 */
class ProgressCallback(private val label: String, private val epochs: Int, private val out: PrintWriter) :
    TrainingCallback {
    private var progress: Progress? = null

    override fun onBatchEnd(trainer: Trainer, epoch: Int, batch: Int, batches: Int, examples: Int, loss: Double) {
        val current = progress ?: Progress.of("$label epoch $epoch/$epochs", batches, out).also { progress = it }
        current.step(examples, loss)
        if (batch == batches) {
            current.close()
            progress = null
        }
    }
}
