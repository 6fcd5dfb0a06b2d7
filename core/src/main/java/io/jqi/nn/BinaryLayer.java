package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * A layer of two operands, {@code op(a, b)}, taking either both as inputs or one input and a constant operand that
 * the layer holds as the buffer {@code "constant"} (saved in the state dict, not trained). The constant form is what
 * an imported model's {@code Mul(x, scale)} with an initializer becomes: the graph model has no constant nodes, so
 * the constant lives in the layer that reads it. {@link #constantFirst()} keeps the operand order, which matters for
 * the non-commutative ops.
 */
public abstract class BinaryLayer extends Module {
    private final boolean hasConstant;
    private final boolean constantFirst;

    /** The two-input form. */
    protected BinaryLayer() {
        this.hasConstant = false;
        this.constantFirst = false;
    }

    /** The one-input form: {@code op(constant, x)} when {@code constantFirst}, else {@code op(x, constant)}. */
    protected BinaryLayer(Tensor constant, boolean constantFirst) {
        if (constant == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the constant operand is missing");
        }
        this.hasConstant = true;
        this.constantFirst = constantFirst;
        registerBuffer("constant", constant.detach());
    }

    /** The operation on the two operands, in order. */
    protected abstract Tensor apply(Tensor a, Tensor b);

    @Override
    public final Tensor forward(Tensor... inputs) {
        if (!hasConstant) {
            if (inputs.length != 2) {
                throw new IllegalArgumentException(getClass().getSimpleName() + " takes two inputs, got "
                        + inputs.length);
            }
            return apply(inputs[0], inputs[1]);
        }
        Tensor x = singleInput(inputs);
        return constantFirst ? apply(constant(), x) : apply(x, constant());
    }

    /** Whether the second operand is a constant held by the layer. */
    public final boolean hasConstant() {
        return hasConstant;
    }

    /** Whether the constant is the first operand (only meaningful with {@link #hasConstant()}). */
    public final boolean constantFirst() {
        return constantFirst;
    }

    /** The constant operand, or null in the two-input form. */
    public final Tensor constant() {
        return hasConstant ? buffer("constant") : null;
    }
}
