package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.tensor.CpuBackend;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The row-major to column-major restatement that cuBLAS is called with, checked without cuBLAS: the arguments are
 * fed to a reference of BLAS's column-major SGEMM definition, which must reproduce CpuBackend's row-major product.
 * Both sum {@code c = fma(a, b, c)} for k ascending in float, so the results are identical, bit for bit.
 */
class CublasColumnMajorGemmTest {

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> cases = Stream.builder();
        int[][] mkn = {{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {8, 33, 1}, {65, 19, 31}};
        for (int[] s : mkn) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    cases.add(Arguments.of(s[0], s[1], s[2], ta, tb));
                }
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}x{1}x{2} tA={3} tB={4}")
    @MethodSource("shapes")
    void theColumnMajorCallComputesTheRowMajorProduct(int m, int k, int n, boolean ta, boolean tb) {
        Random random = new Random(31L * m + 7L * k + n + (ta ? 1000 : 0) + (tb ? 2000 : 0));
        float[] a = randoms(random, m * k);
        float[] b = randoms(random, k * n);
        CpuBackend cpu = CpuBackend.INSTANCE;
        float[] expected = cpu.toHost(cpu.matmul(cpu.fromHost(a), cpu.fromHost(b), 1, m, k, n, ta, tb, 0, 0));

        ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(m, k, n, ta, tb);
        // cuBLAS's first operand is jqi's B, its second jqi's A.
        float[] actual = blasSgemm(g, b, a, new float[m * n]);
        assertArrayEquals(expected, actual);
    }

    /**
     * BLAS SGEMM with alpha 1 and beta 0: C(i, j) = sum over l of opA(i, l) * opB(l, j), every matrix column-major,
     * X(r, c) stored at x[r + c * ldx]; opX(r, c) is X(c, r) when X is transposed.
     */
    private static float[] blasSgemm(ColumnMajorGemm g, float[] x, float[] y, float[] c) {
        for (int i = 0; i < g.m(); i++) {
            for (int j = 0; j < g.n(); j++) {
                float sum = 0f;
                for (int l = 0; l < g.k(); l++) {
                    float opA = g.transposeA() ? x[l + i * g.lda()] : x[i + l * g.lda()];
                    float opB = g.transposeB() ? y[j + l * g.ldb()] : y[l + j * g.ldb()];
                    sum = Math.fma(opA, opB, sum);
                }
                c[i + j * g.ldc()] = sum;
            }
        }
        return c;
    }

    private static float[] randoms(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
