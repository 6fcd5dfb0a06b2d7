package io.jqi.qat.mixed;

/**
 * A limit on the memory of a model's quantized activations per example ({@link ActivationMemory}: the most that the
 * tensors its activation quantizers write take at once while it runs), absolute, in bytes, or relative to the same
 * tensors at 8 bits. Values left float are outside it.
 */
public final class ActivationMemoryBudget extends ResourceBudget {
    private ActivationMemoryBudget(Long bytes, Double relativeTo8Bits) {
        super(bytes, relativeTo8Bits, "activation memory", "bytes", "0.5 is 4 bits on average, 1 is 8 bits");
    }

    /** At most {@code bytes} bytes of quantized activations held at once, per example. */
    public static ActivationMemoryBudget bytes(long bytes) {
        return new ActivationMemoryBudget(bytes, null);
    }

    /** The budget a config gives: {@code fraction} of 8 bits or {@code bytes}, at most one; null for neither. */
    public static ActivationMemoryBudget of(Double fraction, Long bytes) {
        return either(fraction, bytes, ActivationMemoryBudget::relativeTo8Bits, ActivationMemoryBudget::bytes,
                "activation memory", "in bytes");
    }

    /** At most {@code fraction} of the activation memory at 8 bits, in (0, 2]. */
    public static ActivationMemoryBudget relativeTo8Bits(double fraction) {
        return new ActivationMemoryBudget(null, fraction);
    }

    /** The budget in bits, for activations that take {@code eightBitBits} at 8 bits. */
    public long bits(long eightBitBits) {
        return bitsOf(eightBitBits);
    }

    /** The limit in bytes, or null for a budget relative to 8 bits. */
    public Long limitBytes() {
        return absolute();
    }
}
