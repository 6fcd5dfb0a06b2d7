package io.jqi.quant.inferable;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.QuantizerSpec;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * A quantizer with fixed parameters, for deployment emulation: stateless after construction, validated at
 * construction, and a pure function of its input, computed on the input's device. Target and method come from the
 * class's {@link MarkQuantizer}; with the bit width, signedness, channel axis and rounding they make its
 * {@link #spec()}, and its parameters make its {@link #grid()} (docs/quantizer-contract.md#inferable-quantizers).
 */
public abstract class InferableQuantizer implements FakeQuantizer {
    private final QuantizerSpec spec;

    /**
     * @param signed      whether the grid has negative integers (false for uniform grids)
     * @param channelAxis the channel axis of a per-channel quantizer; null per tensor
     */
    protected InferableQuantizer(int numBits, boolean signed, Integer channelAxis, RoundingMode rounding) {
        GridChecks.requireBits(numBits, "num_bits");
        MarkQuantizer mark = getClass().getDeclaredAnnotation(MarkQuantizer.class);
        if (mark == null) {
            throw new IllegalStateException(getClass().getName() + " must be annotated with @MarkQuantizer");
        }
        this.spec = new QuantizerSpec(mark.target(), mark.methods()[0], numBits, signed, channelAxis, rounding);
    }

    /** What this quantizer computes, its parameter values aside. */
    public final QuantizerSpec spec() {
        return spec;
    }

    public final int numBits() {
        return spec.bits();
    }

    @Override
    public final QuantizationTarget target() {
        return spec.target();
    }

    public final QuantizationMethod method() {
        return spec.method();
    }

    /** Inferable quantizers have fixed parameters: nothing to create. */
    @Override
    public final void initializeQuantization(Shape shape, String name, QuantizerHost host) {
    }

    /** {@link #quantize}; an inferable quantizer behaves the same in training and inference, with no gradient. */
    @Override
    public final Tensor apply(Tensor x, boolean training) {
        return quantize(x);
    }

    /** The fake-quantized input: same shape and device, every value on the grid. */
    public final Tensor quantize(Tensor x) {
        return Tensor.fakeQuantize(x, layoutFor(x.shape()), grid());
    }

    /** The arithmetic this quantizer applies, with its parameters. */
    public abstract Grid grid();

    /**
     * Writes this quantizer's configuration, {@code num_bits} first, in the keys and order its files show
     * (docs/quantizer-contract.md#inferable-json-config). A class that a file format should read back also has a
     * public static {@code fromConfig(QuantizerConfig.Reader)} that reads the same keys.
     */
    public abstract void writeConfig(QuantizerConfig.Writer out);

    /** How an input of {@code shape} maps onto the grid's channels; rejects shapes that do not fit. */
    protected abstract ChannelLayout layoutFor(Shape shape);
}
