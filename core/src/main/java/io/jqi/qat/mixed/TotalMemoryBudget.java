package io.jqi.qat.mixed;

/**
 * A limit on the weights memory and the activation memory together ({@link WeightsMemory} plus
 * {@link ActivationMemory}), absolute, in bytes, or relative to both at 8 bits.
 */
public final class TotalMemoryBudget extends ResourceBudget {
    private TotalMemoryBudget(Long bytes, Double relativeTo8Bits) {
        super(bytes, relativeTo8Bits, "total memory", "bytes", "0.5 is 4 bits on average, 1 is 8 bits");
    }

    /** At most {@code bytes} bytes of quantized kernels and activations held at once. */
    public static TotalMemoryBudget bytes(long bytes) {
        return new TotalMemoryBudget(bytes, null);
    }

    /** The budget a config gives: {@code fraction} of 8 bits or {@code bytes}, at most one; null for neither. */
    public static TotalMemoryBudget of(Double fraction, Long bytes) {
        return either(fraction, bytes, TotalMemoryBudget::relativeTo8Bits, TotalMemoryBudget::bytes,
                "total memory", "in bytes");
    }

    /** At most {@code fraction} of the weights and activation memory at 8 bits, in (0, 2]. */
    public static TotalMemoryBudget relativeTo8Bits(double fraction) {
        return new TotalMemoryBudget(null, fraction);
    }

    /** The budget in bits, for kernels and activations that take {@code eightBitBits} at 8 bits. */
    public long bits(long eightBitBits) {
        return bitsOf(eightBitBits);
    }

    /** The limit in bytes, or null for a budget relative to 8 bits. */
    public Long limitBytes() {
        return absolute();
    }
}
