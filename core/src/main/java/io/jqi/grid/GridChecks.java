package io.jqi.grid;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The validation rules of the reference's inferable quantizers (docs/quantizer-contract.md#inferable-validation), with
 * messages that say what is wrong and what to change. Every quantizer constructor goes through these, so invalid
 * parameters fail at construction, never inside a forward pass.
 */
public final class GridChecks {
    /** Widest grid jqi accepts: integer levels stay exact in float32 and int16 hardware is covered. */
    public static final int MAX_BITS = 16;

    private GridChecks() {
    }

    public static void requireBits(int bits, String name) {
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException(name + " must be between 1 and " + MAX_BITS + ", got " + bits);
        }
    }

    /**
     * Mixed-precision candidate widths: each a valid width, none twice; null reads as none. Returns an unmodifiable
     * copy. {@code what} names them in the errors, such as "mixed-precision candidate widths".
     */
    public static java.util.List<Integer> requireCandidateBits(java.util.List<Integer> widths, String what) {
        java.util.List<Integer> out = java.util.List.copyOf(widths == null ? java.util.List.of() : widths);
        for (int b : out) {
            requireBits(b, "A width of the " + what);
        }
        if (out.stream().distinct().count() != out.size()) {
            throw new IllegalArgumentException("the " + what + " must differ, got " + out);
        }
        return out;
    }

    /** Thresholds: one per channel, or exactly one per tensor; each positive and finite. */
    public static void requireThresholds(float[] thresholds, boolean perChannel) {
        requireLength(thresholds, "threshold", perChannel);
        for (int i = 0; i < thresholds.length; i++) {
            if (!(thresholds[i] > 0f) || Float.isInfinite(thresholds[i])) {
                throw new IllegalArgumentException("threshold[" + i + "] must be a positive finite number, got "
                        + thresholds[i]);
            }
        }
    }

    public static void requirePowerOfTwo(float[] thresholds) {
        for (float t : thresholds) {
            if (!PowerOfTwo.isPowerOfTwo(t)) {
                throw new IllegalArgumentException("Expected threshold to be power of 2 but is "
                        + Arrays.toString(thresholds) + " (round it up with PowerOfTwo.roundUp, or use a "
                        + "SYMMETRIC quantizer)");
            }
        }
    }

    /** Ranges: equal lengths, finite, and {@code min < max} channel by channel, checked before adjustment. */
    public static void requireRanges(float[] min, float[] max, boolean perChannel) {
        if (min == null || max == null) {
            throw new IllegalArgumentException("min_range and max_range are required");
        }
        if (min.length != max.length) {
            throw new IllegalArgumentException("min_range and max_range must have the same length, got "
                    + min.length + " and " + max.length);
        }
        if (!perChannel && min.length != 1) {
            throw new IllegalArgumentException("In per-tensor quantization min/max should be of length 1 but is "
                    + min.length);
        }
        if (min.length == 0) {
            throw new IllegalArgumentException("min_range and max_range must not be empty");
        }
        for (int c = 0; c < min.length; c++) {
            if (!Float.isFinite(min[c]) || !Float.isFinite(max[c])) {
                throw new IllegalArgumentException("min_range[" + c + "] and max_range[" + c
                        + "] must be finite, got " + min[c] + " and " + max[c]);
            }
            if (!(min[c] < max[c])) {
                throw new IllegalArgumentException("min_range must be smaller than max_range, but channel " + c
                        + " has min_range " + min[c] + " >= max_range " + max[c]);
            }
        }
    }

    /**
     * Per-channel quantization needs a channel axis; {@code inputRank}, when given, bounds it. The LUT quantizers
     * also need the rank, as in the reference.
     */
    public static void requireChannelAxis(boolean perChannel, Integer channelAxis, Integer inputRank,
            boolean rankRequired) {
        if (inputRank != null && inputRank < 1) {
            throw new IllegalArgumentException("input_rank must be at least 1, got " + inputRank);
        }
        if (!perChannel) {
            return;
        }
        if (channelAxis == null) {
            throw new IllegalArgumentException("Channel axis is missing in per channel quantization");
        }
        if (inputRank == null) {
            if (rankRequired) {
                throw new IllegalArgumentException("Input rank is missing in per channel quantization");
            }
            return;
        }
        if (channelAxis < -inputRank || channelAxis >= inputRank) {
            throw new IllegalArgumentException("Channel axis out of range. Must be " + (-inputRank)
                    + " <= channel_axis < " + inputRank + ", got " + channelAxis);
        }
    }

    /** The step of a grid must be a positive finite float, or every value would quantize to NaN or zero. */
    static void requireUsableStep(float step, String what, float value, int bits) {
        if (!(step > 0f)) {
            throw new IllegalArgumentException(what + " " + value + " is too small for " + bits
                    + " bits: its quantization step underflows to zero");
        }
        if (Float.isInfinite(step)) {
            throw new IllegalArgumentException(what + " " + value + " is too large: its quantization step is not "
                    + "a finite float");
        }
    }

    /** The LUT rules, in the reference's order. */
    public static void requireLut(float[] levels, int numBits, int lutBitwidth, boolean signed) {
        if (levels == null || levels.length == 0) {
            throw new IllegalArgumentException("lut_values must contain at least one value");
        }
        requireBits(lutBitwidth, "lut_values_bitwidth");
        Set<Float> unique = new LinkedHashSet<>();
        for (float v : levels) {
            unique.add(v);
        }
        long allowed = 1L << numBits;
        if (unique.size() > allowed) {
            throw new IllegalArgumentException("Expected num of lut values to be less or equal than " + allowed
                    + " but got " + unique.size() + " distinct values");
        }
        for (float v : levels) {
            if (!Float.isFinite(v) || v != Math.rint(v)) {
                throw new IllegalArgumentException("Expected lut values to be integers, got " + v);
            }
        }
        long lo = signed ? -(1L << (lutBitwidth - 1)) : 0;
        long hi = signed ? (1L << (lutBitwidth - 1)) - 1 : (1L << lutBitwidth) - 1;
        for (float v : levels) {
            if (v < lo || v > hi) {
                throw new IllegalArgumentException((signed ? "Expected lut values in the quantization range"
                        : "Expected unsigned lut values in unsigned activation quantization") + " [" + lo + ", "
                        + hi + "] of " + lutBitwidth + " bits, got " + v);
            }
        }
        if (numBits > lutBitwidth) {
            throw new IllegalArgumentException("Look-Up-Table bit configuration has " + numBits
                    + " bits. It must be at most lut_values_bitwidth (" + lutBitwidth + ")");
        }
    }

    public static void requireEps(float eps) {
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be a non-negative finite number, got " + eps);
        }
    }

    private static void requireLength(float[] values, String name, boolean perChannel) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException(name + " must contain at least one value");
        }
        if (!perChannel && values.length != 1) {
            throw new IllegalArgumentException("In per-tensor quantization " + name + " should be of length 1 but is "
                    + values.length);
        }
    }
}
