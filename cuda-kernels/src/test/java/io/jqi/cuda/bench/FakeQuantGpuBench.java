package io.jqi.cuda.bench;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.jqi.cuda.CudaAvailability;
import io.jqi.cuda.CudaFakeQuant;
import io.jqi.cuda.CudaProbe;
import io.jqi.cuda.CudaQuantBackward;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * GPU timings of the quantizer kernels, with CUDA events: fake-quant forward and STE backward (per tensor, weights per
 * channel on axis 0, activations per channel on axis 1) at 1M, 16M and 64M floats, as GB/s and as a fraction of a
 * device-to-device copy of the same bytes timed in the same run; and LSQ forward + backward timed the same way,
 * next to PyTorch's learnable fake quantization when {@code lsq_torch_bench.py} left its CSV in the results
 * directory.
 *
 * <p>Usage: {@code FakeQuantGpuBench [RESULTS_DIR]} (default {@code results}). Writes {@code fake_quant_gpu.md} there
 * and prints it; reads {@code lsq_torch.csv} from there if it exists. Exits 2 where CUDA is unavailable.
 *
 * <p>Bytes counted are those the operation must move: forward reads x and writes y (8 bytes an element); an
 * IDENTITY STE backward reads dy and writes dx (8), a CLIPPED one also reads x (12); LSQ forward + backward moves
 * 8 + 12 = 20 (its per-channel partial sums are a few KiB). "LSQ forward+backward" is the symmetric quantizer's
 * kernels (the step gradient), "LSQ uniform" the uniform one's (grid, step and offset gradients); the per-channel
 * tensor ops that turn a threshold or range into steps, and step gradients back into theirs, act on a few floats and
 * are not timed here (TrainStepGpuBench times whole steps). PyTorch's learnable affine op, which learns a scale and a
 * zero point, is the reference for both. "vs copy" divides by a cuMemcpyDtoD that reads and writes
 * the same number of bytes.
 */
public final class FakeQuantGpuBench {
    private static final int[] SIZES = {1 << 20, 16 << 20, 64 << 20};
    private static final int WEIGHT_ROWS = 4096;
    private static final int ACTIVATION_CHANNELS = 64;
    private static final int ACTIVATION_PLANE = 32 * 32;
    private static final int BITS = 8;
    private static final int TRIALS = 7;

    private final CudaFakeQuant fakeQuant;
    private final CudaQuantBackward backward;
    private final CUstream stream = null;
    private final Map<String, Double> torchMillis;

