package io.jqi.cli.qat

import io.jqi.cli.sources.ImageOptions
import io.jqi.cli.sources.Preprocessing
import io.jqi.data.CifarFormat
import io.jqi.data.CsvFormat
import io.jqi.data.Dataset
import io.jqi.data.Digits
import io.jqi.data.ImageFolder
import io.jqi.data.MnistFormat
import io.jqi.data.NpyFormat
import io.jqi.data.TrainTestSplit
import io.jqi.data.Transform
import java.nio.file.Files
import java.nio.file.Path
import java.util.SplittableRandom
import kotlin.io.path.isDirectory
import kotlin.io.path.name

/** A dataset ready for a run, with the epochs that suit its size when the user gives none. */
data class LoadedData(
    val name: String,
    val source: String,
    /** Both parts as the model sees them: normalized where [preprocessing] says so. */
    val split: TrainTestSplit<out Dataset>,
    val inputShape: IntArray,
    val classes: Int,
    val defaultFloatEpochs: Int,
    val defaultQatEpochs: Int,
    val preprocessing: Preprocessing,
    /** Training augmentation for images, when asked for (`--augment`). */
    val augmentation: Transform? = null,
    /** The class names of an image folder, by label. */
    val classNames: List<String>? = null,
)

/**
 * Where `jqi qat` gets its data: the embedded digits, Fashion-MNIST, or the user's files: an MNIST-format IDX
 * directory, a CIFAR binary directory, an image folder (one subfolder per class, optionally under `train/` and
 * `test/` or `val/`), a NumPy `.npz`, or a CSV file.
 */
object DataSources {
    private const val TEST_FRACTION = 0.2

    /**
     * Loads the data; [expectedShape] (`[C, H, W]` of an imported model, null when unknown) sets the image size and
     * channels of an image folder when [options] leave them out.
     */
    fun load(dataset: String, data: Path?, seed: Long, subset: Int?, options: ImageOptions,
             expectedShape: IntArray?): LoadedData {
        val loaded = when {
            data != null -> fromPath(dataset, data, seed, options, expectedShape)
            dataset == "digits" -> LoadedData("digits", "embedded", Digits.split(seed, TEST_FRACTION),
                intArrayOf(1, Digits.ROWS, Digits.COLS), Digits.CLASSES, 20, 5, Preprocessing.NONE)
            dataset == "fashion-mnist" -> mnist("fashion-mnist", MnistFormat.DEBIAN_FASHION_MNIST)
            else -> throw IllegalArgumentException("--dataset must be digits or fashion-mnist, got '$dataset'; give "
                + "your own data with --data DIR|FILE")
        }
        val normalized = normalized(loaded, options)
        return subset?.let { limited(normalized, it, seed) } ?: normalized
    }

    private fun fromPath(dataset: String, path: Path, seed: Long, options: ImageOptions,
                         expectedShape: IntArray?): LoadedData {
        val name = if (dataset == "digits") path.fileName.toString() else dataset
        if (path.isDirectory()) {
            return when {
                MnistFormat.isPresent(path) -> mnist(name, path)
                CifarFormat.isPresent(path) -> of(name, path, CifarFormat.load(path), Preprocessing.NONE, 8, 3)
                hasSubfolders(path) -> imageFolder(name, path, seed, options, expectedShape)
                else -> mnist(name, path)   // says which MNIST files are missing
            }
        }
        val file = path.name.lowercase()
        return when {
            !Files.exists(path) -> mnist(name, path)   // says there is no such directory and what it expects
            file.endsWith(".npz") -> npz(name, path, seed)
            file.endsWith(".csv") || file.endsWith(".csv.gz") -> csv(name, path, seed, options)
            else -> throw IllegalArgumentException("--data $path: jqi reads a directory (MNIST IDX files, CIFAR binary"
                + " batches, or images in one subfolder per class), a NumPy .npz or a CSV file; this file is none")
        }
    }

    private fun hasSubfolders(dir: Path): Boolean =
        Files.list(dir).use { entries -> entries.anyMatch { it.isDirectory() && !it.name.startsWith(".") } }

