package io.jqi.cuda.bench;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import io.jqi.cuda.CudaAvailability;
import io.jqi.cuda.CudaBackend;
import io.jqi.cuda.CudaProbe;
import io.jqi.cuda.QatCnn;
import io.jqi.models.BuiltInModels;
import io.jqi.nn.Module;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.Optimizer;
import io.jqi.qat.QatConfig;
import io.jqi.quant.TrainingMethod;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Times one training step (forward, cross-entropy, backward, Adam) of the built-in {@code cnn} and {@code resnet} at
 * batch 256 on Fashion-MNIST-shaped input [1, 28, 28]: float, and wrapped for QAT as {@code jqi qat} does (w8a8 STE,
 * and w4a4 LSQ for the cnn),
 * on the CUDA backend (CUDA events around {@code --steps} steps after {@code --warmup}) and on the CPU backend
 * (wall clock). The GPU is timed twice: steps back to back, and with the loss read to the host after every step as
 * the CLI's training loop does. Batches are made on the host and moved with {@code to(Device.CUDA)} inside the timed
 * region, as a data loader's would be.
 *
 * <p>Run: {@code java -cp <jars and test classes> io.jqi.cuda.bench.TrainStepGpuBench [RESULTS_DIR] [--steps 20] [--warmup 5]
 * [--batch 256] [--cpu-steps 3] [--no-cpu]}.
 */
public final class TrainStepGpuBench {
    private static final int[] IMAGE = {1, 28, 28};

    private record Variant(String name, Supplier<Module> model) {
    }

    private record Timing(double gpuMs, double gpuWithReadMs, double cpuMs) {
    }

    private TrainStepGpuBench() {
    }

    public static void main(String[] args) {
        int steps = intArg(args, "--steps", 20);
        int warmup = intArg(args, "--warmup", 5);
        int batch = intArg(args, "--batch", 256);
        int cpuSteps = intArg(args, "--cpu-steps", 3);
        boolean cpu = !List.of(args).contains("--no-cpu");
        CudaAvailability cuda = CudaProbe.probe();
        if (!cuda.available()) {
            System.err.println("CUDA is unavailable: " + cuda.reason());
            System.exit(2);
        }
        List<Variant> variants = List.of(
                new Variant("cnn float", () -> BuiltInModels.create("cnn", IMAGE, QatCnn.CLASSES, 1)),
                new Variant("cnn QAT w8a8 STE", () -> QatCnn.create(IMAGE, QatCnn.steW8A8(), 1)),
                new Variant("cnn QAT w4a4 LSQ", () -> QatCnn.create(IMAGE, lsq(), 1)),
                new Variant("resnet float", () -> BuiltInModels.create("resnet", IMAGE, QatCnn.CLASSES, 1)),
                new Variant("resnet QAT w8a8 STE", () -> QatCnn.create("resnet", IMAGE, QatCnn.steW8A8(), 1)));
        // -Djqi.cuda.gemm (auto, cublas, jqi) picks the GEMM; the header says which one ran.
        System.out.printf(Locale.ROOT, "jqi training step, batch %d, input %dx%dx%d; GPU: %s; GEMM: %s%n", batch,
                IMAGE[0], IMAGE[1], IMAGE[2], cuda.reason(), new CudaBackend().gemmInUse());
        List<String> rows = new ArrayList<>();
        for (Variant v : variants) {
            Timing t = time(v, batch, steps, warmup, cpu ? cpuSteps : 0);
            rows.add(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s | %.0f |", v.name(), t.gpuMs(),
                    t.gpuWithReadMs(), cpu ? String.format(Locale.ROOT, "%.1f", t.cpuMs()) : "-",
                    cpu ? String.format(Locale.ROOT, "%.1fx", t.cpuMs() / t.gpuMs()) : "-",
                    batch * 1000.0 / t.gpuMs()));
        }
        System.out.println("| model | GPU ms/step | GPU ms/step, loss read each step | CPU ms/step | GPU speed-up "
                + "| GPU images/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    private static QatConfig lsq() {
        return QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4))
                .activations(a -> a.training(TrainingMethod.LSQ).symmetric(4))
                .build();
    }

    private static Timing time(Variant v, int batch, int steps, int warmup, int cpuSteps) {
        Module gpuModel = v.model().get().to(Device.CUDA);
        gpuModel.train();
        Trainer gpu = new Trainer(gpuModel, Device.CUDA, batch);
        for (int i = 0; i < warmup; i++) {
            gpu.step(true);
        }
        double gpuMs = eventMillis(() -> {
            for (int i = 0; i < steps; i++) {
                gpu.step(false);
            }
        }) / steps;
        double gpuReadMs = eventMillis(() -> {
            for (int i = 0; i < steps; i++) {
                gpu.step(true);
            }
        }) / steps;
        double cpuMs = Double.NaN;
        if (cpuSteps > 0) {
            Module cpuModel = v.model().get();
            cpuModel.train();
            Trainer cpu = new Trainer(cpuModel, Device.CPU, batch);
            cpu.step(true);
            long start = System.nanoTime();
            for (int i = 0; i < cpuSteps; i++) {
                cpu.step(true);
            }
            cpuMs = (System.nanoTime() - start) / 1e6 / cpuSteps;
        }
        return new Timing(gpuMs, gpuReadMs, cpuMs);
    }

    /** Milliseconds between CUDA events recorded before and after {@code work} on the backend's stream. */
    private static double eventMillis(Runnable work) {
        // Any device operation makes the backend's context current on this thread before the events are created.
        Tensor.zeros(1).to(Device.CUDA);
        CUevent start = new CUevent();
        CUevent end = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            cuEventRecord(start, null);
            work.run();
            cuEventRecord(end, null);
            cuEventSynchronize(end);
            float[] ms = new float[1];
            cuEventElapsedTime(ms, start, end);
            return ms[0];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(end);
        }
    }

    /** One model's training loop on fixed-size random batches. */
    private static final class Trainer {
        private final Module model;
        private final Device device;
        private final int batch;
        private final Optimizer optimizer;
        private final Random random = new Random(7);

        Trainer(Module model, Device device, int batch) {
            this.model = model;
            this.device = device;
            this.batch = batch;
            this.optimizer = new Adam(model.parameters(), 1e-3);
        }

        void step(boolean readLoss) {
            Tensor x = QatCnn.images(random, batch, IMAGE).to(device);
            int[] labels = QatCnn.labels(random, batch);
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels);
            loss.backward();
            optimizer.step();
            if (readLoss) {
                loss.item();
            }
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
