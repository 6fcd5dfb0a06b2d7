package io.jqi.tensor;

/** Softmax-family functions composed from differentiable operations. */
final class Activations {
    private Activations() {
    }

    static Tensor logSoftmax(Tensor x, int axis) {
        int a = x.shape().normalizeAxis(axis);
        int last = x.rank() - 1;
        if (a != last) {
            return logSoftmax(x.transpose(a, last), last).transpose(a, last);
        }
        int cols = x.shape().dim(last);
        int rows = cols == 0 ? 0 : x.numel() / cols;
        int[] keptDims = x.shape().toArray();
        keptDims[last] = 1;
        // The row maximum only shifts for stability; it is a constant for the gradient.
        Tensor max = Tensor.ofStorage(Shape.of(keptDims), x.backend().maxLastAxis(x.storage(), rows, cols, null));
        Tensor shifted = x.sub(max);
        Tensor logSumExp = shifted.exp().sum(new int[] {last}, true).log();
        return shifted.sub(logSumExp);
    }
}
