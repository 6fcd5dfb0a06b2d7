package io.jqi.spark;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.json.TargetPlatformJson;
import io.jqi.nn.Module;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.CosineAnnealingLR;
import io.jqi.ptq.PtqSummaries;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.QatConfig;
import io.jqi.tensor.Device;
import io.jqi.tensor.Tensor;
import io.jqi.train.Checkpointing;
import io.jqi.train.Distillation;
import io.jqi.train.EpochResult;
import io.jqi.train.History;
import io.jqi.train.Trainer;
import io.jqi.train.TrainingCallback;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Data-parallel training on Spark: one model replica per task of a barrier stage, each step's gradients averaged
 * over the replicas in rank order ({@link AllReduce}), every replica taking the same Adam step (docs/spark.md).
 *
 * <pre>{@code
 * SparkTraining.Result r = SparkTraining.qat(examples, new int[] {1, 28, 28}, floatModel, config, platform,
 *         new SparkTraining.Settings(2, 64, 3, 1e-3, 0, true));
 * Module trained = r.model();
 * }</pre>
 *
 * <p>Step b trains on the global batch of examples {@code [b * batchSize, (b + 1) * batchSize)} in the RDD's order
 * (examples past the last whole batch are left out): worker w holds the {@code batchSize / workers} examples
 * {@code w * shard ...} of every global batch, for good. With {@code shuffle}, each worker shuffles its own shard
 * every epoch with a seed of its own, so a global batch is made of the workers' shuffled shards; without, a run
 * takes the same batches as a single process with a loader over the same examples, unshuffled, dropping the last
 * partial batch, and ends at its model within float rounding.
 */
public final class SparkTraining {
    private SparkTraining() {
    }

    /**
     * How to train: {@code workers} replicas (one task each; the cluster needs that many free slots at once), the
     * global batch ({@code batchSize}, a multiple of {@code workers}), epochs, Adam's learning rate, the seed of the
     * per-worker shuffles; then, set with the {@code with} methods: the checkpoint file (null: none), whether the
     * learning rate anneals along a cosine to 0 over the epochs (as {@code jqi qat} trains), and the device each
     * replica trains on.
     */
    public record Settings(int workers, int batchSize, int epochs, double learningRate, long seed, boolean shuffle,
            String checkpoint, boolean cosine, Device device, DistillationSettings distillation)
            implements Serializable {
        /** Settings without checkpoints or distillation, at a constant learning rate, on the CPU. */
        public Settings(int workers, int batchSize, int epochs, double learningRate, long seed, boolean shuffle) {
            this(workers, batchSize, epochs, learningRate, seed, shuffle, null, false, Device.CPU, null);
        }

        public Settings {
            if (workers < 1 || batchSize < 1 || batchSize % workers != 0) {
                throw new IllegalArgumentException("The global batch (" + batchSize + ") must be a positive multiple "
                        + "of the worker count (" + workers + ")");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("Train at least one epoch, got " + epochs);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("The learning rate must be positive and finite, got "
                        + learningRate);
            }
            Objects.requireNonNull(device, "device");
        }

        /**
         * These settings with checkpoints in {@code file}, a path that every executor and the driver can read and
         * write (a shared file system): every epoch's end is saved there, and a run, or a retried stage, starts from
         * the last one saved.
         */
        public Settings withCheckpoint(String file) {
            return new Settings(workers, batchSize, epochs, learningRate, seed, shuffle, file, cosine, device,
                    distillation);
        }

        /** These settings with the learning rate annealed along a cosine from {@code learningRate} to 0. */
        public Settings withCosineSchedule() {
            return new Settings(workers, batchSize, epochs, learningRate, seed, shuffle, checkpoint, true, device,
                    distillation);
        }

        /**
         * These settings with every replica on {@code device}. For {@link Device#CUDA} each executor needs one GPU
         * of its own, visible to it as device 0 (docs/spark.md#gpu-executors), and jqi-cuda-kernels on its classpath.
         */
        public Settings withDevice(Device device) {
            return new Settings(workers, batchSize, epochs, learningRate, seed, shuffle, checkpoint, cosine, device,
                    distillation);
        }

        /**
         * These settings with QAT distilled from the float model ({@code io.jqi.train.Distillation}: the soft loss at
         * {@code temperature}, weighted {@code weight}); every worker runs its own copy of the float model as the
         * teacher. Only {@link #qat} takes it: a float model has no teacher.
         */
        public Settings withDistillation(float temperature, float weight) {
            return new Settings(workers, batchSize, epochs, learningRate, seed, shuffle, checkpoint, cosine, device,
                    new DistillationSettings(temperature, weight));
        }
    }

    /** Distillation's temperature and the soft loss's weight, as {@link Settings#withDistillation} sets them. */
    public record DistillationSettings(float temperature, float weight) implements Serializable {
    }

    /**
     * The trained model (the driver's replica with worker 0's final state), each epoch's training loss (the mean
     * over workers of their shards' mean losses), and the time worker 0 spent training and in the exchange.
     */
    public record Result(Module model, List<Double> epochLosses, double trainSeconds, double exchangeSeconds,
            long exchangedBytes) {
    }

