package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU's fused batch-normalization kernels against {@link Backend}'s default compositions of primitives, run on the
 * CPU backend: the fused passes promise the compositions' bits, not merely close values.
 */
class CpuNormalizationTest {
    private static final int[][] SHAPES = {{2, 3, 5}, {7, 1, 1}, {64, 16, 49}, {3, 33, 1}};

    private static Storage random(Random random, int size, float lo, float hi) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = lo + (hi - lo) * random.nextFloat();
        }
        return CpuBackend.INSTANCE.fromHost(v);
    }

    private static void assertSameBits(Storage expected, Storage actual, String what) {
        assertArrayEquals(expected.toHostArray(), actual.toHostArray(), what);
    }

    @Test
    void fusedMomentsGiveTheCompositionsBits() {
        Random random = new Random(1);
        for (int[] s : SHAPES) {
            Storage x = random(random, s[0] * s[1] * s[2], -3f, 5f);
            Storage[] expected = ComposedBackend.cpu().channelMoments(x, s[0], s[1], s[2]);
            Storage[] actual = CpuBackend.INSTANCE.channelMoments(x, s[0], s[1], s[2]);
            assertSameBits(expected[0], actual[0], "mean");
            assertSameBits(expected[1], actual[1], "var");
        }
    }

    /**
     * Values whose double sums depend on their order ({@code (1 + 1e20) - 1e20} is 0, {@code (-1e20 + 1e20) + 1} is
     * 1): each channel's sums must run in storage order, whichever channels are summed beside it.
     */
    @Test
    void eachChannelIsSummedInStorageOrder() {
        float[] pattern = {1f, 1e20f, -1e20f, 3f, 1e20f, -1e20f};
        int outer = pattern.length;
        int channels = 7;
        float[] v = new float[outer * channels * 2];
        for (int n = 0; n < outer; n++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < 2; i++) {
                    v[(n * channels + c) * 2 + i] = pattern[(n + c + i) % outer];
                }
            }
        }
        Storage x = CpuBackend.INSTANCE.fromHost(v);
        Storage ones = CpuBackend.INSTANCE.fromHost(new float[] {1f, 1f, 1f, 1f, 1f, 1f, 1f});
        Storage zeros = CpuBackend.INSTANCE.fromHost(new float[channels]);
        Storage[] expected = ComposedBackend.cpu().channelMoments(x, outer, channels, 2);
        Storage[] actual = CpuBackend.INSTANCE.channelMoments(x, outer, channels, 2);
        assertSameBits(expected[0], actual[0], "mean");
        Storage[] expectedBackward = ComposedBackend.cpu().batchNormBackward(x, x, outer, channels, 2, zeros, ones,
                null);
        Storage[] actualBackward = CpuBackend.INSTANCE.batchNormBackward(x, x, outer, channels, 2, zeros, ones, null);
        assertSameBits(expectedBackward[2], actualBackward[2], "sum of dy");
    }

    @Test
    void fusedNormalizationGivesTheCompositionsBitsWithAndWithoutBias() {
        Random random = new Random(2);
        for (int[] s : SHAPES) {
            Storage x = random(random, s[0] * s[1] * s[2], -3f, 5f);
            Storage shift = random(random, s[1], -1f, 1f);
            Storage scale = random(random, s[1], 0.1f, 2f);
            Storage bias = random(random, s[1], -1f, 1f);
            for (Storage b : new Storage[] {bias, null}) {
                assertSameBits(ComposedBackend.cpu().normalizeChannels(x, s[0], s[1], s[2], shift, scale, b),
                        CpuBackend.INSTANCE.normalizeChannels(x, s[0], s[1], s[2], shift, scale, b), "y");
            }
        }
    }

    @Test
    void fusedBackwardGivesTheCompositionsBitsWithAndWithoutWeight() {
        Random random = new Random(3);
        for (int[] s : SHAPES) {
            Storage x = random(random, s[0] * s[1] * s[2], -3f, 5f);
            Storage dy = random(random, s[0] * s[1] * s[2], -1f, 1f);
            Storage mean = random(random, s[1], -1f, 1f);
            Storage invStd = random(random, s[1], 0.1f, 2f);
            Storage weight = random(random, s[1], 0.5f, 1.5f);
            for (Storage w : new Storage[] {weight, null}) {
                Storage[] expected = ComposedBackend.cpu().batchNormBackward(x, dy, s[0], s[1], s[2], mean, invStd, w);
                Storage[] actual = CpuBackend.INSTANCE.batchNormBackward(x, dy, s[0], s[1], s[2], mean, invStd, w);
                assertSameBits(expected[0], actual[0], "dx");
                assertSameBits(expected[1], actual[1], "sum of dy * xhat");
                assertSameBits(expected[2], actual[2], "sum of dy");
            }
        }
    }
}
