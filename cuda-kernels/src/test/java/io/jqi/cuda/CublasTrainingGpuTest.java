package io.jqi.cuda;

import static io.jqi.cuda.TrainingComparison.STEPS;
import static io.jqi.cuda.TrainingComparison.assertParametersClose;
import static io.jqi.cuda.TrainingComparison.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.nn.Module;
import io.jqi.tensor.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * QAT training steps with -Djqi.cuda.gemm=cublas (set here, as a user would, for the service-loaded backend that
 * Module.to uses) against the CPU, within the tolerances of {@link TrainingComparison}.
 */
@Tag("gpu")
class CublasTrainingGpuTest {
    private final String saved = System.getProperty(GemmMode.PROPERTY);

    @BeforeEach
    void requireCublas() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
        CublasAvailability library = CudaContext.get().cublasAvailability();
        assumeTrue(library.available(), () -> "cuBLAS is unavailable: " + library.reason());
        System.setProperty(GemmMode.PROPERTY, "cublas");
    }

    @AfterEach
    void restoreTheProperty() {
        if (saved == null) {
            System.clearProperty(GemmMode.PROPERTY);
        } else {
            System.setProperty(GemmMode.PROPERTY, saved);
        }
    }

    @Test
    void qatStepsOnCublasAgreeWithTheCpu() {
        Module cpu = QatCnn.create(TrainingComparison.IMAGE, QatCnn.steW8A8(), 11);
        Module gpu = QatCnn.create(TrainingComparison.IMAGE, QatCnn.steW8A8(), 11);
        float[] cpuLosses = train(cpu, Device.CPU);
        float[] gpuLosses = train(gpu, Device.CUDA);
        for (int s = 0; s < STEPS; s++) {
            assertEquals(cpuLosses[s], gpuLosses[s], 1e-4f * Math.abs(cpuLosses[s]), "loss of step " + s);
        }
        assertParametersClose(cpu.stateDict(), gpu.stateDict());
    }
}
