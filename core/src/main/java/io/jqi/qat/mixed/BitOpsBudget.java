package io.jqi.qat.mixed;

/**
 * A limit on a model's bit operations per example: each quantized kernel layer's multiply-accumulates times its
 * weight bits times the bits of the activation it reads (32 for a float one), summed over the layers; absolute, or
 * relative to the same layers with 8-bit weights and 8-bit activations. Layers kept float are outside it.
 */
public final class BitOpsBudget {
    private final Long count;
    private final Double relativeTo8Bits;

    private BitOpsBudget(Long count, Double relativeTo8Bits) {
        this.count = count;
        this.relativeTo8Bits = relativeTo8Bits;
    }

    /** At most {@code count} bit operations per example. */
    public static BitOpsBudget count(long count) {
        if (count <= 0) {
            throw new IllegalArgumentException("a bit-operations budget must be above 0, got " + count);
        }
        return new BitOpsBudget(count, null);
    }

    /** At most {@code fraction} of the bit operations at 8-bit weights and activations, in (0, 2]. */
    public static BitOpsBudget relativeTo8Bits(double fraction) {
        if (!(fraction > 0 && fraction <= 2)) {
            throw new IllegalArgumentException("a bit-operations budget relative to 8 bits must be in (0, 2] (0.5 is "
                    + "4-bit weights with 8-bit activations), got " + fraction);
        }
        return new BitOpsBudget(null, fraction);
    }

    /** The budget in bit operations per example, for layers of {@code macs} multiply-accumulates in all. */
    public long bitOps(long macs) {
        return count != null ? count : (long) Math.floor(relativeTo8Bits * 64 * macs);
    }

    /** The limit in bit operations, or null for a budget relative to 8 bits. */
    public Long limitCount() {
        return count;
    }

    /** The fraction of the 8-bit bit operations, or null for a budget given as a count. */
    public Double fractionOf8Bits() {
        return relativeTo8Bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitOpsBudget b && java.util.Objects.equals(count, b.count)
                && java.util.Objects.equals(relativeTo8Bits, b.relativeTo8Bits);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(count, relativeTo8Bits);
    }

    @Override
    public String toString() {
        return count != null ? count + " bit operations" : relativeTo8Bits + " of the 8-bit bit operations";
    }
}
