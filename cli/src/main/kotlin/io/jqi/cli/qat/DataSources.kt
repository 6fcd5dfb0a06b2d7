package io.jqi.cli.qat

import io.jqi.data.CsvFormat
import io.jqi.data.Digits
import io.jqi.data.MnistFormat
import io.jqi.data.TensorDataset
import io.jqi.data.TrainTestSplit
import java.nio.file.Files
import java.nio.file.Path

/** A dataset ready for a run, with the epochs that suit its size when the user gives none. */
class LoadedData(
    val name: String,
    val source: String,
    val split: TrainTestSplit,
    val inputShape: IntArray,
    val classes: Int,
    val defaultFloatEpochs: Int,
    val defaultQatEpochs: Int,
)

/** Where `jqi qat` gets its data: the embedded digits, Fashion-MNIST, or the user's IDX directory or CSV file. */
object DataSources {
    private const val TEST_FRACTION = 0.2

    fun load(dataset: String, data: Path?, seed: Long, subset: Int?): LoadedData {
        val loaded = when {
            data != null -> fromPath(dataset, data, seed)
            dataset == "digits" -> LoadedData("digits", "embedded", Digits.split(seed, TEST_FRACTION),
                intArrayOf(1, Digits.ROWS, Digits.COLS), Digits.CLASSES, 20, 5)
            dataset == "fashion-mnist" -> mnist("fashion-mnist", MnistFormat.DEBIAN_FASHION_MNIST)
            else -> throw IllegalArgumentException("--dataset must be digits or fashion-mnist, got '$dataset'; give "
                + "your own data with --data DIR|FILE")
        }
        return subset?.let { limited(loaded, it) } ?: loaded
    }

    private fun fromPath(dataset: String, path: Path, seed: Long): LoadedData {
        if (Files.isDirectory(path) || !Files.exists(path)) {
            val name = if (dataset == "digits") path.fileName.toString() else dataset
            return mnist(name, path)
        }
        val all = CsvFormat.labelFirstSquare(path).read(path)
        val shape = all.inputs().shape().toArray()
        return LoadedData(path.fileName.toString(), path.toString(), TrainTestSplit.stratified(all, seed, TEST_FRACTION),
            intArrayOf(shape[1], shape[2], shape[3]), all.labels().max() + 1, 8, 3)
    }

    private fun mnist(name: String, dir: Path): LoadedData {
        val split = MnistFormat.load(dir)
        val shape = split.train().inputs().shape().toArray()
        return LoadedData(name, dir.toString(), split, intArrayOf(shape[1], shape[2], shape[3]),
            maxOf(split.numClasses(), MnistFormat.CLASSES), 8, 3)
    }

    private fun limited(data: LoadedData, n: Int): LoadedData {
        val train = data.split.train()
        if (n >= train.size()) return data
        val subset: TensorDataset = train.subset(*IntArray(n) { it })
        return LoadedData(data.name, data.source, TrainTestSplit(subset, data.split.test()), data.inputShape,
            data.classes, data.defaultFloatEpochs, data.defaultQatEpochs)
    }
}
