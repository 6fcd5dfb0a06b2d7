package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;
import jcuda.Pointer;

/**
 * The kernels' {@code Layout} parameter (jqi_float.cuh), passed by value: {@code [outer, channels, inner]} and the
 * multiply-shift dividers that spare the kernels a 32-bit division per element. The int order is the struct's.
 */
final class KernelLayout {
    private KernelLayout() {
    }

    /** The by-value kernel parameter for {@code layout} (at most 2^31 - 1 elements, checked by the caller). */
    static Pointer param(ChannelLayout layout) {
        return Pointer.to(fields(layout));
    }

    /** The struct's seven ints, in field order. */
    static int[] fields(ChannelLayout layout) {
        int[] inner = divider(layout.inner());
        int[] channels = divider(layout.channels());
        return new int[] {layout.outer(), layout.channels(), layout.inner(), inner[0], inner[1], channels[0],
            channels[1]};
    }

    /**
     * {@code {magic, shift}} for divisor {@code d} (1 <= d < 2^31): shift = ceil(log2 d), magic =
     * floor(2^32 (2^shift - d) / d) + 1, as an unsigned 32-bit value in an int. A zero extent (an empty tensor, never
     * launched) gets the divider of 1.
     */
    static int[] divider(int d) {
        long divisor = Math.max(d, 1);
        int shift = 0;
        while ((1L << shift) < divisor) {
            shift++;
        }
        long magic = ((1L << 32) * ((1L << shift) - divisor)) / divisor + 1;
        return new int[] {(int) magic, shift};
    }

    /** fast_div on the host: {@code (umulhi(n, magic) + n) >> shift}, for tests. */
    static long divide(long n, int[] divider) {
        long high = (n * Integer.toUnsignedLong(divider[0])) >>> 32;
        return (high + n) >>> divider[1];
    }
}
