package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * Clamps to {@code [min, max]} (ONNX {@code Clip}); an unbounded side is infinite. The gradient passes where the
 * input lies inside the range. {@code Clip(0, 6)} is {@link ReLU6}, which the importer uses instead.
 */
public final class Clip extends Module implements ElementwiseActivation {
    private final float min;
    private final float max;

    public Clip(float min, float max) {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("Clip needs min <= max, got [" + min + ", " + max + "]");
        }
        this.min = min;
        this.max = max;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).clamp(min, max);
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }
}
