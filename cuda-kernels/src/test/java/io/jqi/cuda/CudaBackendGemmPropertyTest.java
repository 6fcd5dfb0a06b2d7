package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.CpuBackend;
import io.jqi.tensor.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service-loaded backend follows -Djqi.cuda.gemm at each product; runs anywhere, GPU or not. */
class CudaBackendGemmPropertyTest {
    private final String saved = System.getProperty(GemmMode.PROPERTY);

    @AfterEach
    void restoreTheProperty() {
        if (saved == null) {
            System.clearProperty(GemmMode.PROPERTY);
        } else {
            System.setProperty(GemmMode.PROPERTY, saved);
        }
    }

    @Test
    void anInvalidChoiceFailsTheProductBeforeAnyCudaCall() {
        System.setProperty(GemmMode.PROPERTY, "tensor-cores");
        Storage x = CpuBackend.INSTANCE.fromHost(new float[] {1f});
        // Without a GPU any CUDA call would fail with the probe's reason instead: this error comes first.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CudaBackend().matmul(x, x, 1, 1, 1, 1, false, false, 0, 0));
        assertTrue(e.getMessage().contains("-Djqi.cuda.gemm=tensor-cores"), e::getMessage);
    }
}
