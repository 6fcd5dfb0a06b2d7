package io.jqi.qat.mixed;

/**
 * A limit on a model's bit operations per example: each quantized kernel layer's multiply-accumulates times its
 * weight bits times the bits of the activation it reads (32 for a float one), summed over the layers; absolute, or
 * relative to the same layers with 8-bit weights and 8-bit activations. Layers kept float are outside it.
 */
public final class BitOpsBudget extends ResourceBudget {
    private BitOpsBudget(Long count, Double relativeTo8Bits) {
        super(count, relativeTo8Bits, "bit-operations", "bit operations",
                "0.5 is 4-bit weights with 8-bit activations");
    }

    /** At most {@code count} bit operations per example. */
    public static BitOpsBudget count(long count) {
        return new BitOpsBudget(count, null);
    }

    /** The budget a config gives: {@code fraction} of 8 bits or {@code count}, at most one; null for neither. */
    public static BitOpsBudget of(Double fraction, Long count) {
        return either(fraction, count, BitOpsBudget::relativeTo8Bits, BitOpsBudget::count,
                "bit operations", "as a count");
    }

    /** At most {@code fraction} of the bit operations at 8-bit weights and activations, in (0, 2]. */
    public static BitOpsBudget relativeTo8Bits(double fraction) {
        return new BitOpsBudget(null, fraction);
    }

    /** The budget in bit operations per example, for layers of {@code macs} multiply-accumulates in all. */
    public long bitOps(long macs) {
        return limit(64 * macs);
    }

    /** The limit in bit operations, or null for a budget relative to 8 bits. */
    public Long limitCount() {
        return absolute();
    }
}
