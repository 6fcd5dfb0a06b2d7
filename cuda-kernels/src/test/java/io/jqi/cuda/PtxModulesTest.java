package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PtxModulesTest {
    private static final String MODULE = "fake_quant";
    private static final String NO_PTX = "fake_quant.ptx is not bundled: nvcc was not on the PATH when this module "
            + "was built (or -Djqi.skipNvcc=true), so there is no PTX to check";

    @Test
    void aMissingModuleNamesItselfAndNvcc() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PtxModules.source("no_such"));
        assertTrue(e.getMessage().contains("'no_such'") && e.getMessage().contains("nvcc"), e::getMessage);
        assertFalse(PtxModules.isBundled("no_such"));
    }

    @Test
    void theIndexListsEveryBundledModule() {
        assumeTrue(PtxModules.isBundled(MODULE), NO_PTX);
        assertTrue(PtxModules.names().contains(MODULE), () -> "index.txt lists " + PtxModules.names());
        PtxModules.names().forEach(name -> assertTrue(PtxModules.isBundled(name), name));
    }

    @Test
    void fakeQuantPtxHasTheKernelsAndRoundsEveryOperation() {
        assumeTrue(PtxModules.isBundled(MODULE), NO_PTX);
        String ptx = PtxModules.source(MODULE);
        for (String kernel : new String[] {"jqi_fake_quant_affine", "jqi_fake_quant_tf_nudge", "jqi_fake_quant_lut"}) {
            assertTrue(ptx.contains(".entry " + kernel + "("), () -> "no .entry for " + kernel);
        }
        // A contracted a * b + c skips the rounding of a * b that Java performs: -fmad=false must have held.
        assertFalse(ptx.contains("fma.rn.f32"), "the PTX contains fma.rn.f32; compile with -fmad=false");
        // Java keeps subnormals; flushing them to zero would change tiny inputs and steps.
        assertFalse(ptx.contains(".ftz"), "the PTX flushes subnormals (.ftz); compile with -ftz=false");
    }

    @Test
    void fakeQuantPtxAssemblesWithPtxas(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(PtxModules.isBundled(MODULE), NO_PTX);
        Optional<Path> ptxas = onPath("ptxas");
        assumeTrue(ptxas.isPresent(), "ptxas is not on the PATH; it comes with the CUDA toolkit");
        Path ptx = Files.writeString(dir.resolve(MODULE + ".ptx"), PtxModules.source(MODULE),
                StandardCharsets.US_ASCII);
        Path log = dir.resolve("ptxas.log");
        Process process = new ProcessBuilder(ptxas.get().toString(), "-arch=sm_75", ptx.toString(), "-o",
                dir.resolve(MODULE + ".cubin").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "ptxas did not finish within 2 minutes");
        assertEquals(0, process.exitValue(), () -> "ptxas rejected the PTX:\n" + read(log));
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read the ptxas output: " + e + ")";
        }
    }
}
