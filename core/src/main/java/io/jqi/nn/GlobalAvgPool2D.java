package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/** The mean of each channel plane, {@code [N, C, H, W] -> [N, C, 1, 1]}: the usual bridge from features to a head. */
public final class GlobalAvgPool2D extends Module {
    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.globalAvgPool2d(singleInput(inputs));
    }
}
