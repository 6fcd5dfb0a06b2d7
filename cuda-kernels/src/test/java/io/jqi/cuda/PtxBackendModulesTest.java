package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The backend's PTX, checked without a GPU: bundled, complete, free of FMA contraction, and accepted by ptxas. */
class PtxBackendModulesTest {
    private static final Path CUDA_SOURCES = Path.of("src/main/cuda");
    /** Modules whose every float operation is promised bit-exact; their PTX must not contract into an f32 FMA. */
    private static final List<String> EXACT_FLOAT_MODULES = List.of("map", "zip", "axpy", "col2im", "max_pool",
            "avg_pool");

    static List<String> modules() {
        return CudaContext.MODULES;
    }

    private static boolean nvccOnPath() {
        return Programs.onPath("nvcc").isPresent();
    }

    @Test
    void everyBackendModuleIsBundledWhenNvccExists() {
        assumeTrue(nvccOnPath(), "nvcc is not on the PATH: the build bundles no PTX");
        for (String name : CudaContext.MODULES) {
            assertTrue(PtxModules.isBundled(name), () -> name + ".ptx is not in the jar's resources");
            assertTrue(PtxModules.names().contains(name), () -> "index.txt lacks " + name);
        }
    }

    @Test
    void everyCudaSourceIsABackendOrQuantizerModule() throws IOException {
        assumeTrue(Files.isDirectory(CUDA_SOURCES), "the CUDA sources are not beside this test run");
        try (Stream<Path> files = Files.list(CUDA_SOURCES)) {
            // The quantizer modules are loaded by their own classes, not by the backend's context.
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3))
                    .filter(n -> !n.equals(CudaFakeQuant.MODULE) && !n.equals(CudaQuantBackward.MODULE))
                    .forEach(n -> assertTrue(CudaContext.MODULES.contains(n), () -> n + ".cu is not loaded by "
                            + "CudaContext.MODULES"));
        }
    }

    @ParameterizedTest
    @MethodSource("modules")
    void ptxDeclaresEveryKernelTheBackendLaunches(String name) {
        assumeTrue(PtxModules.isBundled(name), () -> name + ".ptx is not bundled (no nvcc at build time)");
        String ptx = PtxModules.source(name);
        for (String kernel : CudaKernelNames.of(name)) {
            assertTrue(ptx.contains(".entry " + kernel + "("), () -> name + ".ptx has no .entry " + kernel);
        }
        // Java keeps subnormals. The only .ftz allowed is libdevice's ex2.approx inside double tanh, which it feeds
        // an integer exponent (exact either way); rcp.approx.ftz.f64 seeds double divisions that Newton steps refine.
        List<String> flushing = ptx.lines()
                .map(String::strip)
                .filter(line -> line.contains(".ftz.f32") && !line.startsWith("ex2.approx.ftz.f32"))
                .toList();
        assertTrue(flushing.isEmpty(), () -> name + ".ptx flushes f32 subnormals: " + flushing);
    }

    @ParameterizedTest
    @MethodSource("modules")
    void exactModulesHaveNoSinglePrecisionFma(String name) {
        assumeTrue(EXACT_FLOAT_MODULES.contains(name), () -> name + " makes no promise about f32 rounding");
        assumeTrue(PtxModules.isBundled(name), () -> name + ".ptx is not bundled (no nvcc at build time)");
        // A contracted a * b + c skips the rounding of a * b that Java performs.
        assertFalse(PtxModules.source(name).contains("fma.rn.f32"), () -> name + ".ptx contains fma.rn.f32");
    }

    @Test
    void gemmFusesEveryProductIntoItsSum() {
        assumeTrue(PtxModules.isBundled("gemm"), "gemm.ptx is not bundled (no nvcc at build time)");
        // CpuGemm's contract is c = fma(a, b, c): a float product rounded on its own would break it.
        String ptx = PtxModules.source("gemm");
        assertTrue(ptx.contains("fma.rn.f32"), "gemm.ptx has no fma.rn.f32");
        assertFalse(ptx.contains("mul.rn.f32") || ptx.contains("add.rn.f32"),
                "gemm.ptx rounds a float product or sum on its own");
    }
}