    /** Trains the float {@code model} (which is not changed) on {@code examples} of {@code exampleShape}. */
    public static Result train(JavaRDD<LabeledInput> examples, int[] exampleShape, Module model, Settings settings) {
        if (settings.distillation() != null) {
            throw new IllegalArgumentException("Distillation learns from the float model, which a float model's own "
                    + "training does not have yet; distil in SparkTraining.qat");
        }
        return run(examples, exampleShape, Replica.floatModel(model), settings, Fault.NONE);
    }

    /**
     * QAT: {@code Qat.init} from {@code floatModel} with its PTQ statistics taken data-parallel over every input of
     * {@code examples} in batches of {@code settings.batchSize()} ({@link SparkPtq}), then trained as
     * {@link #train} does.
     */
    public static Result qat(JavaRDD<LabeledInput> examples, int[] exampleShape, Module floatModel, QatConfig config,
            TargetPlatform platform, Settings settings) {
        PtqSummaries summaries = SparkPtq.summaries(examples.map(LabeledInput::input), exampleShape,
                settings.batchSize(), floatModel, config, platform);
        return qat(examples, exampleShape, floatModel, config, platform, summaries, settings);
    }

    /**
     * QAT from the analysis whose statistics are {@code summaries} (from {@code Ptq.summaries} on representative
     * batches, or {@link SparkPtq}), trained as {@link #train} does: every replica, and the returned model, starts from
     * {@code Qat.init(Ptq.fromSummaries(...))}.
     */
    public static Result qat(JavaRDD<LabeledInput> examples, int[] exampleShape, Module floatModel, QatConfig config,
            TargetPlatform platform, PtqSummaries summaries, Settings settings) {
        return run(examples, exampleShape, Replica.qat(floatModel, config, TargetPlatformJson.write(platform),
                summaries), settings, Fault.NONE);
    }

    /**
     * A failure injected into a worker, for the tests of recovery: called after every batch with the stage attempt,
     * the worker's rank, the epoch and the batch; it throws to fail the task.
     */
    interface Fault extends Serializable {
        Fault NONE = (attempt, rank, epoch, batch) -> { };

        void afterBatch(int attempt, int rank, int epoch, int batch);
    }

    static Result run(JavaRDD<LabeledInput> examples, int[] exampleShape, Replica replica, Settings settings,
            Fault fault) {
        SparkPtq.requireBatching(exampleShape, settings.batchSize());
        long used = examples.count() / settings.batchSize() * settings.batchSize();
        if (used == 0) {
            throw new IllegalArgumentException("There are fewer examples than one global batch ("
                    + settings.batchSize() + ")");
        }
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(examples.context());
        // A barrier stage needs every task running at once; with too few slots Spark waits and retries for minutes
        // before it gives up, so say it now.
        if (settings.workers() > spark.defaultParallelism()) {
            throw new IllegalArgumentException(settings.workers() + " workers need " + settings.workers()
                    + " task slots at once, and this Spark has " + spark.defaultParallelism() + " (its default "
                    + "parallelism); use fewer workers, or give Spark more executors or cores");
        }
        Broadcast<Replica> shared = spark.broadcast(replica);
        int batch = settings.batchSize();
        int shard = batch / settings.workers();
        TrainTask task = new TrainTask(shared, exampleShape.clone(), settings, fault);
        List<TaskResult> results = examples.zipWithIndex()
                .filter(e -> e._2() < used)
                .mapToPair(e -> new Tuple2<>((int) (e._2() % batch / shard), new Tuple2<>(e._2(), e._1())))
                .partitionBy(new HashPartitioner(settings.workers()))
                .values()
                .rdd()
                .barrier()
                .mapPartitions(new JavaPartitions<>(task), false, ClassTag$.MODULE$.apply(TaskResult.class))
                .toJavaRDD()
                // A shuffle after the barrier stage makes it a shuffle-map stage, which Spark runs again as a whole
                // when a task fails; a failed barrier result stage is not retried.
                .coalesce(1, true)
                .collect();
        shared.destroy();
        TaskResult first = results.get(0);
        Module model = replica.build();
        Map<String, Tensor> state = new LinkedHashMap<>();
        first.values.forEach((name, values) -> state.put(name, Tensor.of(values, first.shapes.get(name))));
        model.loadStateDict(state);
        return new Result(model, first.losses, first.trainSeconds, first.exchangeSeconds, first.exchangedBytes);
    }

    /** What worker 0 sends back. */
    private record TaskResult(Map<String, float[]> values, Map<String, int[]> shapes, List<Double> losses,
            double trainSeconds, double exchangeSeconds, long exchangedBytes) implements Serializable {
    }

    /** One worker of the barrier stage: its replica, its shard, the trainer with the exchange. */
    private static final class TrainTask implements FlatMapFunction<Iterator<Tuple2<Long, LabeledInput>>, TaskResult> {
        private static final long serialVersionUID = 1L;

