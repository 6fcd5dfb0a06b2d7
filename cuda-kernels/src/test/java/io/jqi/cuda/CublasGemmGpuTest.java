package io.jqi.cuda;

import static io.jqi.cuda.DeviceAssertions.assertSameBits;
import static io.jqi.cuda.DeviceAssertions.assertWithinRelative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Backend;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cuBLAS against jqi's GEMM kernel on the GPU (skipped where CUDA or cuBLAS cannot run): every output within the
 * GEMM tolerance of docs/cuda.md, relative to the sum of magnitudes of its products.
 */
@Tag("gpu")
class CublasGemmGpuTest {
    private final Backend cublas = new CudaBackend(GemmMode.CUBLAS);
    private final Backend jqi = new CudaBackend(GemmMode.JQI);

    @BeforeEach
    void requireCublas() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
        CublasAvailability library = CudaContext.get().cublasAvailability();
        assumeTrue(library.available(), () -> "cuBLAS is unavailable: " + library.reason());
    }

    /**
     * Two float summations of the same k products, in any order and with or without FMA, each stay within
     * {@code k * 2^-24} of the exact sum relative to the sum of magnitudes; their difference within twice that.
     */
    static double gemmTolerance(int k) {
        return 2.0 * k * 0x1p-24;
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> cases = Stream.builder();
        // batch, m, k, n, transpose A, transpose B, A shared across the batch (stride 0), B shared
        cases.add(Arguments.of(1, 1, 1, 1, false, false, false, false));
        cases.add(Arguments.of(1, 256, 1568, 128, false, false, false, false));
        cases.add(Arguments.of(4, 63, 65, 67, true, false, false, false));
        cases.add(Arguments.of(4, 63, 65, 67, false, true, false, false));
        cases.add(Arguments.of(4, 63, 65, 67, true, true, false, false));
        cases.add(Arguments.of(5, 17, 33, 9, false, false, true, false));
        cases.add(Arguments.of(5, 17, 33, 9, false, true, false, true));
        cases.add(Arguments.of(3, 31, 7, 129, true, false, true, true));
        cases.add(Arguments.of(2, 1, 300, 1, false, false, false, false));
        cases.add(Arguments.of(1, 129, 1, 65, false, false, false, false));
        Random random = new Random(20261124);
        for (int i = 0; i < 12; i++) {
            cases.add(Arguments.of(1 + random.nextInt(6), 1 + random.nextInt(150), 1 + random.nextInt(400),
                    1 + random.nextInt(150), random.nextBoolean(), random.nextBoolean(), random.nextInt(4) == 0,
                    random.nextInt(4) == 0));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3} tA={4} tB={5} shareA={6} shareB={7}")
    @MethodSource("shapes")
    void cublasAgreesWithJqisKernelWithinTheGemmTolerance(int batch, int m, int k, int n, boolean ta, boolean tb,
            boolean shareA, boolean shareB) {
        Random random = new Random(batch * 1_000_003L + m * 1009L + k * 31L + n);
        int aStride = shareA ? 0 : m * k;
        int bStride = shareB ? 0 : k * n;
        float[] a = gaussians(random, shareA ? m * k : batch * m * k);
        float[] b = gaussians(random, shareB ? k * n : batch * k * n);
        float[] expected = multiply(jqi, a, b, batch, m, k, n, ta, tb, aStride, bStride);
        float[] actual = multiply(cublas, a, b, batch, m, k, n, ta, tb, aStride, bStride);
        float[] scale = magnitudeSums(a, b, batch, m, k, n, ta, tb, aStride, bStride);
        assertWithinRelative(expected, actual, scale, gemmTolerance(k),
                "cuBLAS vs jqi " + batch + "x" + m + "x" + k + "x" + n + " tA=" + ta + " tB=" + tb);
    }

    @Test
    void autoReportsCublasWhereItLoads() {
        String expected = CudaContext.get().cublasAvailability().reason();
        assertEquals(expected, new CudaBackend(GemmMode.AUTO).gemmInUse());
        assertTrue(expected.startsWith("cuBLAS "), expected);
    }

    @Test
    void autoGivesCublasBitsWhereItLoads() {
        Random random = new Random(5);
        float[] a = gaussians(random, 3 * 45 * 77);
        float[] b = gaussians(random, 3 * 77 * 29);
        Backend auto = new CudaBackend(GemmMode.AUTO);
        // cuBLAS is deterministic on one GPU with one stream: the same call twice gives the same bits.
        assertSameBits(multiply(cublas, a, b, 3, 45, 77, 29, false, false, 45 * 77, 77 * 29),
                multiply(auto, a, b, 3, 45, 77, 29, false, false, 45 * 77, 77 * 29), "auto vs cublas");
    }

    private static float[] multiply(Backend backend, float[] a, float[] b, int batch, int m, int k, int n,
            boolean ta, boolean tb, int aStride, int bStride) {
        return backend.toHost(backend.matmul(backend.fromHost(a), backend.fromHost(b), batch, m, k, n, ta, tb,
                aStride, bStride));
    }

    /** Per output, the sum over k of |op(A)(u, l) * op(B)(l, v)|, in double: the scale of its rounding errors. */
    private static float[] magnitudeSums(float[] a, float[] b, int batch, int m, int k, int n, boolean ta,
            boolean tb, int aStride, int bStride) {
        int aRow = ta ? 1 : k;
        int aCol = ta ? m : 1;
        int bRow = tb ? 1 : n;
        int bCol = tb ? k : 1;
        float[] scale = new float[batch * m * n];
        for (int p = 0; p < batch; p++) {
            for (int u = 0; u < m; u++) {
                for (int v = 0; v < n; v++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        sum += Math.abs((double) a[p * aStride + u * aRow + l * aCol]
                                * b[p * bStride + l * bRow + v * bCol]);
                    }
                    scale[(p * m + u) * n + v] = (float) sum;
                }
            }
        }
        return scale;
    }

    private static float[] gaussians(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