    private FakeQuantGpuBench(CudaFakeQuant fakeQuant, CudaQuantBackward backward, Map<String, Double> torchMillis) {
        this.fakeQuant = fakeQuant;
        this.backward = backward;
        this.torchMillis = torchMillis;
    }

    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "results");
        CudaAvailability cuda = CudaProbe.probe();
        if (!cuda.available()) {
            System.err.println("FakeQuantGpuBench: CUDA is unavailable: " + cuda.reason());
            System.exit(2);
        }
        Files.createDirectories(results);
        Map<String, Double> torch = readTorch(results.resolve("lsq_torch.csv"));
        try (CudaFakeQuant fq = CudaFakeQuant.open(); CudaQuantBackward bw = CudaQuantBackward.open()) {
            FakeQuantGpuBench bench = new FakeQuantGpuBench(fq, bw, torch);
            String table = bench.run();
            System.out.print(table);
            Files.writeString(results.resolve("fake_quant_gpu.md"), table, StandardCharsets.UTF_8);
        }
    }

    /** One tensor's device buffers: x, y/dx, dy, and two copy buffers of 12 bytes an element. */
    private static final class Buffers implements AutoCloseable {
        final int n;
        final CUdeviceptr x = new CUdeviceptr();
        final CUdeviceptr y = new CUdeviceptr();
        final CUdeviceptr dy = new CUdeviceptr();
        final CUdeviceptr copySource = new CUdeviceptr();
        final CUdeviceptr copyTarget = new CUdeviceptr();
        final CUdeviceptr steps = new CUdeviceptr();
        final CUdeviceptr dSteps = new CUdeviceptr();
        final CUdeviceptr mins = new CUdeviceptr();
        final CUdeviceptr maxs = new CUdeviceptr();
        final CUdeviceptr uniformSteps = new CUdeviceptr();
        final CUdeviceptr zeroPoints = new CUdeviceptr();
        final CUdeviceptr dOffsets = new CUdeviceptr();

        Buffers(int n, int maxChannels) {
            this.n = n;
            long bytes = (long) n * Sizeof.FLOAT;
            cuMemAlloc(x, bytes);
            cuMemAlloc(y, bytes);
            cuMemAlloc(dy, bytes);
            cuMemAlloc(copySource, bytes * 3);
            cuMemAlloc(copyTarget, bytes * 3);
            for (CUdeviceptr p : new CUdeviceptr[] {steps, dSteps, mins, maxs, uniformSteps, zeroPoints, dOffsets}) {
                cuMemAlloc(p, (long) maxChannels * Sizeof.FLOAT);
            }
            SplittableRandom random = new SplittableRandom(n);
            float[] host = new float[n];
            for (int i = 0; i < n; i++) {
                host[i] = (float) (random.nextDouble() * 4 - 2);
            }
            cuMemcpyHtoD(x, Pointer.to(host), bytes);
            for (int i = 0; i < n; i++) {
                host[i] = (float) (random.nextDouble() - 0.5);
            }
            cuMemcpyHtoD(dy, Pointer.to(host), bytes);
            // The steps of 8-bit signed thresholds 1 to 2.5 (T / 128), as a quantizer's tensor ops would make them.
            float[] t = new float[maxChannels];
            for (int c = 0; c < maxChannels; c++) {
                t[c] = (1f + (c % 7) * 0.25f) / 128f;
            }
            cuMemcpyHtoD(steps, Pointer.to(t), (long) maxChannels * Sizeof.FLOAT);
            float[] lo = new float[maxChannels];
            float[] hi = new float[maxChannels];
            for (int c = 0; c < maxChannels; c++) {
                lo[c] = -1f - (c % 5) * 0.125f;
                hi[c] = 1.5f + (c % 3) * 0.25f;
            }
            cuMemcpyHtoD(mins, Pointer.to(lo), (long) maxChannels * Sizeof.FLOAT);
            cuMemcpyHtoD(maxs, Pointer.to(hi), (long) maxChannels * Sizeof.FLOAT);
        }

        @Override
        public void close() {
            for (CUdeviceptr p : new CUdeviceptr[] {x, y, dy, copySource, copyTarget, steps, dSteps, mins, maxs,
                uniformSteps, zeroPoints, dOffsets}) {
                cuMemFree(p);
            }
        }
    }

    private String run() {
        StringBuilder out = new StringBuilder();
        out.append("| operation | layout | elements | time (ms) | GB/s | copy GB/s | vs copy | PyTorch (ms) | "
                + "jqi speed-up |\n|---|---|---|---|---|---|---|---|---|\n");
        for (int n : SIZES) {
            int maxChannels = Math.max(WEIGHT_ROWS, ACTIVATION_CHANNELS);
            try (Buffers b = new Buffers(n, maxChannels)) {
                for (String layoutName : new String[] {"per-tensor", "weights-axis0", "activations-axis1"}) {
                    ChannelLayout layout = layout(layoutName, n);
                    measure(out, b, "forward", layoutName, layout, 8, () -> fakeQuant.affine(b.x, b.y, b.steps, null,
                            -128f, 127f, RoundingMode.HALF_EVEN, layout, stream));
                    measure(out, b, "STE backward IDENTITY", layoutName, layout, 8, () -> backward.affine(b.x, b.dy,
                            b.y, b.steps, null, null, null, -128f, 127f, false, layout, stream));
                    measure(out, b, "STE backward CLIPPED", layoutName, layout, 12, () -> backward.affine(b.x, b.dy,
                            b.y, b.steps, null, null, null, -128f, 127f, true, layout, stream));
                    measure(out, b, "LSQ uniform forward+backward", layoutName, layout, 20, () -> {
                        fakeQuant.uniformGrid(b.mins, b.maxs, b.uniformSteps, b.zeroPoints, layout.channels(), BITS,
                                stream);
                        fakeQuant.affine(b.x, b.y, b.uniformSteps, b.zeroPoints, 0f, 255f, RoundingMode.HALF_EVEN,
                                layout, stream);
                        backward.affine(b.x, b.dy, b.y, b.uniformSteps, b.mins, b.dSteps, b.dOffsets, 0f, 255f, true,
                                layout, stream);
                    });
                    measure(out, b, "LSQ forward+backward", layoutName, layout, 20, () -> {
                        fakeQuant.affine(b.x, b.y, b.steps, null, -128f, 127f, RoundingMode.HALF_EVEN, layout,
                                stream);
                        backward.affine(b.x, b.dy, b.y, b.steps, null, b.dSteps, null, -128f, 127f, true, layout,
                                stream);
                    });
                }
            }
        }
        return out.toString();
    }

    static ChannelLayout layout(String name, int n) {
        return switch (name) {
            case "per-tensor" -> new ChannelLayout(1, 1, n);
            case "weights-axis0" -> new ChannelLayout(1, WEIGHT_ROWS, n / WEIGHT_ROWS);
            case "activations-axis1" -> new ChannelLayout(n / (ACTIVATION_CHANNELS * ACTIVATION_PLANE),
                    ACTIVATION_CHANNELS, ACTIVATION_PLANE);
            default -> throw new IllegalArgumentException("unknown layout " + name);
        };
    }

    private void measure(StringBuilder out, Buffers b, String operation, String layoutName, ChannelLayout layout,
            int bytesPerElement, Runnable launch) {
        long bytes = (long) b.n * bytesPerElement;
        // A copy reads and writes its size: half the operation's traffic.
        long copyBytes = bytes / 2;
        double ms = millis(launch, b.n);
        double copyMs = millis(() -> cuMemcpyDtoDAsync(b.copyTarget, b.copySource, copyBytes, stream), b.n);
        double gbs = bytes / ms / 1e6;
        double copyGbs = bytes / copyMs / 1e6;
        String torch = "";
        String speedUp = "";
        Double torchMs = torchMillis.get(layoutName + "," + b.n);
        if (operation.startsWith("LSQ") && torchMs != null) {
            torch = String.format(Locale.ROOT, "%.4f", torchMs);
            speedUp = String.format(Locale.ROOT, "%.2fx", torchMs / ms);
        }
        String row = String.format(Locale.ROOT, "| %s | %s | %dM | %.4f | %.1f | %.1f | %.0f%% | %s | %s |%n",
                operation, layoutName, b.n >> 20, ms, gbs, copyGbs, 100 * gbs / copyGbs, torch, speedUp);
        out.append(row);
        System.err.print(row);
    }

    /** Median over trials of the mean time of one launch, from CUDA events around a batch of launches. */
    private double millis(Runnable launch, int n) {
        int reps = n >= (16 << 20) ? 20 : 200;
        for (int i = 0; i < 3; i++) {
            launch.run();
        }
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            double[] trials = new double[TRIALS];
            for (int t = 0; t < TRIALS; t++) {
                cuEventRecord(start, stream);
                for (int i = 0; i < reps; i++) {
                    launch.run();
                }
                cuEventRecord(stop, stream);
                cuEventSynchronize(stop);
                float[] elapsed = new float[1];
                cuEventElapsedTime(elapsed, start, stop);
                trials[t] = elapsed[0] / reps;
            }
            Arrays.sort(trials);
            return trials[TRIALS / 2];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    /** lsq_torch_bench.py's CSV: layout,elements,ms per line after a header; empty when absent. */
    static Map<String, Double> readTorch(Path csv) throws IOException {
        Map<String, Double> out = new HashMap<>();
        if (!Files.exists(csv)) {
            return out;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",");
            if (f.length == 3) {
                out.put(f[0] + "," + f[1], Double.parseDouble(f[2]));
            }
        }
        return out;
    }
}
