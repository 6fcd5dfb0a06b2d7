package io.jqi.tensor;

/**
 * 2-D convolution: argument checks, one graph node over {@link Backend#conv2d} and its two gradients, and the bias as
 * a broadcast addition. The backend's kernels are specified as im2col, a grouped matrix product and a permute (their
 * default), so values and gradients are those of that composition, bit for bit; a backend is free to convolve image
 * by image (the CPU does, {@link CpuConvolution}) and keep neither the im2col matrix nor a permuted copy.
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
        Elementwise.requireSameDevice(x, weight);
        Backend backend = x.backend();
        Storage value = backend.conv2d(x.storage(), weight.storage(), w, outChannels, groups);
        // The backward keeps the input and the weights as SavedTensors, never the tensors themselves: a
        // fake-quantized weight or input is then computed again instead of kept from the forward pass.
        Shape xShape = x.shape();
        Shape weightShape = weight.shape();
        SavedTensor xSaved = weight.requiresGrad() ? SavedTensor.of(x) : null;
        SavedTensor weightSaved = x.requiresGrad() ? SavedTensor.of(weight) : null;
        Tensor out = Tensor.result(Shape.of(w.batch(), outChannels, w.outHeight(), w.outWidth()), value, g -> {
            Storage dy = g.storage();
            Tensor dx = weightSaved != null
                    ? Tensor.ofStorage(xShape, backend.conv2dInputGrad(weightSaved.storage(), dy, w, outChannels,
                            groups))
                    : null;
            Tensor dw = xSaved != null
                    ? Tensor.ofStorage(weightShape, backend.conv2dWeightGrad(xSaved.storage(), dy, w, outChannels,
                            groups))
                    : null;
            return new Tensor[] {dx, dw};
        }, x, weight);
        return bias == null ? out : out.add(bias.reshape(1, outChannels, 1, 1));
    }
}
