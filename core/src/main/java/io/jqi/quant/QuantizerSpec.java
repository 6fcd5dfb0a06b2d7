package io.jqi.quant;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.GridChecks;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Shape;

/**
 * What a quantizer computes, apart from the values of its parameters (thresholds, ranges, look-up levels): the
 * immutable description that inferable and trainable quantizers, their conversion, their files, their ONNX export
 * and the reports all read, so that each of those facts lives here once.
 *
 * @param target      weights or activations
 * @param method      the grid
 * @param bits        the bit width n
 * @param signed      whether the grid has negative integers: symmetric and power-of-two weights always, activations
 *                    as their statistics say; uniform grids never (their range carries the sign)
 * @param channelAxis the channel axis of a per-channel quantizer (may be negative); null per tensor
 * @param rounding    how values are rounded onto the grid
 */
public record QuantizerSpec(QuantizationTarget target, QuantizationMethod method, int bits, boolean signed,
        Integer channelAxis, RoundingMode rounding) {

    public QuantizerSpec {
        if (target == null || method == null || rounding == null) {
            throw new IllegalArgumentException("A quantizer spec needs a target, a method and a rounding mode, got "
                    + target + ", " + method + " and " + rounding);
        }
        GridChecks.requireBits(bits, "num_bits");
        if (method == QuantizationMethod.UNIFORM && signed) {
            throw new IllegalArgumentException("A UNIFORM grid has no sign of its own: its range decides");
        }
    }

    /** A per-tensor or per-channel weights quantizer, signed unless uniform, rounding half to even. */
    public static QuantizerSpec weights(QuantizationMethod method, int bits, Integer channelAxis) {
        return new QuantizerSpec(QuantizationTarget.WEIGHTS, method, bits, method != QuantizationMethod.UNIFORM,
                channelAxis, RoundingMode.HALF_EVEN);
    }

    /** A per-tensor activation quantizer, rounding half to even ({@code signed} ignored for UNIFORM). */
    public static QuantizerSpec activations(QuantizationMethod method, int bits, boolean signed) {
        return new QuantizerSpec(QuantizationTarget.ACTIVATION, method, bits,
                signed && method != QuantizationMethod.UNIFORM, null, RoundingMode.HALF_EVEN);
    }

    public boolean perChannel() {
        return channelAxis != null;
    }

    public boolean powerOfTwo() {
        return method == QuantizationMethod.POWER_OF_TWO || method == QuantizationMethod.LUT_POT;
    }

    /**
     * The grid's integers: {@code [0, 2^n - 1]} for a uniform grid, {@link IntegerRange#of} with the sign otherwise
     * (docs/quantizer-contract.md#core-math).
     */
    public IntegerRange integers() {
        return method == QuantizationMethod.UNIFORM ? IntegerRange.unsigned(bits) : IntegerRange.of(bits, signed);
    }

    /**
     * How an input of {@code shape} maps onto {@code channels} parameters: the whole tensor per tensor, the layout
     * around the channel axis per channel; an input whose size on that axis differs from {@code channels}, or that
     * lacks the axis, is an error naming {@code who}.
     */
    public ChannelLayout layout(Shape shape, int channels, String who) {
        if (channelAxis == null) {
            return ChannelLayout.perTensor(shape.numel());
        }
        if (channelAxis < -shape.rank() || channelAxis >= shape.rank()) {
            throw new IllegalArgumentException(who + " quantizes per channel on axis " + channelAxis
                    + ", which does not exist in an input of shape " + shape);
        }
        ChannelLayout layout = ChannelLayout.around(shape.toArray(), channelAxis);
        if (layout.channels() != channels) {
            throw new IllegalArgumentException(who + " has " + channels + " per-channel parameters but the input has "
                    + layout.channels() + " channels on axis " + channelAxis + " (shape " + shape + ")");
        }
        return layout;
    }
}
