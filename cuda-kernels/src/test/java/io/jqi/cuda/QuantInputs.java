package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;
import java.util.Random;

/**
 * Inputs and output gradients for the quantizer tests: values in and beyond each channel's range, exact .5 ties and
 * grid points, and (when asked) special values: NaN, infinities, signed zeros, subnormals, arbitrary bit patterns.
 */
final class QuantInputs {
    static final float[] SPECIAL = {
        Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
        1e-40f, -1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE,
    };

    private QuantInputs() {
    }

    /**
     * {@code ranges[c] = {lo, hi, step, origin}} per channel (grid points at origin + k * step), laid out in storage
     * order of {@code layout}.
     */
    static float[] x(ChannelLayout layout, float[][] ranges, long seed, boolean specials) {
        Random random = new Random(seed);
        float[] x = new float[layout.size()];
        layout.forEachRun((c, from, to) -> {
            float lo = ranges[c][0];
            float hi = ranges[c][1];
            float step = ranges[c][2];
            float origin = ranges[c][3];
            float width = hi - lo;
            int kLow = Math.round((lo - origin) / step) - 2;
            int kSpan = Math.round(width / step) + 5;
            for (int i = from; i < to; i++) {
                int k = kLow + random.nextInt(kSpan);
                int kind = random.nextInt(specials ? 10 : 8);
                x[i] = switch (kind) {
                    case 0, 1, 2, 3 -> lo - width / 4 + random.nextFloat() * width * 1.5f;
                    case 4, 5 -> origin + (k + 0.5f) * step;
                    case 6 -> origin + k * step;
                    case 7 -> new float[] {lo, hi, Math.nextUp(hi), Math.nextDown(lo), origin}[random.nextInt(5)];
                    case 8 -> Float.intBitsToFloat(random.nextInt());
                    default -> SPECIAL[random.nextInt(SPECIAL.length)];
                };
            }
        });
        return x;
    }

    /** Output gradients: mostly ordinary values of both signs, some zeros of either sign, some tiny or huge. */
    static float[] dy(int n, long seed, boolean specials) {
        Random random = new Random(seed);
        float[] dy = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(specials ? 20 : 18);
            dy[i] = switch (kind) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 18 -> SPECIAL[random.nextInt(SPECIAL.length)];
                case 19 -> Float.intBitsToFloat(random.nextInt());
                default -> (float) random.nextGaussian();
            };
        }
        return dy;
    }
}
