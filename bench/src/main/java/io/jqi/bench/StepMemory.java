package io.jqi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;

/**
 * Runs a few steps of one {@link TrainStepBench} workload and prints the process's peak resident memory, for
 * {@code bench/compare/memory}, which looks for the smallest heap ({@code -Xmx}) the steps run in and compares it
 * with PyTorch's peak for the same workload.
 *
 * <p>Usage: {@code java -Xmx512m --add-modules=jdk.incubator.vector -Djqi.bench.resnet18=FILE -cp benchmarks.jar
 * io.jqi.bench.StepMemory WORKLOAD [STEPS]}. Prints {@code MEMORY <workload> <steps> <peak RSS bytes> <max heap
 * bytes>}; exits with status 3 when the heap is too small.
 */
public final class StepMemory {
    private StepMemory() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: StepMemory WORKLOAD [STEPS]");
            System.exit(2);
        }
        int steps = args.length == 2 ? Integer.parseInt(args[1]) : 3;
        try {
            DoubleSupplier operation = TrainStepBench.operation(args[0]);
            for (int i = 0; i < steps; i++) {
                operation.getAsDouble();
            }
        } catch (OutOfMemoryError e) {
            System.out.println("OUT_OF_MEMORY " + args[0] + " " + Runtime.getRuntime().maxMemory());
            System.exit(3);
        }
        System.out.println("MEMORY " + args[0] + " " + steps + " " + peakResidentBytes() + " "
                + Runtime.getRuntime().maxMemory());
    }

    /** {@code VmHWM} of {@code /proc/self/status}: the most resident memory the process has held. */
    static long peakResidentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("/proc/self/status has no VmHWM line");
    }
}