        private final Broadcast<Replica> replica;
        private final int[] exampleShape;
        private final Settings settings;
        private final Fault fault;

        TrainTask(Broadcast<Replica> replica, int[] exampleShape, Settings settings, Fault fault) {
            this.replica = replica;
            this.exampleShape = exampleShape;
            this.settings = settings;
            this.fault = fault;
        }

        @Override
        public Iterator<TaskResult> call(Iterator<Tuple2<Long, LabeledInput>> examples) {
            BarrierTaskContext context = BarrierTaskContext.get();
            int rank = context.partitionId();
            Module model = replica.value().build().to(settings.device());
            DataLoader loader = new DataLoader(shard(examples), settings.batchSize() / settings.workers(),
                    settings.shuffle(), settings.seed() + rank, true);
            String address = context.getTaskInfos()[rank].address();
            try (AllReduce exchange = new AllReduce(context, address.substring(0, address.lastIndexOf(':')))) {
                Adam adam = new Adam(model.parameters(), settings.learningRate());
                Trainer.Builder trainer = Trainer.builder(model, adam).gradientExchange(exchange);
                if (settings.cosine()) {
                    trainer.schedule(new CosineAnnealingLR(adam, settings.epochs(), 0));
                }
                DistillationSettings distill = settings.distillation();
                if (distill != null) {
                    trainer.distillation(new Distillation(replica.value().floatCopy().to(settings.device()),
                            distill.temperature(), distill.weight()));
                }
                int attempt = context.stageAttemptNumber();
                trainer.callbacks(new TrainingCallback() {
                    @Override
                    public void onBatchEnd(Trainer t, int epoch, int batch, int batches, int examples, double loss) {
                        fault.afterBatch(attempt, rank, epoch, batch);
                    }
                });
                int done = restore(context, model, adam, trainer);
                long start = System.nanoTime();
                History history = trainer.build().fit(loader, null, done, settings.epochs());
                double seconds = (System.nanoTime() - start) / 1e9;
                List<Double> losses = meanOverWorkers(context, history);
                if (rank != 0) {
                    return Collections.emptyIterator();
                }
                Map<String, float[]> values = new LinkedHashMap<>();
                Map<String, int[]> shapes = new LinkedHashMap<>();
                model.stateDict().forEach((name, t) -> {
                    values.put(name, t.toFloatArray());
                    shapes.put(name, t.shape().toArray());
                });
                return List.of(new TaskResult(values, shapes, losses, seconds, exchange.seconds(), exchange.bytes()))
                        .iterator();
            }
        }

        /** This worker's examples, in the RDD's order, as a dataset. */
        private TensorDataset shard(Iterator<Tuple2<Long, LabeledInput>> examples) {
            List<Tuple2<Long, LabeledInput>> mine = new ArrayList<>();
            examples.forEachRemaining(mine::add);
            mine.sort(Comparator.comparing(Tuple2::_1));
            List<float[]> inputs = new ArrayList<>(mine.size());
            int[] labels = new int[mine.size()];
            for (int i = 0; i < mine.size(); i++) {
                inputs.add(mine.get(i)._2().input());
                labels[i] = mine.get(i)._2().label();
            }
            return new TensorDataset(SparkPtq.batch(inputs, exampleShape), labels);
        }

        /**
         * The epochs already done: restored from the checkpoint into the model and the optimizer, when there is one
         * (worker 0 then saves every epoch's end there), checked to be the same on every worker, or the exchange
         * would pair different steps.
         */
        private int restore(BarrierTaskContext context, Module model, Adam adam, Trainer.Builder trainer) {
            int done = 0;
            if (settings.checkpoint() != null) {
                Path file = Path.of(settings.checkpoint());
                try {
                    done = Checkpointing.restore(file, model, adam);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read the checkpoint " + file + ": " + e.getMessage(), e);
                }
                if (context.partitionId() == 0) {
                    trainer.callbacks(new Checkpointing(file));
                }
            }
            String[] starts = context.allGather(Integer.toString(done));
            for (String start : starts) {
                if (Integer.parseInt(start) != done) {
                    throw new IllegalStateException("The workers restored different epochs from "
                            + settings.checkpoint() + ": " + String.join(", ", starts));
                }
            }
            return done;
        }

        /** Each epoch's loss, averaged over the workers in rank order. */
        private static List<Double> meanOverWorkers(BarrierTaskContext context, History history) {
            StringBuilder mine = new StringBuilder();
            for (EpochResult e : history.epochs()) {
                mine.append(mine.length() == 0 ? "" : ",").append(Double.toString(e.trainLoss()));
            }
            String[] all = context.allGather(mine.toString());
            List<Double> mean = new ArrayList<>();
            for (int epoch = 0; epoch < history.epochs().size(); epoch++) {
                double sum = 0;
                for (String worker : all) {
                    sum += Double.parseDouble(worker.split(",")[epoch]);
                }
                mean.add(sum / all.length);
            }
            return mean;
        }
    }
}
