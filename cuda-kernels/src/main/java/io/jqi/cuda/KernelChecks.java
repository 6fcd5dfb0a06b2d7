package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;

/** Argument checks shared by the kernel wrappers, with messages that say what to pass instead. */
final class KernelChecks {
    private KernelChecks() {
    }

    /** The layout's element count; fails for negative extents and for 2^31 elements or more (the kernels' limit). */
    static int elements(ChannelLayout layout) {
        if (layout == null) {
            throw new IllegalArgumentException("a ChannelLayout is required; use ChannelLayout.perTensor(size) or "
                    + "ChannelLayout.around(dims, axis)");
        }
        if (layout.outer() < 0 || layout.channels() <= 0 || layout.inner() < 0) {
            throw new IllegalArgumentException("layout " + layout + " needs at least one channel and no negative "
                    + "extent; use the extents of x's shape around its channel axis");
        }
        long n;
        try {
            n = Math.multiplyExact((long) layout.outer() * layout.channels(), layout.inner());
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layout " + layout + " describes " + (n == Long.MAX_VALUE
                    ? "more than 2^63" : String.valueOf(n)) + " elements; the kernels index 32-bit and take at most "
                    + Integer.MAX_VALUE + " elements per launch; split the tensor");
        }
        return (int) n;
    }

    static void requireLayout(float[] x, ChannelLayout layout) {
        if (x == null) {
            throw new IllegalArgumentException("x is null");
        }
        int n = elements(layout);
        if (n != x.length) {
            throw new IllegalArgumentException("layout " + layout + " describes " + n + " elements but x has "
                    + x.length + "; pass the layout of x's own shape");
        }
    }

    static void requireSameLength(String name, float[] values, float[] x) {
        if (values == null || values.length != x.length) {
            throw new IllegalArgumentException(name + " has " + (values == null ? "no" : values.length)
                    + " values but x has " + x.length + "; pass one per element of x");
        }
    }

    static void requireChannels(String name, float[] values, ChannelLayout layout) {
        if (values == null || values.length != layout.channels()) {
            throw new IllegalArgumentException(name + " has " + (values == null ? "no" : values.length)
                    + " values but the layout has " + layout.channels() + " channels; pass one value per channel "
                    + "(one for per-tensor)");
        }
    }

    static void requireBits(int bits) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits must lie in [1, 16] (integer levels stay exact in float32), "
                    + "got " + bits);
        }
    }

    static void requirePointer(String name, Object pointer) {
        if (pointer == null) {
            throw new IllegalArgumentException(name + " is null; pass a device pointer (CUdeviceptr)");
        }
    }
}
