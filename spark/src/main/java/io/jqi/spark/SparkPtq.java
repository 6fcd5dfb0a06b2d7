package io.jqi.spark;

import io.jqi.json.QatConfigJson;
import io.jqi.json.TargetPlatformJson;
import io.jqi.modelfile.ModelFile;
import io.jqi.nn.Module;
import io.jqi.ptq.BatchSummary;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqSummaries;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.StatisticsPass;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.QatConfig;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * PTQ's analysis with its statistics pass run data-parallel on Spark: each executor summarizes the batches it holds
 * with its own copy of the model, and the driver folds the summaries in batch order into the plan that a single
 * process makes from the same batches, bit for bit (docs/spark.md, docs/quantizer-contract.md#ptq-statistics).
 *
 * <pre>{@code
 * QuantizationPlan plan = SparkPtq.analyze(examples, new int[] {1, 28, 28}, 64, model, config, platform);
 * GraphModel qatModel = Qat.init(plan, config, QuantizerRegistry.global());
 * }</pre>
 *
 * <p>The batches are the single process's: consecutive runs of {@code batchSize} examples in the RDD's order (the
 * last one shorter when the count is not a multiple), as {@link #batches} makes them from the collected examples.
 * The model travels to the executors as the bytes of a {@code .jqi} model file, the config and the platform as their
 * JSON, so the executors need jqi's jars and nothing else.
 */
public final class SparkPtq {
    private SparkPtq() {
    }

    /**
     * The analysis that {@code Qat.init(model, batches, config, platform)} starts from, for {@code Qat.init(plan,
     * config, registry)}: {@code examples} are single inputs of {@code exampleShape}, flattened. A shift-negative
     * correction that changes the graph takes a second distributed pass through the corrected graph. A
     * mixed-precision search, which passes over the data once per layer and candidate width, is refused.
     */
    public static QuantizationPlan analyze(JavaRDD<float[]> examples, int[] exampleShape, int batchSize, Module model,
            QatConfig config, TargetPlatform platform) {
        return Ptq.fromSummaries(model, summaries(examples, exampleShape, batchSize, model, config, platform), platform,
                config.ptq(), config);
    }

    /**
     * The summaries of both statistics passes, every batch's in batch order, each made on an executor: the first,
     * and, when shift-negative correction changes the graph, the second through the corrected graph, which every
     * executor rebuilds from the first pass's summaries.
     */
    static PtqSummaries summaries(JavaRDD<float[]> examples, int[] exampleShape, int batchSize, Module model,
            QatConfig config, TargetPlatform platform) {
        requireBatching(exampleShape, batchSize);
        if (config.mixedPrecision() != null) {
            throw new IllegalArgumentException("A mixed-precision search passes over the data once per layer and "
                    + "candidate width, which jqi does not run on Spark yet; search on one machine (Qat.init) or "
                    + "give fixed bits");
        }
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(examples.context());
        Broadcast<byte[]> modelBytes = spark.broadcast(ModelFile.toBytes(model));
        String configJson = QatConfigJson.write(config);
        String platformJson = TargetPlatformJson.write(platform);
        int size = batchSize;
        JavaPairRDD<Long, Iterable<Tuple2<Long, float[]>>> batches = examples.zipWithIndex()
                .mapToPair(e -> new Tuple2<>(e._2() / size, new Tuple2<>(e._2(), e._1())))
                .groupByKey()
                .cache();
        try {
            List<BatchSummary> first = inOrder(batches.mapPartitionsToPair(
                    new Summarize(modelBytes, configJson, platformJson, exampleShape.clone(), null)).collect());
            if (Ptq.correctedStatisticsPass(model, platform, config.ptq(), config, first) == null) {
                return new PtqSummaries(first, null);
            }
            Broadcast<List<BatchSummary>> firstPass = spark.broadcast(first);
            List<BatchSummary> corrected = inOrder(batches.mapPartitionsToPair(
                    new Summarize(modelBytes, configJson, platformJson, exampleShape.clone(), firstPass)).collect());
            firstPass.destroy();
            return new PtqSummaries(first, corrected);
        } finally {
            batches.unpersist();
            modelBytes.destroy();
        }
    }

    private static List<BatchSummary> inOrder(List<Tuple2<Long, BatchSummary>> summaries) {
        List<Tuple2<Long, BatchSummary>> sorted = new ArrayList<>(summaries);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        List<BatchSummary> inOrder = new ArrayList<>();
        for (Tuple2<Long, BatchSummary> s : sorted) {
            inOrder.add(s._2());
        }
        return inOrder;
    }

    /**
     * The batches that {@link #analyze} summarizes, made on one machine: consecutive runs of {@code batchSize} of
     * {@code examples}, each a tensor {@code [n, exampleShape...]}.
     */
    public static List<Tensor> batches(List<float[]> examples, int[] exampleShape, int batchSize) {
        requireBatching(exampleShape, batchSize);
        List<Tensor> batches = new ArrayList<>();
        for (int from = 0; from < examples.size(); from += batchSize) {
            batches.add(batch(examples.subList(from, Math.min(examples.size(), from + batchSize)), exampleShape));
        }
        return batches;
    }

    static void requireBatching(int[] exampleShape, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, got " + batchSize);
        }
        if (exampleShape.length == 0 || Arrays.stream(exampleShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("An example's shape needs at least one dimension, each at least 1; got "
                    + Arrays.toString(exampleShape));
        }
    }

    /** {@code examples}, each of {@code shape}, as one tensor {@code [examples, shape...]}. */
    static Tensor batch(List<float[]> examples, int[] shape) {
        int size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        float[] values = new float[Math.multiplyExact(examples.size(), size)];
        for (int i = 0; i < examples.size(); i++) {
            float[] e = examples.get(i);
            if (e.length != size) {
                throw new IllegalArgumentException("An example has " + e.length + " values where the example shape "
                        + Arrays.toString(shape) + " needs " + size);
            }
            System.arraycopy(e, 0, values, i * size, size);
        }
        int[] dims = new int[shape.length + 1];
        dims[0] = examples.size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        return Tensor.of(values, dims);
    }

    /**
     * On an executor: one statistics pass per partition, from the model's bytes (the corrected graph's, rebuilt from
     * the first pass's summaries, when {@code firstPass} is given), then each batch of the partition reassembled in
     * example order and summarized.
     */
    private static final class Summarize implements
            PairFlatMapFunction<Iterator<Tuple2<Long, Iterable<Tuple2<Long, float[]>>>>, Long, BatchSummary> {
        private static final long serialVersionUID = 1L;

        private final Broadcast<byte[]> model;
        private final String config;
        private final String platform;
        private final int[] exampleShape;
        private final Broadcast<List<BatchSummary>> firstPass;

        Summarize(Broadcast<byte[]> model, String config, String platform, int[] exampleShape,
                Broadcast<List<BatchSummary>> firstPass) {
            this.model = model;
            this.config = config;
            this.platform = platform;
            this.exampleShape = exampleShape;
            this.firstPass = firstPass;
        }

        @Override
        public Iterator<Tuple2<Long, BatchSummary>> call(
                Iterator<Tuple2<Long, Iterable<Tuple2<Long, float[]>>>> batches) {
            if (!batches.hasNext()) {
                return Collections.emptyIterator();
            }
            QatConfig qat = QatConfigJson.read(config);
            Module copy = ModelFile.fromBytes(model.value()).getModel();
            TargetPlatform target = TargetPlatformJson.read(platform);
            StatisticsPass pass = firstPass == null ? Ptq.statisticsPass(copy, target, qat.ptq(), qat)
                    : Ptq.correctedStatisticsPass(copy, target, qat.ptq(), qat, firstPass.value());
            List<Tuple2<Long, BatchSummary>> out = new ArrayList<>();
            while (batches.hasNext()) {
                Tuple2<Long, Iterable<Tuple2<Long, float[]>>> b = batches.next();
                List<Tuple2<Long, float[]>> examples = new ArrayList<>();
                b._2().forEach(examples::add);
                examples.sort(Comparator.comparing(Tuple2::_1));
                List<float[]> values = new ArrayList<>(examples.size());
                examples.forEach(e -> values.add(e._2()));
                out.add(new Tuple2<>(b._1(), pass.summarize(batch(values, exampleShape))));
            }
            return out.iterator();
        }
    }
}
