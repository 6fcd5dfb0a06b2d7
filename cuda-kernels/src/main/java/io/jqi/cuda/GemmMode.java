package io.jqi.cuda;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which GEMM {@link CudaBackend#matmul} runs, chosen by the system property {@value #PROPERTY}. jqi's own kernel
 * gives the CPU's bits (the same summation order); cuBLAS agrees within the GEMM tolerance of docs/cuda.md and is
 * faster on large products.
 */
enum GemmMode {
    /** cuBLAS when it loads and a handle works, else jqi's kernel: the default. */
    AUTO,
    /** cuBLAS, or an {@link IllegalStateException} saying why it cannot run. */
    CUBLAS,
    /** jqi's tiled kernel ({@code gemm.cu}), bit-exact against the CPU backend. */
    JQI;

    static final String PROPERTY = "jqi.cuda.gemm";

    /** A value of {@value #PROPERTY}: auto, cublas or jqi, any case; absent or blank means auto. */
    static GemmMode parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        for (GemmMode mode : values()) {
            if (mode.name().equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a GEMM choice; use auto (cuBLAS "
                + "when it loads, else jqi's kernel), cublas or jqi (bit-exact against the CPU)");
    }

    /** The mode the property asks for now: read at each product, so that tests can switch it. */
    static GemmMode fromSystemProperty() {
        return parse(System.getProperty(PROPERTY));
    }

    /**
     * Whether this mode runs cuBLAS. The availability is asked only when it matters, so {@link #JQI} never loads
     * cuBLAS; {@link #CUBLAS} without it is an error carrying the reason.
     */
    boolean useCublas(Supplier<CublasAvailability> cublas) {
        return switch (this) {
            case JQI -> false;
            case AUTO -> cublas.get().available();
            case CUBLAS -> {
                CublasAvailability c = cublas.get();
                if (!c.available()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=" + name().toLowerCase(Locale.ROOT)
                            + " asks for cuBLAS, which cannot run here: " + c.reason() + ". Use auto or jqi to "
                            + "multiply with jqi's own GEMM kernel");
                }
                yield true;
            }
        };
    }
}
