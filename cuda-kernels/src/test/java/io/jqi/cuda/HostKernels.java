package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The .cu kernels compiled for the host with g++ (src/test/emulation), once per test JVM and source. The emulation
 * tests run by default where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips them.
 */
final class HostKernels {
    static final String PROPERTY = "jqi.kernelEmulation";
    private static final Map<String, Path> EXECUTABLES = new HashMap<>();

    private HostKernels() {
    }

    /** Skips (an assumption) where the emulation cannot or should not run. */
    static void assumeAvailable() {
        assumeTrue(!"false".equalsIgnoreCase(System.getProperty(PROPERTY)),
                "the kernel emulation is switched off (-D" + PROPERTY + "=false)");
        assumeTrue(Programs.onPath("g++").isPresent(), "g++ is not on the PATH");
        assumeTrue(Files.isDirectory(Path.of("src/test/emulation")), "the emulation sources are not beside this run");
    }

    /** The executable built from {@code src/test/emulation/<source>.cpp}. */
    static synchronized Path build(String source) {
        Path built = EXECUTABLES.get(source);
        if (built != null) {
            return built;
        }
        try {
            Path dir = Files.createTempDirectory("jqi-kernel-emulation");
            Path out = dir.resolve(source);
            Process p = new ProcessBuilder(Programs.onPath("g++").orElseThrow().toString(), "-std=c++20", "-O1",
                    "-ffp-contract=off", "-pthread", "-I", "src/main/cuda", "-I", "src/test/emulation", "-o",
                    out.toString(), "src/test/emulation/" + source + ".cpp")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("g++.log").toFile())
                    .start();
            assertEquals(true, p.waitFor(5, TimeUnit.MINUTES), "g++ did not finish within 5 minutes");
            assertEquals(0, p.exitValue(), () -> "g++ failed:\n" + read(dir.resolve("g++.log")));
            EXECUTABLES.put(source, out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the host kernels", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read the g++ output: " + e + ")";
        }
    }
}
