package io.jqi.tensor;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import java.util.function.Supplier;

/**
 * Fake quantization as tensor operations on the backend's primitives ({@link Backend#fakeQuantAffine},
 * {@link Backend#fakeQuantLut}, {@link Backend#fakeQuantAffineBackward}): one forward pass and, in training, one
 * backward pass that also reduces the parameter gradients, on every device alike. Knows grids and channel layouts,
 * never quantizers: what the parameters are and how they are trained is the caller's business.
 */
final class FakeQuantization {
    private FakeQuantization() {
    }

    /** {@code x} on the host {@code grid}, whose parameters are copied to x's device; no gradient. */
    static Tensor onGrid(Tensor x, ChannelLayout layout, Grid grid) {
        requireLayout(x, layout);
        requireChannels(layout, grid.channels(), "the grid");
        Backend b = x.backend();
        Storage y;
        if (grid instanceof AffineGrid a) {
            y = b.fakeQuantAffine(x.storage(), layout, b.fromHost(a.steps()), b.fromHost(a.zeroPoints()), a.qmin(),
                    a.qmax(), a.rounding());
        } else {
            LutGrid l = (LutGrid) grid;
            y = b.fakeQuantLut(x.storage(), layout, b.fromHost(l.levels()), b.fromHost(l.thresholds()),
                    l.multiplier(), l.lo(), l.hi(), l.eps());
        }
        return Tensor.ofStorage(x.shape(), y);
    }

    /**
     * {@code x} on the affine grid of {@code steps} and {@code zeroPoints} (null: zero), already on x's device. The
     * result can compute itself again from those tensors ({@link SavedTensor}): a convolution that reads a
     * fake-quantized weight or input in its backward pass keeps that recipe instead of the values.
     */
    static Tensor affine(Tensor x, ChannelLayout layout, Tensor steps, Tensor zeroPoints, float qmin, float qmax,
            RoundingMode rounding) {
        requireLayout(x, layout);
        requireParameter(x, layout, steps, "steps");
        if (zeroPoints != null) {
            requireParameter(x, layout, zeroPoints, "zero points");
        }
        Supplier<Storage> compute = () -> x.backend().fakeQuantAffine(x.storage(), layout, steps.storage(),
                zeroPoints == null ? null : zeroPoints.storage(), qmin, qmax, rounding);
        return Tensor.ofStorage(x.shape(), compute.get()).recomputedBy(zeroPoints == null
                ? new SavedTensor.Recipe(compute, x, steps) : new SavedTensor.Recipe(compute, x, steps, zeroPoints));
    }

    /**
     * {@code value} (x fake-quantized, computed without a graph) with the straight-through gradient of
     * {@link Backend#fakeQuantAffineBackward} to {@code x}, {@code steps} and {@code offsets} (null: the zero-offset
     * grid). The result keeps the value's recipe, if it has one; the backward keeps x as a {@link SavedTensor}.
     */
    static Tensor withGradient(Tensor value, Tensor x, ChannelLayout layout, Tensor steps, Tensor offsets,
            float qmin, float qmax, boolean clipped) {
        x.requireSameShape("fake-quantized value", value);
        Elementwise.requireSameDevice(x, value);
        requireLayout(x, layout);
        requireParameter(x, layout, steps, "steps");
        if (offsets != null) {
            requireParameter(x, layout, offsets, "offsets");
        }
        Tensor[] inputs = offsets == null ? new Tensor[] {x, steps} : new Tensor[] {x, steps, offsets};
        // x as a SavedTensor, never the tensor itself: a batch norm's output is computed again instead of kept.
        SavedTensor xSaved = SavedTensor.of(x);
        Shape shape = x.shape();
        Backend backend = x.backend();
        int count = inputs.length;
        return Tensor.result(shape, value.storage(), g -> {
            boolean parameters = steps.requiresGrad() || (offsets != null && offsets.requiresGrad());
            Storage[] grads = backend.fakeQuantAffineBackward(xSaved.storage(), g.storage(), layout, steps.storage(),
                    offsets == null ? null : offsets.storage(), qmin, qmax, clipped, parameters);
            Tensor[] out = new Tensor[count];
            out[0] = Tensor.ofStorage(shape, grads[0]);
            if (parameters) {
                out[1] = Tensor.ofStorage(steps.shape(), grads[1]);
                if (offsets != null) {
                    out[2] = Tensor.ofStorage(offsets.shape(), grads[2]);
                }
            }
            return out;
        }, inputs).recomputedBy(value.recipe());
    }

    private static void requireLayout(Tensor x, ChannelLayout layout) {
        if (layout.size() != x.numel()) {
            throw new IllegalArgumentException("The channel layout " + layout + " does not cover the input's "
                    + x.numel() + " elements (shape " + x.shape() + ")");
        }
    }

    private static void requireParameter(Tensor x, ChannelLayout layout, Tensor parameter, String what) {
        Elementwise.requireSameDevice(x, parameter);
        requireChannels(layout, parameter.numel(), "the " + what);
    }

    private static void requireChannels(ChannelLayout layout, int channels, String what) {
        if (channels != layout.channels()) {
            throw new IllegalArgumentException(what + " describe " + channels + " channels but the input has "
                    + layout.channels());
        }
    }
}
