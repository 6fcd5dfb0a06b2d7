package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CudaProbeTest {

    @Test
    void probeNeverThrowsAndExplainsItsAnswer() {
        CudaAvailability cuda = assertDoesNotThrow(CudaProbe::probe);
        assertFalse(cuda.reason().isBlank());
        assertEquals(cuda.available(), cuda.deviceCount() > 0, cuda::toString);
    }

    @Test
    void withoutAGpuCudaIsUnavailable() {
        // The driver creates /dev/nvidiactl wherever an NVIDIA GPU can be used.
        assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA device node");
        CudaAvailability cuda = CudaProbe.probe();
        assertFalse(cuda.available(), cuda::toString);
        assertEquals(0, cuda.deviceCount());
        assertFalse(cuda.reason().isBlank());
        assertEquals(1, cuda.reason().lines().count(), () -> "the reason should be one line: " + cuda.reason());
    }

    @Test
    void withoutPtxTheReasonSaysNvccWasMissing() {
        assumeTrue(PtxModules.names().isEmpty(), "this build bundles PTX");
        CudaAvailability cuda = CudaProbe.probe();
        assertFalse(cuda.available());
        assertTrue(cuda.reason().contains("no PTX") && cuda.reason().contains("nvcc"), cuda::reason);
    }

    @Test
    void probeRunsOncePerJvm() {
        assertSame(CudaProbe.probe(), CudaProbe.probe());
    }
}
