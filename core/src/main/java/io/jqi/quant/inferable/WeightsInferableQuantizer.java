package io.jqi.quant.inferable;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Shape;
import java.util.OptionalInt;

/**
 * Weights quantizers: per tensor, or per channel on any axis (negative axes count from the end). Per-channel
 * parameters are 1-D {@code [C]} and must match the input's size on the channel axis.
 */
public abstract class WeightsInferableQuantizer extends InferableQuantizer {
    private final boolean perChannel;
    private final Integer channelAxis;
    private final Integer inputRank;

    protected WeightsInferableQuantizer(int numBits, boolean signed, boolean perChannel, Integer channelAxis,
            Integer inputRank, boolean rankRequired, RoundingMode rounding) {
        super(numBits, signed, checkedAxis(numBits, perChannel, channelAxis, inputRank, rankRequired), rounding);
        this.perChannel = perChannel;
        this.channelAxis = channelAxis;
        this.inputRank = inputRank;
    }

    public final boolean perChannel() {
        return perChannel;
    }

    public final OptionalInt channelAxis() {
        return channelAxis == null ? OptionalInt.empty() : OptionalInt.of(channelAxis);
    }

    public final OptionalInt inputRank() {
        return inputRank == null ? OptionalInt.empty() : OptionalInt.of(inputRank);
    }

    /** Writes {@code per_channel}, {@code channel_axis} and {@code input_rank}. */
    protected final void writeChannels(QuantizerConfig.Writer out) {
        out.put("per_channel", perChannel);
        out.putOptional("channel_axis", channelAxis);
        out.putOptional("input_rank", inputRank);
    }

    /** What {@link #writeChannels} writes, read back. */
    protected record Channels(boolean perChannel, Integer channelAxis, Integer inputRank) {
        public static Channels read(QuantizerConfig.Reader in) {
            return new Channels(in.bool("per_channel"), in.optionalInteger("channel_axis"),
                    in.optionalInteger("input_rank"));
        }
    }

    @Override
    protected final ChannelLayout layoutFor(Shape shape) {
        String name = getClass().getSimpleName();
        if (inputRank != null && shape.rank() != inputRank) {
            throw new IllegalArgumentException(name + " expects inputs of rank " + inputRank
                    + " (input_rank) but got shape " + shape);
        }
        return spec().layout(shape, grid().channels(), name);
    }

    /** The axis of {@link #spec()} (null per tensor), once the bits and the axis rules are checked, in that order. */
    private static Integer checkedAxis(int numBits, boolean perChannel, Integer channelAxis, Integer inputRank,
            boolean rankRequired) {
        GridChecks.requireBits(numBits, "num_bits");
        GridChecks.requireChannelAxis(perChannel, channelAxis, inputRank, rankRequired);
        return perChannel ? channelAxis : null;
    }
}
