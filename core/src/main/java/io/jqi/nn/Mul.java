package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The element-wise product {@code a * b} (broadcasting like NumPy; ONNX {@code Mul}). */
public final class Mul extends BinaryLayer {
    /** Of two inputs. */
    public Mul() {
    }

    /** Of one input and a constant operand (see {@link BinaryLayer}). */
    public Mul(Tensor constant, boolean constantFirst) {
        super(constant, constantFirst);
    }

    @Override
    protected Tensor apply(Tensor a, Tensor b) {
        return a.mul(b);
    }
}
