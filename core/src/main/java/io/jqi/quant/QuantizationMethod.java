package io.jqi.quant;

/**
 * The grid a quantizer maps values onto. Serialized by name, never by ordinal (the reference renumbered these).
 */
public enum QuantizationMethod {
    /** Symmetric grid whose threshold is a power of two. */
    POWER_OF_TWO,
    /** Symmetric grid with any positive threshold. */
    SYMMETRIC,
    /** Asymmetric grid on a [min, max] range adjusted so that zero is on the grid. */
    UNIFORM,
    /** Look-up table of integer levels scaled by a power-of-two threshold. */
    LUT_POT,
    /** Look-up table of integer levels scaled by any positive threshold. */
    LUT_SYMMETRIC
}
