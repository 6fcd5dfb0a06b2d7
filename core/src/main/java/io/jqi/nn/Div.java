package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The element-wise quotient {@code a / b} (broadcasting like NumPy; ONNX {@code Div} on floats). */
public final class Div extends BinaryLayer {
    /** Of two inputs. */
    public Div() {
    }

    /** Of one input and a constant operand (see {@link BinaryLayer}). */
    public Div(Tensor constant, boolean constantFirst) {
        super(constant, constantFirst);
    }

    @Override
    protected Tensor apply(Tensor a, Tensor b) {
        return a.div(b);
    }
}
