package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * The input plus a constant, {@code x + c} (broadcasting like NumPy): ONNX {@code Add} with an initializer operand,
 * such as the bias after a {@code MatMul}. Sums of inputs are {@link Add}.
 */
public final class AddConstant extends BinaryLayer {
    public AddConstant(Tensor constant) {
        super(constant, false);
    }

    @Override
    protected Tensor apply(Tensor a, Tensor b) {
        return a.add(b);
    }
}
