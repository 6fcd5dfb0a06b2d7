package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PtxModulesTest {
    private static final String NO_PTX = "the PTX is not bundled: nvcc was not on the PATH when this module was built "
            + "(or -Djqi.skipNvcc=true), so there is no PTX to check";
    /** Every module this jar must bundle when nvcc is present, with the kernels the Java side looks up. */
    static final Map<String, List<String>> KERNELS = Map.of(
            CudaFakeQuant.MODULE, List.of("jqi_fake_quant_affine", "jqi_fake_quant_tf_nudge", "jqi_fake_quant_lut",
                    "jqi_uniform_grid"),
            CudaQuantBackward.MODULE, List.of("jqi_fake_quant_backward"));

    static Stream<String> modules() {
        return KERNELS.keySet().stream().sorted();
    }

    /**
     * Every bundled module, whoever wrote it (the backend's kernels are checked here too). A build without PTX has
     * none; the quantizer modules then stand in, so that the tests skip with the reason instead of finding nothing.
     */
    static Stream<String> bundled() {
        return PtxModules.names().isEmpty() ? modules() : PtxModules.names().stream();
    }

    @Test
    void aMissingModuleNamesItselfAndNvcc() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PtxModules.source("no_such"));
        assertTrue(e.getMessage().contains("'no_such'") && e.getMessage().contains("nvcc"), e::getMessage);
        assertFalse(PtxModules.isBundled("no_such"));
    }

    @Test
    void theIndexListsEveryBundledModule() {
        assumeTrue(PtxModules.isBundled(CudaFakeQuant.MODULE), NO_PTX);
        assertTrue(PtxModules.names().containsAll(KERNELS.keySet()), () -> "index.txt lists " + PtxModules.names());
        PtxModules.names().forEach(name -> assertTrue(PtxModules.isBundled(name), name));
    }

    @ParameterizedTest
    @MethodSource("modules")
    void theQuantizerModulesHaveTheirKernels(String module) {
        assumeTrue(PtxModules.isBundled(module), NO_PTX);
        String ptx = PtxModules.source(module);
        for (String kernel : KERNELS.get(module)) {
            assertTrue(ptx.contains(".entry " + kernel + "("), () -> "no .entry for " + kernel + " in " + module);
        }
    }

    @ParameterizedTest
    @MethodSource("modules")
    void everyLayoutParameterIsTheSevenIntsJavaPasses(String module) {
        assumeTrue(PtxModules.isBundled(module), NO_PTX);
        String ptx = PtxModules.source(module);
        for (String kernel : KERNELS.get(module)) {
            if (kernel.endsWith("_grid")) {
                continue;
            }
            // KernelLayout passes int[7] by value: the struct must be 28 bytes with 4-byte alignment.
            assertTrue(Pattern.compile("\\.param \\.align 4 \\.b8 " + kernel + "_param_\\d+\\[28\\]").matcher(ptx)
                    .find(), () -> kernel + " has no 28-byte Layout parameter");
        }
    }

    @ParameterizedTest
    @MethodSource("modules")
    void theQuantizerModulesRoundEveryOperationLikeJava(String module) {
        assumeTrue(PtxModules.isBundled(module), NO_PTX);
        String ptx = PtxModules.source(module);
        // A contracted a * b + c skips the rounding of a * b that Java performs: -fmad=false must have held.
        assertFalse(ptx.contains("fma.rn.f32"), "the PTX contains fma.rn.f32; compile with -fmad=false");
        // Java keeps subnormals; flushing them to zero would change tiny inputs and steps.
        assertFalse(ptx.contains(".ftz"), "the PTX flushes subnormals (.ftz); compile with -ftz=false");
        // Reductions must be deterministic: integer atomics count blocks, float atomics would reorder sums.
        assertFalse(ptx.contains("atom.global.add.f32") || ptx.contains("red.global.add.f32"),
                "the PTX adds floats atomically, which makes sums depend on timing");
    }

    @ParameterizedTest
    @MethodSource("bundled")
    void everyBundledModuleAssemblesWithPtxasForSm80(String module, @TempDir Path dir)
            throws IOException, InterruptedException {
        assumeTrue(PtxModules.isBundled(module), NO_PTX);
        Optional<Path> ptxas = Programs.onPath("ptxas");
        assumeTrue(ptxas.isPresent(), "ptxas is not on the PATH; it comes with the CUDA toolkit");
        Path ptx = Files.writeString(dir.resolve(module + ".ptx"), PtxModules.source(module),
                StandardCharsets.US_ASCII);
        Path log = dir.resolve("ptxas.log");
        Process process = new ProcessBuilder(ptxas.get().toString(), "-arch=sm_80", ptx.toString(), "-o",
                dir.resolve(module + ".cubin").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "ptxas did not finish within 2 minutes");
        assertEquals(0, process.exitValue(), () -> "ptxas rejected " + module + ".ptx:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read the ptxas output: " + e + ")";
        }
    }
}
