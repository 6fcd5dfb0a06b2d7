package io.jqi.quant.inferable;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.Grid;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerChecks;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.trainable.QuantizerHost;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * A quantizer with fixed parameters, for deployment emulation: stateless after construction, validated at
 * construction, and a pure function of its input. Target and method come from the class's {@link MarkQuantizer}.
 */
public abstract class InferableQuantizer implements FakeQuantizer {
    private final int numBits;

    protected InferableQuantizer(int numBits) {
        QuantizerChecks.requireBits(numBits, "num_bits");
        this.numBits = numBits;
    }

    public final int numBits() {
        return numBits;
    }

    @Override
    public final QuantizationTarget target() {
        return mark().target();
    }

    public final QuantizationMethod method() {
        return mark().methods()[0];
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

    /** The fake-quantized input: same shape, every value on the grid. */
    public final Tensor quantize(Tensor x) {
        ChannelLayout layout = layoutFor(x.shape());
        float[] values = x.toFloatArray();
        grid().apply(values, values, layout);
        // The grids run on host arrays (the CUDA fake-quant kernels are separate); the result goes back to x's device.
        return Tensor.wrap(values, x.shape()).to(x.device());
    }

    /** The arithmetic this quantizer applies. */
    protected abstract Grid grid();

    /** How an input of {@code shape} maps onto the grid's channels; rejects shapes that do not fit. */
    protected abstract ChannelLayout layoutFor(Shape shape);

    private MarkQuantizer mark() {
        MarkQuantizer m = getClass().getDeclaredAnnotation(MarkQuantizer.class);
        if (m == null) {
            throw new IllegalStateException(getClass().getName() + " must be annotated with @MarkQuantizer");
        }
        return m;
    }
}
