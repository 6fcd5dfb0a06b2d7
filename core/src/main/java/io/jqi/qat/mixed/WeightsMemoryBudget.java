package io.jqi.qat.mixed;

/**
 * A limit on the memory of a model's quantized kernels: absolute, in bytes, or relative to the same kernels at 8 bits
 * (0.5 is half of the 8-bit weight memory, an average of 4 bits). Only quantized kernels count; biases and layers the
 * platform keeps float are outside the budget.
 */
public final class WeightsMemoryBudget extends ResourceBudget {
    private WeightsMemoryBudget(Long bytes, Double relativeTo8Bits) {
        super(bytes, relativeTo8Bits, "weights memory", "bytes", "0.5 is 4 bits on average, 1 is 8 bits");
    }

    /** At most {@code bytes} bytes of quantized kernels. */
    public static WeightsMemoryBudget bytes(long bytes) {
        return new WeightsMemoryBudget(bytes, null);
    }

    /** The budget a config gives: {@code fraction} of 8 bits or {@code bytes}, at most one; null for neither. */
    public static WeightsMemoryBudget of(Double fraction, Long bytes) {
        return either(fraction, bytes, WeightsMemoryBudget::relativeTo8Bits, WeightsMemoryBudget::bytes,
                "weights memory", "in bytes");
    }

    /** At most {@code fraction} of the kernels' memory at 8 bits, in (0, 2]: 0.5 allows 4 bits on average. */
    public static WeightsMemoryBudget relativeTo8Bits(double fraction) {
        return new WeightsMemoryBudget(null, fraction);
    }

    /** The budget in bits, for kernels holding {@code weights} values in all. */
    public long bits(long weights) {
        return bitsOf(8 * weights);
    }

    /** The limit in bytes, or null for a budget relative to 8 bits. */
    public Long limitBytes() {
        return absolute();
    }
}
