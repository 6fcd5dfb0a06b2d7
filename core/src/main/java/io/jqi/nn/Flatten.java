package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** Flattens the axes from {@code startAxis} on into one; the default 1 keeps the batch axis. */
public final class Flatten extends Module implements DataMovement {
    private final int startAxis;

    /** {@code [N, ...] -> [N, -1]}. */
    public Flatten() {
        this(1);
    }

    public Flatten(int startAxis) {
        this.startAxis = startAxis;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).flatten(startAxis);
    }

    public int startAxis() {
        return startAxis;
    }
}
