package io.jqi.qat.mixed;

/**
 * A limit on the memory of a model's quantized kernels: absolute, in bytes, or relative to the same kernels at 8 bits
 * (0.5 is half of the 8-bit weight memory, an average of 4 bits). Only quantized kernels count; biases and layers the
 * platform keeps float are outside the budget.
 */
public final class WeightsMemoryBudget {
    private final Long bytes;
    private final Double relativeTo8Bits;

    private WeightsMemoryBudget(Long bytes, Double relativeTo8Bits) {
        this.bytes = bytes;
        this.relativeTo8Bits = relativeTo8Bits;
    }

    /** At most {@code bytes} bytes of quantized kernels. */
    public static WeightsMemoryBudget bytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a weights memory budget must be above 0 bytes, got " + bytes);
        }
        return new WeightsMemoryBudget(bytes, null);
    }

    /** At most {@code fraction} of the kernels' memory at 8 bits, in (0, 2]: 0.5 allows 4 bits on average. */
    public static WeightsMemoryBudget relativeTo8Bits(double fraction) {
        if (!(fraction > 0 && fraction <= 2)) {
            throw new IllegalArgumentException("a weights memory budget relative to 8 bits must be in (0, 2] (0.5 is "
                    + "4 bits on average, 1 is 8 bits), got " + fraction);
        }
        return new WeightsMemoryBudget(null, fraction);
    }

    /** The budget in bits, for kernels holding {@code weights} values in all. */
    public long bits(long weights) {
        return bytes != null ? bytes * 8 : (long) Math.floor(relativeTo8Bits * 8 * weights);
    }

    /** The limit in bytes, or null for a budget relative to 8 bits. */
    public Long limitBytes() {
        return bytes;
    }

    /** The fraction of the 8-bit memory, or null for a budget in bytes. */
    public Double fractionOf8Bits() {
        return relativeTo8Bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightsMemoryBudget b && java.util.Objects.equals(bytes, b.bytes)
                && java.util.Objects.equals(relativeTo8Bits, b.relativeTo8Bits);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(bytes, relativeTo8Bits);
    }

    @Override
    public String toString() {
        return bytes != null ? bytes + " bytes" : relativeTo8Bits + " of the 8-bit weight memory";
    }
}
