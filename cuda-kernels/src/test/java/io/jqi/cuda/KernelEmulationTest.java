package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Backend;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link BackendAgreementCases} on the backend's .cu kernels compiled for the host with g++ (src/test/emulation):
 * their logic checked without a GPU. Opt-in, since it takes a few minutes: {@code -Djqi.kernelEmulation=true}.
 */
class KernelEmulationTest extends BackendAgreementCases {
    private static final String PROPERTY = "jqi.kernelEmulation";
    private static Path executable;

    @Override
    void assumeAvailable() {
        assumeTrue(Boolean.getBoolean(PROPERTY), "the kernel emulation runs with -D" + PROPERTY + "=true");
        assumeTrue(onPath("g++").isPresent(), "g++ is not on the PATH");
        assumeTrue(Files.isDirectory(Path.of("src/test/emulation")), "the emulation sources are not beside this run");
    }

    @Override
    Backend backend() {
        return new HostKernelBackend(build());
    }

    @Override
    int scale() {
        return 16;
    }

    private static synchronized Path build() {
        if (executable == null) {
            try {
                Path dir = Files.createTempDirectory("jqi-kernel-emulation");
                Path out = dir.resolve("kernels_on_host");
                Process p = new ProcessBuilder(onPath("g++").orElseThrow().toString(), "-std=c++20", "-O1",
                        "-ffp-contract=off", "-pthread", "-I", "src/main/cuda", "-I", "src/test/emulation", "-o",
                        out.toString(), "src/test/emulation/kernels_on_host.cpp")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("g++.log").toFile())
                        .start();
                assertEquals(true, p.waitFor(5, TimeUnit.MINUTES), "g++ did not finish within 5 minutes");
                assertEquals(0, p.exitValue(), () -> "g++ failed:\n" + read(dir.resolve("g++.log")));
                executable = out;
            } catch (IOException e) {
                throw new IllegalStateException("cannot build the host kernels", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return executable;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read the g++ output: " + e + ")";
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
