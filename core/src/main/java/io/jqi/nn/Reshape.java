package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * Gives the input a new shape of the same element count (ONNX {@code Reshape}): one entry may be -1 (inferred), and
 * an entry 0 copies the input's dimension at that index, unless {@code allowZero}, when 0 is a literal size.
 */
public final class Reshape extends Module implements DataMovement {
    private final int[] shape;
    private final boolean allowZero;

    public Reshape(int[] shape, boolean allowZero) {
        int inferred = 0;
        for (int d : shape) {
            if (d < -1) {
                throw new IllegalArgumentException("Reshape: dimension " + d + " in " + java.util.Arrays.toString(shape)
                        + " is neither a size, 0 nor -1");
            }
            inferred += d == -1 ? 1 : 0;
        }
        if (inferred > 1) {
            throw new IllegalArgumentException("Reshape: at most one dimension may be -1, got "
                    + java.util.Arrays.toString(shape));
        }
        this.shape = shape.clone();
        this.allowZero = allowZero;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int[] target = shape.clone();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw new IllegalArgumentException("Reshape " + java.util.Arrays.toString(shape) + ": entry " + i
                            + " copies a dimension the input " + x.shape() + " does not have");
                }
                target[i] = x.shape().dim(i);
            }
        }
        return x.reshape(target);
    }

    /** The target shape as given (with its 0 and -1 entries). */
    public int[] shape() {
        return shape.clone();
    }

    public boolean allowZero() {
        return allowZero;
    }
}
