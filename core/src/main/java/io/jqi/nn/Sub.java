package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The element-wise difference {@code a - b} (broadcasting like NumPy; ONNX {@code Sub}). */
public final class Sub extends BinaryLayer {
    /** Of two inputs. */
    public Sub() {
    }

    /** Of one input and a constant operand (see {@link BinaryLayer}). */
    public Sub(Tensor constant, boolean constantFirst) {
        super(constant, constantFirst);
    }

    @Override
    protected Tensor apply(Tensor a, Tensor b) {
        return a.sub(b);
    }
}
