package io.jqi.cuda;

import static io.jqi.cuda.DeviceAssertions.assertSameBits;
import static io.jqi.cuda.DeviceAssertions.assertWithinRelative;
import static io.jqi.cuda.DeviceAssertions.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.tensor.Backend;
import io.jqi.tensor.BinaryOp;
import io.jqi.tensor.CpuBackend;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Storage;
import io.jqi.tensor.UnaryOp;
import io.jqi.tensor.Window2d;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Backend method of a device backend against CpuBackend on random and special inputs: bit for bit where the
 * kernels promise it, within the documented tolerances elsewhere (docs/cuda.md). Run on the GPU by
 * {@link CudaBackendGpuTest} and on the host-compiled kernels by {@link KernelEmulationTest}.
 */
abstract class BackendAgreementCases {
    private static final float[] SPECIAL = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f,
        3f, -3f, 6f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-40f, -1e-40f, Float.MAX_VALUE,
        -Float.MAX_VALUE, 0.1f, 8f, 1e-7f, 88.7f, -88.7f, 100f, -100f, 16777216f, 0.49999997f,
    };
    /** Transcendental ops: the CPU's formula in double, rounded once; only the double library function differs. */
    private static final int TRANSCENDENTAL_ULPS = 1;
    /** Sums in double, associated differently: the float results differ by at most an ulp of the magnitude sum. */
    private static final double SUM_TOLERANCE = 1.2e-7;

    private final Backend cpu = CpuBackend.INSTANCE;
    private Backend gpu;
    private final Random random = new Random(20261123);

    /** Skips (an assumption) where the backend under test cannot run. */
    abstract void assumeAvailable();

    /** The backend under test. */
    abstract Backend backend();

    /** Element counts of the large cases; the host emulation runs smaller ones. */
    int scale() {
        return 1;
    }

    @BeforeEach
    void prepare() {
        assumeAvailable();
        gpu = backend();
    }

    private float[] values(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i < SPECIAL.length ? SPECIAL[i] : (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    private float[] finite(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    private Storage onGpu(float[] v) {
        return gpu.fromHost(v);
    }

    private Storage onCpu(float[] v) {
        return cpu.fromHost(v);
    }

    private static float[] scalars(UnaryOp op) {
        return switch (op) {
            case CLAMP, INSIDE -> new float[] {-1f, 2f};
            case LEAKY_RELU -> new float[] {0.1f, 0f};
            case AFFINE -> new float[] {1.5f, -0.25f};
            case POW -> new float[] {2.5f, 0f};
            case DIVIDE -> new float[] {3f, 0f};
            default -> new float[] {0f, 0f};
        };
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapMatchesTheCpu(UnaryOp op) {
        float[] x = values(100_003 / scale(), 4f);
        float[] ab = scalars(op);
        float[] expected = cpu.toHost(cpu.map(op, onCpu(x), ab[0], ab[1]));
        float[] actual = gpu.toHost(gpu.map(op, onGpu(x), ab[0], ab[1]));
        if (CudaOps.isExact(op)) {
            assertSameBits(expected, actual, op.name());
        } else {
            assertWithinUlps(expected, actual, TRANSCENDENTAL_ULPS, op.name());
        }
    }

    @Test
    void ceilPowerOfTwoRoundsSubnormalsPowersAndHugeValuesAsTheCpu() {
        // Subnormals, exact powers of two and everything in between, up to 2^127 (which still rounds up): the grid of
        // a power-of-two threshold, computed on the device.
        float[] t = new float[1000];
        for (int i = 0; i < t.length; i++) {
            t[i] = i < 160 ? Float.intBitsToFloat(1 << (i % 31)) * (i < 80 ? 1f : 1.5f)
                    : Float.intBitsToFloat(random.nextInt(0x7f800000));
        }
        assertSameBits(cpu.toHost(cpu.map(UnaryOp.CEIL_POW2, onCpu(t), 0f, 0f)),
                gpu.toHost(gpu.map(UnaryOp.CEIL_POW2, onGpu(t), 0f, 0f)), "CEIL_POW2");
    }

    @Test
    void powWithSpecialExponentsFollowsJava() {
        float[] x = values(1000, 2f);
        for (float exponent : new float[] {0f, -0f, 1f, -1f, 2f, 0.5f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 3f, -2f}) {
            float[] expected = cpu.toHost(cpu.map(UnaryOp.POW, onCpu(x), exponent, 0f));
            float[] actual = gpu.toHost(gpu.map(UnaryOp.POW, onGpu(x), exponent, 0f));
            assertWithinUlps(expected, actual, TRANSCENDENTAL_ULPS, "pow " + exponent);
        }
    }

    static Stream<Arguments> zipShapes() {
        Stream<BinaryOp> ops = Arrays.stream(BinaryOp.values());
        return ops.flatMap(op -> Stream.of(
                Arguments.of(op, new int[] {37, 41}, new int[] {37, 41}),
                Arguments.of(op, new int[] {64, 33}, new int[] {}),
                Arguments.of(op, new int[] {8, 1, 5, 7}, new int[] {6, 1, 7}),
                Arguments.of(op, new int[] {1}, new int[] {3, 4}),
                Arguments.of(op, new int[] {16, 3, 9, 9}, new int[] {1, 3, 1, 1})));
    }

    @ParameterizedTest
    @MethodSource("zipShapes")
    void zipMatchesTheCpuBitForBit(BinaryOp op, int[] aDims, int[] bDims) {
        Shape as = Shape.of(aDims);
        Shape bs = Shape.of(bDims);
        Shape out = broadcast(as, bs);
        float[] a = values(as.numel(), 3f);
        float[] b = values(bs.numel(), 3f);
        // Equal values and signed zeros in both operands exercise EQ, MAX and MIN's tie rules.
        for (int i = 0; i < Math.min(a.length, b.length); i += 7) {
            b[i] = i % 14 == 0 ? a[i] : -a[i];
        }
        float[] expected = cpu.toHost(cpu.zip(op, onCpu(a), as, onCpu(b), bs, out));
        float[] actual = gpu.toHost(gpu.zip(op, onGpu(a), as, onGpu(b), bs, out));
        assertSameBits(expected, actual, op + " " + as + " with " + bs);
    }

    private static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
            int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    static Stream<Arguments> sumShapes() {
        return Stream.of(
                Arguments.of(new int[] {256, 16, 7, 7}, new int[] {1, 16, 1, 1}),
                Arguments.of(new int[] {1 << 20}, new int[] {1}),
                Arguments.of(new int[] {300, 10}, new int[] {1, 10}),
                Arguments.of(new int[] {300, 10}, new int[] {300, 1}),
                Arguments.of(new int[] {4, 5, 6}, new int[] {4, 1, 6}),
                Arguments.of(new int[] {3, 1, 2}, new int[] {3, 1, 2}),
                Arguments.of(new int[] {0, 3}, new int[] {1, 3}));
    }

    @ParameterizedTest
    @MethodSource("sumShapes")
    void sumToAgreesWithinTheDocumentedTolerance(int[] xDims, int[] outDims) {
        Shape xs = Shape.of(xDims);
        Shape os = Shape.of(outDims);
        float[] x = finite(xs.numel(), 2f);
        float[] abs = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            abs[i] = Math.abs(x[i]);
        }
        float[] expected = cpu.toHost(cpu.sumTo(onCpu(x), xs, os));
        float[] scale = cpu.toHost(cpu.sumTo(onCpu(abs), xs, os));
        float[] actual = gpu.toHost(gpu.sumTo(onGpu(x), xs, os));
        assertWithinRelative(expected, actual, scale, SUM_TOLERANCE, "sum " + xs + " to " + os);
    }

    @Test
    void sumToIsRunToRunIdentical() {
        Shape xs = Shape.of(64 / scale(), 32, 28, 28);
        Shape os = Shape.of(1, 32, 1, 1);
        Storage x = onGpu(finite(xs.numel(), 1f));
        float[] first = gpu.toHost(gpu.sumTo(x, xs, os));
        for (int run = 0; run < 5; run++) {
            assertSameBits(first, gpu.toHost(gpu.sumTo(x, xs, os)), "run " + run);
        }
    }

    @Test
    void sumToPropagatesNanAndInfinity() {
        float[] x = {1f, Float.NaN, 2f, 3f, Float.POSITIVE_INFINITY, 4f};
        Shape xs = Shape.of(3, 2);
        Shape os = Shape.of(3, 1);
        assertSameBits(cpu.toHost(cpu.sumTo(onCpu(x), xs, os)), gpu.toHost(gpu.sumTo(onGpu(x), xs, os)), "sum");
    }

    @Test
    void maxLastAxisMatchesValuesAndFirstIndexes() {
        int rows = 1000;
        int cols = 13;
        float[] x = values(rows * cols, 2f);
        // Ties: a row of equal values, and a NaN after a maximum.
        Arrays.fill(x, 50 * cols, 51 * cols, 1.25f);
        x[60 * cols + 2] = 100f;
        x[60 * cols + 5] = Float.NaN;
        int[] cpuArgmax = new int[rows];
        int[] gpuArgmax = new int[rows];
        float[] expected = cpu.toHost(cpu.maxLastAxis(onCpu(x), rows, cols, cpuArgmax));
        float[] actual = gpu.toHost(gpu.maxLastAxis(onGpu(x), rows, cols, gpuArgmax));
        assertSameBits(expected, actual, "max");
        assertArrayEquals(cpuArgmax, gpuArgmax, "argmax");
        assertSameBits(expected, gpu.toHost(gpu.maxLastAxis(onGpu(x), rows, cols, null)), "max without argmax");
    }

    static Stream<Arguments> gemmCases() {
        return Stream.of(
                // batch, m, k, n, transposeA, transposeB, broadcast A, broadcast B
                Arguments.of(1, 67, 33, 129, false, false, false, false),
                Arguments.of(1, 67, 33, 129, true, false, false, false),
                Arguments.of(1, 67, 33, 129, false, true, false, false),
                Arguments.of(1, 67, 33, 129, true, true, false, false),
                Arguments.of(5, 16, 144, 3136, false, false, false, false),
                Arguments.of(4, 31, 17, 9, false, true, true, false),
                Arguments.of(4, 31, 17, 9, true, false, false, true),
                Arguments.of(1, 256, 1568, 128, false, true, false, false),
                Arguments.of(1, 1, 1, 1, false, false, false, false),
                Arguments.of(2, 3, 0, 4, false, false, false, false));
    }

    @ParameterizedTest
    @MethodSource("gemmCases")
    void matmulMatchesTheCpuBitForBit(int batch, int m, int k, int n, boolean ta, boolean tb, boolean shareA,
            boolean shareB) {
        int aStride = shareA ? 0 : m * k;
        int bStride = shareB ? 0 : k * n;
        float[] a = finite((shareA ? 1 : batch) * m * k, 1f);
        float[] b = finite((shareB ? 1 : batch) * k * n, 1f);
        float[] expected = cpu.toHost(cpu.matmul(onCpu(a), onCpu(b), batch, m, k, n, ta, tb, aStride, bStride));
        float[] actual = gpu.toHost(gpu.matmul(onGpu(a), onGpu(b), batch, m, k, n, ta, tb, aStride, bStride));
        assertSameBits(expected, actual, "matmul " + batch + "x" + m + "x" + k + "x" + n + " tA=" + ta + " tB=" + tb);
    }

    @Test
    void matmulPropagatesSpecialValues() {
        float[] a = values(40 * 30, 1f);
        float[] b = values(30 * 20, 1f);
        assertSameBits(cpu.toHost(cpu.matmul(onCpu(a), onCpu(b), 1, 40, 30, 20, false, false, 0, 0)),
                gpu.toHost(gpu.matmul(onGpu(a), onGpu(b), 1, 40, 30, 20, false, false, 0, 0)), "matmul special");
    }

    @Test
    void permuteConcatAndNarrowCopyExactly() {
        Shape s = Shape.of(3, 4, 5, 6);
        float[] x = values(s.numel(), 1f);
        int[] perm = {2, 0, 3, 1};
        assertSameBits(cpu.toHost(cpu.permute(onCpu(x), s, perm)), gpu.toHost(gpu.permute(onGpu(x), s, perm)),
                "permute");
        float[] y = values(3 * 2 * 5 * 6, 1f);
        Shape ys = Shape.of(3, 2, 5, 6);
        Shape out = Shape.of(3, 6, 5, 6);
        assertSameBits(cpu.toHost(cpu.concat(new Storage[] {onCpu(x), onCpu(y)}, new Shape[] {s, ys}, 1, out)),
                gpu.toHost(gpu.concat(new Storage[] {onGpu(x), onGpu(y)}, new Shape[] {s, ys}, 1, out)), "concat");
        assertSameBits(cpu.toHost(cpu.narrow(onCpu(x), s, 2, 1, 3)), gpu.toHost(gpu.narrow(onGpu(x), s, 2, 1, 3)),
                "narrow");
    }

    static Stream<Window2d> windows() {
        return Stream.of(
                new Window2d(4, 3, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1),
                new Window2d(2, 5, 12, 10, 3, 2, 2, 3, 1, 0, 1, 1),
                new Window2d(3, 2, 13, 13, 3, 3, 2, 2, 2, 2, 2, 2),
                new Window2d(2, 4, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1),
                new Window2d(2, 3, 7, 7, 7, 7, 1, 1, 0, 0, 1, 1),
                // Ceil mode (pooling): partial last windows, one of them dropped for starting in the padding.
                new Window2d(2, 3, 7, 8, 3, 2, 2, 2, 1, 0, 1, 1, true),
                new Window2d(1, 2, 3, 5, 2, 2, 2, 2, 1, 0, 1, 1, true));
    }

    @ParameterizedTest
    @MethodSource("windows")
    void im2colAndCol2imMatchTheCpuBitForBit(Window2d w) {
        float[] x = values(w.inputSize(), 1f);
        assertSameBits(cpu.toHost(cpu.im2col(onCpu(x), w)), gpu.toHost(gpu.im2col(onGpu(x), w)), "im2col " + w);
        float[] cols = finite(w.columnsSize(), 1f);
        assertSameBits(cpu.toHost(cpu.col2im(onCpu(cols), w)), gpu.toHost(gpu.col2im(onGpu(cols), w)), "col2im " + w);
    }

    @ParameterizedTest
    @MethodSource("windows")
    void col2imIsRunToRunIdentical(Window2d w) {
        Storage cols = onGpu(finite(w.columnsSize(), 1f));
        float[] first = gpu.toHost(gpu.col2im(cols, w));
        assertSameBits(first, gpu.toHost(gpu.col2im(cols, w)), "second run");
    }

    @ParameterizedTest
    @MethodSource("windows")
    void maxPoolForwardAndBackwardMatchTheCpuBitForBit(Window2d w) {
        float[] x = values(w.inputSize(), 1f);
        // Ties inside windows: the first maximum must win on both devices.
        for (int i = 0; i < x.length; i += 5) {
            x[i] = 0.75f;
        }
        int[] cpuArgmax = new int[w.outputSize()];
        int[] gpuArgmax = new int[w.outputSize()];
        assertSameBits(cpu.toHost(cpu.maxPool2d(onCpu(x), w, cpuArgmax)),
                gpu.toHost(gpu.maxPool2d(onGpu(x), w, gpuArgmax)), "maxPool " + w);
        assertArrayEquals(cpuArgmax, gpuArgmax, "argmax " + w);
        float[] g = finite(w.outputSize(), 1f);
        assertSameBits(cpu.toHost(cpu.maxPool2dBackward(onCpu(g), cpuArgmax, w)),
                gpu.toHost(gpu.maxPool2dBackward(onGpu(g), gpuArgmax, w)), "maxPool backward " + w);
    }

    @ParameterizedTest
    @MethodSource("windows")
    void avgPoolForwardAndBackwardMatchTheCpuBitForBit(Window2d w) {
        float[] x = values(w.inputSize(), 1f);
        assertSameBits(cpu.toHost(cpu.avgPool2d(onCpu(x), w)), gpu.toHost(gpu.avgPool2d(onGpu(x), w)),
                "avgPool " + w);
        float[] g = finite(w.outputSize(), 1f);
        assertSameBits(cpu.toHost(cpu.avgPool2dBackward(onCpu(g), w)),
                gpu.toHost(gpu.avgPool2dBackward(onGpu(g), w)), "avgPool backward " + w);
    }

    @Test
    void axpyAndCopyInPlaceMatchTheCpuBitForBit() {
        float[] t = values(10_000, 1f);
        float[] x = values(10_000, 1f);
        Storage cpuTarget = onCpu(t);
        Storage gpuTarget = onGpu(t);
        cpu.axpyInPlace(cpuTarget, -0.3f, onCpu(x));
        gpu.axpyInPlace(gpuTarget, -0.3f, onGpu(x));
        assertSameBits(cpu.toHost(cpuTarget), gpu.toHost(gpuTarget), "axpy");
        gpu.copyInPlace(gpuTarget, onGpu(x));
        assertSameBits(x, gpu.toHost(gpuTarget), "copy");
    }

    @Test
    void zerosAndEmptyStoragesWork() {
        assertSameBits(new float[1000], gpu.toHost(gpu.zeros(1000)), "zeros");
        assertSameBits(new float[0], gpu.toHost(gpu.zeros(0)), "empty");
        assertSameBits(new float[0], gpu.toHost(gpu.map(UnaryOp.NEG, gpu.zeros(0), 0f, 0f)), "empty map");
    }
}
