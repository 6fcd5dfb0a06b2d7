package io.jqi.qat.mixed;

import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.function.LongFunction;

/**
 * A limit on one resource of the quantized layers: absolute, or a fraction of the resource at 8 bits. The kinds,
 * {@link WeightsMemoryBudget}, {@link ActivationMemoryBudget}, {@link TotalMemoryBudget} and {@link BitOpsBudget},
 * differ only in their unit and in what "at 8 bits" means.
 */
public abstract sealed class ResourceBudget permits WeightsMemoryBudget, BitOpsBudget, ActivationMemoryBudget,
        TotalMemoryBudget {
    private final Long absolute;
    private final Double relativeTo8Bits;
    private final String what;
    private final String unit;

    /**
     * @param what the resource, as in "the 8-bit weights memory"
     * @param unit the absolute limit's unit
     * @param example what fractions mean, for the error on one out of range
     */
    ResourceBudget(Long absolute, Double relativeTo8Bits, String what, String unit, String example) {
        if (absolute != null && absolute <= 0) {
            throw new IllegalArgumentException("a " + what + " budget must be above 0, got " + absolute);
        }
        if (relativeTo8Bits != null && !(relativeTo8Bits > 0 && relativeTo8Bits <= 2)) {
            throw new IllegalArgumentException("a " + what + " budget relative to 8 bits must be in (0, 2] (" + example
                    + "), got " + relativeTo8Bits);
        }
        this.absolute = absolute;
        this.relativeTo8Bits = relativeTo8Bits;
        this.what = what;
        this.unit = unit;
    }

    /** The limit in the resource's unit, given the resource's amount at 8 bits. */
    final long limit(long at8Bits) {
        return absolute != null ? absolute : (long) Math.floor(relativeTo8Bits * at8Bits);
    }

    /**
     * The budget a config gives as a fraction of 8 bits or as an absolute amount: at most one of them; null when
     * neither is given.
     */
    static <B extends ResourceBudget> B either(Double fraction, Long absolute, DoubleFunction<B> relative,
            LongFunction<B> exact, String what, String unit) {
        if (fraction != null && absolute != null) {
            throw new IllegalArgumentException("give the " + what + " once: as a fraction of 8 bits or " + unit);
        }
        return fraction != null ? relative.apply(fraction) : absolute != null ? exact.apply(absolute) : null;
    }

    /** A memory limit in bits: its bytes, or its fraction of {@code eightBitBits}, the memory at 8 bits. */
    final long bitsOf(long eightBitBits) {
        return absolute != null ? absolute * 8 : limit(eightBitBits);
    }

    /** The absolute limit, or null for a budget relative to 8 bits. */
    final Long absolute() {
        return absolute;
    }

    /** The fraction of the resource at 8 bits, or null for an absolute budget. */
    public final Double fractionOf8Bits() {
        return relativeTo8Bits;
    }

    @Override
    public final String toString() {
        return absolute != null ? absolute + " " + unit : relativeTo8Bits + " of the 8-bit " + what;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Objects.equals(absolute, ((ResourceBudget) o).absolute)
                && Objects.equals(relativeTo8Bits, ((ResourceBudget) o).relativeTo8Bits);
    }

    @Override
    public final int hashCode() {
        return Objects.hash(getClass(), absolute, relativeTo8Bits);
    }
}
