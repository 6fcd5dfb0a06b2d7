package io.jqi.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kernel against its CPU grid, bit for bit, on about a million inputs per case. */
@Tag("gpu")
class FakeQuantKernelsGpuTest {
    private static final int N = 1 << 20;
    private static final int CHANNELS = 8;
    private static final float[] THRESHOLDS = {1f, 0.5f, 2f, 1.7f, 0.03125f, 3.3f, 8f, 1e-7f};
    private static final float[] MINS = {-0.3f, -1f, 0.2f, -2.5f, -0.01f, -5f, -0.7f, -1.1f};
    private static final float[] MAXS = {1.2f, 1f, 3f, -0.5f, 4f, 0.3f, 0.9f, 2.2f};
    private static final float[] ANY_CHANNEL = {
        Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000),
        Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-40f, -1e-40f,
        Float.MAX_VALUE, -Float.MAX_VALUE,
    };

    private static CudaFakeQuant gpu;

    /** A channel's grid as the input generator sees it: integer k sits at origin + k * step, on [lo, hi]. */
    private record ChannelGrid(float origin, float step, float lo, float hi) {
    }

    static Stream<ChannelLayout> layouts() {
        return Stream.of(
                new ChannelLayout(1, 1, N),
                new ChannelLayout(1, CHANNELS, N / CHANNELS),
                new ChannelLayout(16, CHANNELS, N / 16 / CHANNELS),
                new ChannelLayout(N / CHANNELS, CHANNELS, 1));
    }

    @BeforeEach
    void requireCuda() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
        if (gpu == null) {
            gpu = CudaFakeQuant.open();
        }
    }

    @AfterAll
    static void closeGpu() {
        if (gpu != null) {
            gpu.close();
            gpu = null;
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void affineKernelMatchesAffineGrid(ChannelLayout layout) {
        int c = layout.channels();
        AffineGrid signed8 = AffineGrid.symmetric(perChannel(THRESHOLDS, c), 8, true, RoundingMode.HALF_EVEN);
        float[] steps = new float[c];
        for (int ch = 0; ch < c; ch++) {
            steps[ch] = signed8.step(ch);
        }
        float[] zeros = new float[c];
        AffineGrid[] grids = {
            signed8,
            AffineGrid.symmetric(perChannel(THRESHOLDS, c), 4, false, RoundingMode.HALF_EVEN),
            AffineGrid.uniform(perChannel(MINS, c), perChannel(MAXS, c), 8, RoundingMode.HALF_EVEN),
            AffineGrid.uniform(perChannel(MINS, c), perChannel(MAXS, c), 3, RoundingMode.HALF_EVEN),
            // Signed zeros at the clamp: Java's max(+0.0, -0.0) is +0.0 and min(+0.0, -0.0) is -0.0.
            new AffineGrid(steps, zeros, -0f, 255f),
            new AffineGrid(steps, zeros, -128f, -0f),
        };
        for (int g = 0; g < grids.length; g++) {
            AffineGrid grid = grids[g];
            ChannelGrid[] channels = new ChannelGrid[c];
            float[] zeroPoints = new float[c];
            float[] gridSteps = new float[c];
            for (int ch = 0; ch < c; ch++) {
                float step = grid.step(ch);
                float zp = grid.zeroPoint(ch);
                gridSteps[ch] = step;
                zeroPoints[ch] = zp;
                channels[ch] = new ChannelGrid(0f, step, (grid.qmin() - zp) * step, (grid.qmax() - zp) * step);
            }
            float[] x = inputs(layout, channels, 100 + g);
            float[] expected = new float[x.length];
            grid.apply(x, expected, layout);
            float[] actual = gpu.affine(x, gridSteps, zeroPoints, grid.qmin(), grid.qmax(), RoundingMode.HALF_EVEN,
                    layout);
            Agreement.assertSameBits("affine grid " + g + " on " + layout, x, expected, actual);
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void tfNudgeKernelMatchesTheNudgedAffineGrid(ChannelLayout layout) {
        int c = layout.channels();
        AffineGrid[] grids = {
            AffineGrid.symmetric(perChannel(THRESHOLDS, c), 8, true, RoundingMode.TF_NUDGE_HALF_UP),
            AffineGrid.symmetric(perChannel(THRESHOLDS, c), 4, false, RoundingMode.TF_NUDGE_HALF_UP),
            AffineGrid.uniform(perChannel(MINS, c), perChannel(MAXS, c), 8, RoundingMode.TF_NUDGE_HALF_UP),
            // Unadjusted ranges, so that TF's own nudge moves them.
            AffineGrid.tfNudged(perChannel(MINS, c), perChannel(MAXS, c), 5),
        };
        for (int g = 0; g < grids.length; g++) {
            AffineGrid grid = grids[g];
            ChannelGrid[] channels = new ChannelGrid[c];
            for (int ch = 0; ch < c; ch++) {
                float step = grid.step(ch);
                float lo = AffineGrid.nudgedMin(step, grid.zeroPoint(ch), grid.qmin());
                float hi = AffineGrid.nudgedMax(step, grid.zeroPoint(ch), grid.qmax());
                channels[ch] = new ChannelGrid(lo, step, lo, hi);
            }
            float[] x = inputs(layout, channels, 200 + g);
            float[] expected = new float[x.length];
            grid.apply(x, expected, layout);
            float[] actual = gpu.affine(x, grid.steps(), grid.zeroPoints(), grid.qmin(), grid.qmax(),
                    RoundingMode.TF_NUDGE_HALF_UP, layout);
            Agreement.assertSameBits("TF-nudged grid " + g + " on " + layout, x, expected, actual);
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void lutKernelMatchesLutGrid(ChannelLayout layout) {
        int c = layout.channels();
        float[] thresholds = perChannel(THRESHOLDS, c);
        // Unsorted, so that the tie at v = 1.5 (between 3 and 0) shows that the first level in order wins.
        float[] signedLevels = {3f, 0f, -37f, 127f, -128f, 4f, 11f, -5f, 64f};
        // Zero is a tie here and must go to -25, the first level (docs/quantizer-contract.md#lut-quantization).
        float[] pair = {-25f, 25f};
        float[] unsignedLevels = {0f, 17f, 100f, 255f, 40f};
        Object[][] cases = {
            {signedLevels, 8, true, 1e-8f},
            {pair, 8, true, 1e-8f},
            {unsignedLevels, 8, false, 1e-8f},
            {signedLevels, 4, true, 0f},
        };
        for (int g = 0; g < cases.length; g++) {
            float[] levels = (float[]) cases[g][0];
            int bitwidth = (int) cases[g][1];
            boolean signed = (boolean) cases[g][2];
            float eps = (float) cases[g][3];
            float multiplier = (float) (1L << (signed ? bitwidth - 1 : bitwidth));
            ChannelGrid[] channels = new ChannelGrid[c];
            for (int ch = 0; ch < c; ch++) {
                float t = thresholds[ch];
                channels[ch] = new ChannelGrid(0f, t / multiplier, signed ? -t : 0f, t);
            }
            float[] x = inputs(layout, channels, 300 + g);
            float[] expected = new float[x.length];
            LutGrid grid = new LutGrid(levels, thresholds, bitwidth, signed, eps);
            grid.apply(x, expected, layout);
            float[] actual = gpu.lut(x, grid, layout);
            Agreement.assertSameBits("LUT case " + g + " on " + layout, x, expected, actual);
        }
    }

    /**
     * Random values in and somewhat beyond each channel's range, exact and near .5 ties, grid points, arbitrary bit
     * patterns (NaN payloads, subnormals, huge values) and special values, in channel order of {@code layout}.
     */
    private static float[] inputs(ChannelLayout layout, ChannelGrid[] channels, long seed) {
        Random random = new Random(seed);
        float[] x = new float[layout.outer() * layout.channels() * layout.inner()];
        int i = 0;
        for (int o = 0; o < layout.outer(); o++) {
            for (ChannelGrid grid : channels) {
                float[] edges = {grid.lo(), grid.hi(), Math.nextUp(grid.hi()), Math.nextDown(grid.lo()),
                    grid.origin() + grid.step() / 2, grid.origin() - grid.step() / 2, grid.origin()};
                float width = grid.hi() - grid.lo();
                int kLow = Math.round((grid.lo() - grid.origin()) / grid.step()) - 2;
                int kSpan = Math.round(width / grid.step()) + 5;
                for (int end = i + layout.inner(); i < end; i++) {
                    int k = kLow + random.nextInt(kSpan);
                    x[i] = switch (random.nextInt(10)) {
                        case 0, 1, 2, 3 -> grid.lo() - width / 4 + random.nextFloat() * width * 1.5f;
                        case 4, 5 -> grid.origin() + (k + 0.5f) * grid.step();
                        case 6 -> grid.origin() + k * grid.step();
                        case 7 -> Float.intBitsToFloat(random.nextInt());
                        case 8 -> edges[random.nextInt(edges.length)];
                        default -> ANY_CHANNEL[random.nextInt(ANY_CHANNEL.length)];
                    };
                }
            }
        }
        return x;
    }

    private static float[] perChannel(float[] values, int channels) {
        return Arrays.copyOf(values, channels);
    }
}
