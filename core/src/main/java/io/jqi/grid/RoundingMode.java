package io.jqi.grid;

/**
 * How values are rounded onto a uniform grid. The two modes differ only at exact .5 ties (and, through TF's
 * range nudge, by float rounding of the grid itself).
 */
public enum RoundingMode {
    /**
     * jqi's default (PyTorch and ONNX parity): {@code q = clamp(rint(x / delta) + zp, qmin, qmax)},
     * {@code out = (q - zp) * delta}, ties to even.
     */
    HALF_EVEN,
    /**
     * Keras/TensorFlow parity: TF's {@code fake_quant_with_min_max_vars} nudges [min, max] so that zero is on the
     * grid, clamps in the float domain, then rounds half up with {@code floor(v + 0.5)}.
     */
    TF_NUDGE_HALF_UP
}
