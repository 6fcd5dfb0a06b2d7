package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jqi.tensor.Backends;
import io.jqi.tensor.Device;
import io.jqi.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The backend as a service: found on every machine, harmless where there is no GPU. */
class CudaBackendServiceTest {

    @Test
    void backendsFindTheCudaBackendThroughTheServiceLoader() {
        assertInstanceOf(CudaBackend.class, Backends.of(Device.CUDA));
        assertEquals(Device.CUDA, Backends.of(Device.CUDA).device());
    }

    @Test
    void cpuTensorsWorkWithTheCudaBackendOnTheClassPath() {
        assertEquals(6f, Tensor.vector(1f, 2f, 3f).sum().item());
    }

    @Test
    void withoutCudaTheFirstKernelCallExplainsWhy() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeFalse(cuda.available(), "CUDA is available here");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Tensor.vector(1f, 2f).to(Device.CUDA));
        assertTrue(e.getMessage().contains(cuda.reason()), e::getMessage);
    }
}
