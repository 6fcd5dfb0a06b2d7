package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class CublasProbeTest {

    @Test
    void probeNeverThrowsAndGivesOneLineOfReason() {
        CublasAvailability cublas = assertDoesNotThrow(CublasProbe::probe);
        assertFalse(cublas.reason().isBlank());
        assertEquals(1, cublas.reason().lines().count(), () -> "the reason should be one line: " + cublas.reason());
    }

    @Test
    void probeRunsOncePerJvm() {
        assertSame(CublasProbe.probe(), CublasProbe.probe());
    }

    @Test
    void whenCublasDoesNotLoadTheReasonNamesTheLibraryAndTheFix() {
        CublasAvailability cublas = CublasProbe.probe();
        assumeFalse(cublas.available(), () -> "cuBLAS loads here: " + cublas.reason());
        // Without libcublas.so.12 JCublas' native wrapper cannot link; the reason must say which library to install.
        assertTrue(cublas.reason().contains("libcublas.so.12") && cublas.reason().contains("LD_LIBRARY_PATH"),
                cublas::reason);
    }

    @Test
    void whenCublasLoadsTheReasonGivesItsVersion() {
        CublasAvailability cublas = CublasProbe.probe();
        assumeTrue(cublas.available(), cublas::reason);
        assertTrue(cublas.reason().matches("cuBLAS \\d+\\.\\d+\\.\\d+ loaded"), cublas::reason);
    }
}
