package io.jqi.train;

import io.jqi.data.Batch;
import io.jqi.data.DataLoader;
import io.jqi.data.Dataset;
import io.jqi.nn.Module;
import io.jqi.nn.optim.LrScheduler;
import io.jqi.nn.optim.Optimizer;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The classification training loop: cross-entropy, one optimizer step per batch, the learning-rate schedule stepped
 * after each epoch, evaluation on held-out data, and callbacks for progress, checkpoints and early stopping. Float
 * models and QAT models (from {@code Qat.init}) train alike; batches go to the device of the model's parameters.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, optimizer)
 *         .schedule(new CosineAnnealingLR(optimizer, 10, 0))
 *         .callbacks(new ProgressLogger(System.out), new EarlyStopping(3, 0.001))
 *         .build();
 * History history = trainer.fit(loader, testSet, 10);
 * }</pre>
 *
 * A run resumed from a {@link Checkpointing} checkpoint at epoch {@code e} ({@link #fit(DataLoader, Dataset, int, int)})
 * trains exactly as the uninterrupted run would have: the loader's epoch order and augmentation depend only on its
 * seed and the epoch, and the schedule is advanced to the epoch. One trainer serves one thread at a time.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final LrScheduler schedule;
    private final List<TrainingCallback> callbacks;
    private final int evaluateEvery;
    private final int evaluationLimit;
    private final int evaluationBatch;
    private final Distillation distillation;
    private final TrainingPenalty penalty;
    private final GradientExchange exchange;
    private String stopReason;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.callbacks = List.copyOf(b.callbacks);
        this.evaluateEvery = b.evaluateEvery;
        this.evaluationLimit = b.evaluationLimit;
        this.evaluationBatch = b.evaluationBatch;
        this.distillation = b.distillation;
        this.penalty = b.penalty;
        this.exchange = b.exchange;
    }

    /** A trainer of {@code model} by {@code optimizer} (built over the model's parameters). */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(model, optimizer);
    }

    /** Trains {@code epochs} epochs from the start, evaluating on {@code validation} (null: no evaluation). */
    public History fit(DataLoader train, Dataset validation, int epochs) {
        return fit(train, validation, 0, epochs);
    }

    /**
     * Trains epochs {@code epochsDone + 1 .. epochs}, as a run that has already finished {@code epochsDone} (its model
     * and optimizer state restored, for example by {@link Checkpointing#restore}) goes on. The schedule, if behind,
     * is stepped to {@code epochsDone}.
     */
    public History fit(DataLoader train, Dataset validation, int epochsDone, int epochs) {
        if (epochsDone < 0 || epochs < epochsDone) {
            throw new IllegalArgumentException("fit needs 0 <= epochsDone <= epochs, got " + epochsDone + " and "
                    + epochs);
        }
        Dataset evaluated = validation == null ? null : limited(validation);
        while (schedule != null && schedule.epoch() < epochsDone) {
            schedule.step();
        }
        stopReason = null;
        List<EpochResult> results = new ArrayList<>();
        for (int epoch = epochsDone + 1; epoch <= epochs && stopReason == null; epoch++) {
            double lr = optimizer.lr();
            long start = System.nanoTime();
            double[] lossAndCount = trainEpoch(train, epoch);
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean evaluate = evaluated != null && (epoch % evaluateEvery == 0 || epoch == epochs);
            Metrics metrics = evaluate ? Evaluation.evaluate(model, evaluated, evaluationBatch) : null;
            if (schedule != null) {
                schedule.step();
            }
            EpochResult result = new EpochResult(epoch, lossAndCount[0], (int) lossAndCount[1], seconds, lr, metrics);
            results.add(result);
            for (TrainingCallback callback : callbacks) {
                callback.onEpochEnd(this, result);
            }
        }
        return new History(results, Optional.ofNullable(stopReason));
    }

    /**
     * One epoch over {@code train}'s epoch {@code epoch - 1} (its order and augmentation), in training mode;
     * returns the mean loss and the number of examples. Callbacks see every batch.
     */
    double[] trainEpoch(DataLoader train, int epoch) {
        model.train();
        if (distillation != null) {
            distillation.teacher().eval();
        }
        Device device = deviceOf(model);
        int batches = train.batchesPerEpoch();
        double lossSum = 0;
        int examples = 0;
        int index = 0;
        for (Batch batch : train.epoch(epoch - 1)) {
            index++;
            optimizer.zeroGrad();
            Tensor inputs = batch.inputs().to(device);
            Tensor logits = model.forward(inputs);
            Tensor loss = distillation == null ? Losses.crossEntropy(logits, batch.labels())
                    : distillation.loss(logits, inputs, batch.labels());
            if (penalty != null) {
                loss = loss.add(penalty.of(model));
            }
            loss.backward();
            double value = loss.item();
            if (!Double.isFinite(value)) {
                throw new TrainingDivergedException("the loss became " + value + " at epoch " + epoch + ", batch "
                        + index + " of " + batches + " (learning rate " + optimizer.lr() + "); lower the learning "
                        + "rate, and check the inputs are normalized as the model expects");
            }
            if (exchange != null) {
                try (var ignored = Tensor.noGrad()) {
                    exchange.exchange(model);
                }
            }
            optimizer.step();
            lossSum += value * batch.size();
            examples += batch.size();
            for (TrainingCallback callback : callbacks) {
                callback.onBatchEnd(this, epoch, index, batches, batch.size(), value);
            }
        }
        return new double[] {examples == 0 ? Double.NaN : lossSum / examples, examples};
    }

    /** Asks {@link #fit} to stop after the current epoch, for {@code reason} (reported in the {@link History}). */
    public void stop(String reason) {
        stopReason = Objects.requireNonNull(reason, "reason");
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The distillation the loss includes, or null for plain cross-entropy. */
    public Distillation distillation() {
        return distillation;
    }

    /** The penalty added to every batch's loss, or null for none. */
    public TrainingPenalty penalty() {
        return penalty;
    }

    /** The schedule, or null when the learning rate is constant. */
    public LrScheduler schedule() {
        return schedule;
    }

    /** The validation examples evaluated: all, or a fixed random sample of {@code evaluationLimit}. */
    private Dataset limited(Dataset validation) {
        int n = validation.size();
        if (evaluationLimit == 0 || evaluationLimit >= n) {
            return validation;
        }
        // A fixed sample (not the first examples: folders and files are often sorted by class).
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int i = 0; i < evaluationLimit; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] picked = Arrays.copyOf(all, evaluationLimit);
        Arrays.sort(picked);
        return validation.subset(picked);
    }

    static Device deviceOf(Module model) {
        List<Tensor> parameters = model.parameters();
        return parameters.isEmpty() ? Device.CPU : parameters.get(0).device();
    }

    /** Settings of a {@link Trainer}; every one has a default but the model and optimizer. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private LrScheduler schedule;
        private final List<TrainingCallback> callbacks = new ArrayList<>();
        private int evaluateEvery = 1;
        private int evaluationLimit;
        private int evaluationBatch = 256;
        private Distillation distillation;
        private TrainingPenalty penalty;
        private GradientExchange exchange;

        private Builder(Module model, Optimizer optimizer) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** Steps {@code schedule} (made over the same optimizer) after each epoch. */
        public Builder schedule(LrScheduler schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Adds callbacks, called in the order given. */
        public Builder callbacks(TrainingCallback... callbacks) {
            this.callbacks.addAll(List.of(callbacks));
            return this;
        }

        /** Evaluates every {@code epochs} epochs, and always after the last (default 1: every epoch). */
        public Builder evaluateEvery(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("evaluateEvery needs a number of epochs >= 1, got " + epochs);
            }
            this.evaluateEvery = epochs;
            return this;
        }

        /**
         * Evaluates on a fixed random sample of {@code examples} validation examples (0, the default: all of them),
         * for models whose full evaluation would dominate the run.
         */
        public Builder evaluationLimit(int examples) {
            if (examples < 0) {
                throw new IllegalArgumentException("evaluationLimit needs a number of examples >= 0 (0: all), got "
                        + examples);
            }
            this.evaluationLimit = examples;
            return this;
        }

        /** The batch size of evaluation (default 256); it changes speed and memory, not results. */
        public Builder evaluationBatch(int examples) {
            if (examples < 1) {
                throw new IllegalArgumentException("evaluationBatch must be >= 1, got " + examples);
            }
            this.evaluationBatch = examples;
            return this;
        }

        /**
         * Adds knowledge distillation from {@code distillation}'s teacher to the loss (null: plain cross-entropy, the
         * default). The teacher must be on the model's device and must not share parameters with it.
         */
        public Builder distillation(Distillation distillation) {
            this.distillation = distillation;
            return this;
        }

        /**
         * Adds {@code penalty}, evaluated after each batch's forward pass, to the batch's loss (null: none, the
         * default); the reported training loss includes it.
         */
        public Builder penalty(TrainingPenalty penalty) {
            this.penalty = penalty;
            return this;
        }

        /**
         * Runs {@code exchange} after every batch's backward pass, before the optimizer's step (null: none): the hook
         * of data-parallel training.
         */
        public Builder gradientExchange(GradientExchange exchange) {
            this.exchange = exchange;
            return this;
        }

        public Trainer build() {
            if (distillation != null) {
                Device teacherDevice = deviceOf(distillation.teacher());
                if (teacherDevice != deviceOf(model)) {
                    throw new IllegalArgumentException("the distillation teacher is on " + teacherDevice
                            + " but the model trains on " + deviceOf(model) + "; move the teacher with to(device)");
                }
                Set<Tensor> trained = Collections.newSetFromMap(new IdentityHashMap<>());
                trained.addAll(model.parameters());
                if (distillation.teacher().parameters().stream().anyMatch(trained::contains)) {
                    throw new IllegalArgumentException("the distillation teacher shares parameters with the model "
                            + "being trained, so it would learn along; distill from a separate model, such as the "
                            + "float model Qat.init copied");
                }
            }
            return new Trainer(this);
        }
    }
}
