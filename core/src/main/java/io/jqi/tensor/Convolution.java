package io.jqi.tensor;

/**
 * 2-D convolution as im2col followed by one grouped matrix product. Only im2col has a hand-written gradient
 * (col2im); the weight, bias and input gradients follow from the reshape, matmul, permute and add it is composed
 * of, so they cannot drift from the forward pass. The one exception is memory: the product's node builds the im2col
 * matrix again in the backward pass instead of keeping it ({@link #product}).
 */
final class Convolution {
    private static final String OP = "conv2d";

    private Convolution() {
    }

    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
            int groups) {
        Window2d.requireNchw(OP, x.shape());
        if (weight.rank() != 4) {
            throw new IllegalArgumentException(OP + ": expected a weight [out, in/groups, kh, kw] of rank 4 but got "
                    + "shape " + weight.shape());
        }
        int channels = x.shape().dim(1);
        int outChannels = weight.shape().dim(0);
        if (groups < 1) {
            throw new IllegalArgumentException(OP + ": groups must be at least 1 but is " + groups);
        }
        if (channels % groups != 0) {
            throw new IllegalArgumentException(OP + ": groups " + groups + " does not divide the input's " + channels
                    + " channels; use a divisor of " + channels + " (groups = " + channels + " is depthwise)");
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException(OP + ": groups " + groups + " does not divide the weight's "
                    + outChannels + " output channels (weight " + weight.shape() + " is [out, in/groups, kh, kw])");
        }
        int groupChannels = channels / groups;
        if (weight.shape().dim(1) != groupChannels) {
            throw new IllegalArgumentException(OP + ": input has " + channels + " channels but weight "
                    + weight.shape() + " expects " + weight.shape().dim(1) * groups + " (= in/groups "
                    + weight.shape().dim(1) + " x groups " + groups + "); with groups " + groups + " the weight's "
                    + "dimension 1 must be " + groupChannels);
        }
        if (bias != null && (bias.rank() != 1 || bias.shape().dim(0) != outChannels)) {
            throw new IllegalArgumentException(OP + ": bias must have shape [" + outChannels + "] (one value per "
                    + "output channel) but has shape " + bias.shape());
        }
        Window2d w = Window2d.of(OP, x.shape(), weight.shape().dim(2), weight.shape().dim(3), stride, padding,
                dilation);
        int taps = groupChannels * w.kernelSize();
        int positions = w.batch() * w.outHeight() * w.outWidth();
        Tensor out = product(weight.reshape(groups, outChannels / groups, taps), x, w, groups, taps, positions)
                .reshape(outChannels, w.batch(), w.outHeight(), w.outWidth())
                .permute(1, 0, 2, 3);
        return bias == null ? out : out.add(bias.reshape(1, outChannels, 1, 1));
    }

    /**
     * {@code weights.matmul(im2col(x))}, with the composed operations' values and gradients, but the graph does not
     * keep the im2col matrix: the backward pass builds it again from {@code x}. The matrix is {@code kh * kw} times
     * the size of the input (115 MB for a 3x3 convolution of 64 channels, 28x28, batch 64), and training held one per
     * convolution from the forward pass to the backward one; building it again costs one more im2col per
     * convolution (docs/performance.md#peak-memory).
     *
     * <p>Rows of the im2col matrix are channel-major, so {@code [C * kh * kw, N * L]} splits into the groups'
     * {@code [taps, N * L]} blocks by a reshape alone, and one batched product over the groups does the whole
     * convolution.
     */
    private static Tensor product(Tensor weights, Tensor x, Window2d w, int groups, int taps, int positions) {
        Tensor value;
        try (GradMode.Scope ignored = GradMode.disabled()) {
            value = Linalg.product(weights, im2col(x, w).reshape(groups, taps, positions), false, false);
        }
        return Tensor.result(value.shape(), value.storage(), g -> {
            Tensor columns = im2col(x, w).reshape(groups, taps, positions);
            Tensor dx = null;
            if (x.requiresGrad()) {
                Storage dColumns = Linalg.product(weights, g, true, false).storage();
                dx = Tensor.ofStorage(x.shape(), x.backend().col2im(dColumns, w));
            }
            return new Tensor[] {Linalg.product(g, columns, false, true), dx};
        }, weights, x);
    }

    /** The im2col matrix of {@code x} (see {@link Backend#im2col}); its gradient is col2im. */
    static Tensor im2col(Tensor x, Window2d w) {
        long rows = (long) w.channels() * w.kernelSize();
        long columns = (long) w.batch() * w.outHeight() * w.outWidth();
        if (rows * columns > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException(OP + ": the im2col matrix of input " + x.shape() + " would hold "
                    + rows * columns + " values, more than one tensor can (" + Shape.MAX_ELEMENTS + "); split the "
                    + "batch");
        }
        Shape shape = Shape.of((int) rows, (int) columns);
        Storage s = x.backend().im2col(x.storage(), w);
        return Tensor.result(shape, s,
                g -> new Tensor[] {Tensor.ofStorage(x.shape(), g.backend().col2im(g.storage(), w))}, x);
    }
}
