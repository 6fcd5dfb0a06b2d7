package io.jqi.tensor;

/** Element-wise functions of one input (some with scalar parameters a, b). */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, RECIPROCAL,
    /** rint: round half to even. */
    ROUND,
    FLOOR,
    RELU,
    /** clamp(x, a, b). */
    CLAMP,
    /** x if x > 0 else a * x. */
    LEAKY_RELU,
    SIGMOID, TANH,
    /** x * relu6(x + 3) / 6. */
    HARDSWISH,
    /** x * sigmoid(x). */
    SILU,
    /** a * x + b. */
    AFFINE,
    /** 1 where {@code a <= x <= b}, else 0 (masks of clamps and their gradients). */
    INSIDE,
    /** 1 where x > 0, else 0. */
    POSITIVE,
    /** derivative of hardswish. */
    HARDSWISH_GRAD,
    /** x^a. */
    POW,
    /**
     * The smallest power of two {@code >= x} (power-of-two thresholds); NaN for {@code x <= 0} or NaN, +Infinity
     * for +Infinity or when the power overflows float.
     */
    CEIL_POW2,
    /** x / a: a true division by a scalar (x * (1 / a) can differ in the last bit). */
    DIVIDE,
    /** The error function (GELU's), in double ({@link Erf}), rounded to float once. */
    ERF
}
