package io.jqi.quant.inferable;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.QuantizerChecks;
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

    protected WeightsInferableQuantizer(int numBits, boolean perChannel, Integer channelAxis, Integer inputRank,
            boolean rankRequired) {
        super(numBits);
        QuantizerChecks.requireChannelAxis(perChannel, channelAxis, inputRank, rankRequired);
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

    @Override
    protected final ChannelLayout layoutFor(Shape shape) {
        String name = getClass().getSimpleName();
        if (inputRank != null && shape.rank() != inputRank) {
            throw new IllegalArgumentException(name + " expects inputs of rank " + inputRank
                    + " (input_rank) but got shape " + shape);
        }
        if (!perChannel) {
            return ChannelLayout.perTensor(shape);
        }
        if (channelAxis < -shape.rank() || channelAxis >= shape.rank()) {
            throw new IllegalArgumentException(name + " quantizes per channel on axis " + channelAxis
                    + ", which does not exist in an input of shape " + shape);
        }
        ChannelLayout layout = ChannelLayout.around(shape, channelAxis);
        if (layout.channels() != grid().channels()) {
            throw new IllegalArgumentException(name + " has " + grid().channels() + " per-channel parameters but the"
                    + " input has " + layout.channels() + " channels on axis " + channelAxis + " (shape " + shape
                    + ")");
        }
        return layout;
    }
}
