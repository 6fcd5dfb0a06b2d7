package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class CudaGemmModeTest {
    private static final CublasAvailability LOADED = CublasAvailability.loaded("cuBLAS 12.6.4 loaded");
    private static final CublasAvailability MISSING = CublasAvailability.unavailable("no libcublas.so.12 here");

    @ParameterizedTest
    @CsvSource({"auto, AUTO", "cublas, CUBLAS", "jqi, JQI", "CuBLAS, CUBLAS", "' jqi ', JQI"})
    void parsesEachChoiceInAnyCaseAndSpacing(String value, GemmMode expected) {
        assertEquals(expected, GemmMode.parse(value));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  "})
    void anAbsentOrBlankPropertyMeansAuto(String value) {
        assertEquals(GemmMode.AUTO, GemmMode.parse(value));
    }

    @Test
    void anUnknownValueIsRejectedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmMode.parse("fast"));
        assertTrue(e.getMessage().contains("-Djqi.cuda.gemm=fast") && e.getMessage().contains("auto")
                && e.getMessage().contains("cublas") && e.getMessage().contains("jqi"), e::getMessage);
    }

    @Test
    void jqiNeverAsksWhetherCublasLoads() {
        Supplier<CublasAvailability> mustNotBeAsked = () -> {
            throw new AssertionError("jqi mode asked for cuBLAS");
        };
        assertFalse(GemmMode.JQI.useCublas(mustNotBeAsked));
    }

    @Test
    void autoUsesCublasExactlyWhenItIsAvailable() {
        assertTrue(GemmMode.AUTO.useCublas(() -> LOADED));
        assertFalse(GemmMode.AUTO.useCublas(() -> MISSING));
    }

    @Test
    void cublasModeUsesCublasWhenItIsAvailable() {
        assertTrue(GemmMode.CUBLAS.useCublas(() -> LOADED));
    }

    @Test
    void cublasModeWithoutCublasIsAnErrorCarryingTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GemmMode.CUBLAS.useCublas(() -> MISSING));
        assertTrue(e.getMessage().contains("-Djqi.cuda.gemm=cublas") && e.getMessage().contains(MISSING.reason())
                && e.getMessage().contains("auto or jqi"), e::getMessage);
    }

    @Test
    void cublasModeOnThisMachineFailsWithTheProbesReasonWhenCublasDoesNotLoad() {
        CublasAvailability cublas = CublasProbe.probe();
        assumeFalse(cublas.available(), () -> "cuBLAS loads here: " + cublas.reason());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GemmMode.CUBLAS.useCublas(CublasProbe::probe));
        assertTrue(e.getMessage().contains(cublas.reason()), e::getMessage);
    }
}