    private fun imageFolder(name: String, dir: Path, seed: Long, options: ImageOptions,
                            expectedShape: IntArray?): LoadedData {
        val folderOptions = options.folderOptions(expectedShape)
        val train = dir.resolve("train")
        val test = listOf(dir.resolve("test"), dir.resolve("val")).firstOrNull { it.isDirectory() }
        var classNames: List<String>
        val split: TrainTestSplit<out Dataset> = if (train.isDirectory() && test != null) {
            val trainSet = ImageFolder.open(train, folderOptions)
            val testSet = ImageFolder.open(test, folderOptions)
            require(trainSet.classes() == testSet.classes()) {
                "--data $dir: $train has classes ${trainSet.classes()} but $test has ${testSet.classes()}; both need " +
                    "the same class subfolders"
            }
            require(trainSet.exampleShape() == testSet.exampleShape()) {
                "--data $dir: training images give ${trainSet.exampleShape()} but test images " +
                    "${testSet.exampleShape()}; give --image-size"
            }
            classNames = trainSet.classes()
            TrainTestSplit(trainSet, testSet)
        } else {
            val all = ImageFolder.open(dir, folderOptions)
            classNames = all.classes()
            TrainTestSplit.stratified(all as Dataset, seed, TEST_FRACTION)
        }
        val shape = split.train().get(0).shape().toArray()
        val preprocessing = Preprocessing.images(folderOptions)
        val augmentation = if (options.augment) {
            Transform.randomCrop(shape[1], maxOf(1, shape[1] / 8)).andThen(Transform.horizontalFlip(0.5))
        } else null
        return of(name, dir, split, preprocessing, 8, 3, augmentation).copy(classNames = classNames)
    }

    private fun npz(name: String, file: Path, seed: Long): LoadedData {
        val names = NpyFormat.names(file)
        val split: TrainTestSplit<out Dataset> = when {
            names.containsAll(listOf("x_train", "y_train", "x_test", "y_test")) -> NpyFormat.loadNpz(file)
            names.containsAll(listOf("x", "y")) ->
                TrainTestSplit.stratified(NpyFormat.readNpz(file, "x", "y") as Dataset, seed, TEST_FRACTION)
            else -> throw IllegalArgumentException("--data $file: a .npz needs arrays x_train, y_train, x_test and " +
                "y_test, or x and y; it holds ${names.joinToString()}")
        }
        return of(name, file, split, Preprocessing.NONE, 8, 3)
    }

    private fun csv(name: String, file: Path, seed: Long, options: ImageOptions): LoadedData {
        val all = CsvFormat.labelFirstSquare(file, options.channels ?: 1).read(file)
        return of(name, file, TrainTestSplit.stratified(all, seed, TEST_FRACTION), Preprocessing.NONE, 8, 3)
    }

    private fun mnist(name: String, dir: Path): LoadedData {
        val split = MnistFormat.load(dir)
        return of(name, dir, split, Preprocessing.NONE, 8, 3, classesAtLeast = MnistFormat.CLASSES)
    }

    private fun of(name: String, source: Path, split: TrainTestSplit<out Dataset>, preprocessing: Preprocessing,
                   floatEpochs: Int, qatEpochs: Int, augmentation: Transform? = null,
                   classesAtLeast: Int = 0): LoadedData {
        val shape = split.train().get(0).shape().toArray()
        return LoadedData(name, source.toString(), split, shape, maxOf(split.numClasses(), classesAtLeast), floatEpochs,
            qatEpochs, preprocessing, augmentation)
    }

    /** The data normalized as `--normalize` asks (and [Preprocessing] records), both parts alike. */
    private fun normalized(data: LoadedData, options: ImageOptions): LoadedData {
        val channels = data.inputShape[0]
        val mean = options.mean(channels) ?: return data
        val std = options.std(channels)!!
        require(data.inputShape.size == 3) {
            "--normalize needs images [C, H, W]; this data gives examples of shape ${data.inputShape.toList()}"
        }
        val transform = Transform.normalize(mean, std)
        val split = TrainTestSplit(data.split.train().transformed(transform), data.split.test().transformed(transform))
        return data.copy(split = split, preprocessing = data.preprocessing.normalizedBy(mean, std))
    }

    /** A fixed random sample of [n] training examples (files are often sorted by class, so not the first [n]). */
    private fun limited(data: LoadedData, n: Int, seed: Long): LoadedData {
        val train = data.split.train()
        if (n >= train.size()) return data
        val indexes = IntArray(train.size()) { it }
        val random = SplittableRandom(seed)
        for (i in 0 until n) {
            val j = i + random.nextInt(train.size() - i)
            indexes[i] = indexes[j].also { indexes[j] = indexes[i] }
        }
        val picked = indexes.copyOf(n).sortedArray()
        return data.copy(split = TrainTestSplit(train.subset(*picked), data.split.test()))
    }
}
