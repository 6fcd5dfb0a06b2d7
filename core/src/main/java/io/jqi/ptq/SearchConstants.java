package io.jqi.ptq;

/**
 * The reference's search constants (docs/quantizer-contract.md#threshold-selection) and its default
 * {@code min_threshold} (docs/quantizer-contract.md#constants), in one place so the searches cannot drift apart.
 */
final class SearchConstants {
    /** The reference's default {@code min_threshold}, {@code 2^-16}. */
    static final float MIN_THRESHOLD = 0x1p-16f;

    /** Power-of-two weight search: candidates {@code T0 / 2^i}, i below this. */
    static final int POT_TENSOR_CANDIDATES = 10;
    /** Power-of-two histogram search: candidates {@code T0 / 2^i}, i below this. */
    static final int POT_HISTOGRAM_CANDIDATES = 20;

    static final int SYMMETRIC_INTERVALS = 30;
    static final int SYMMETRIC_TENSOR_ITERATIONS = 40;
    static final int SYMMETRIC_TENSOR_DEC_FREQ = 5;
    static final int SYMMETRIC_PER_CHANNEL_ITERATIONS = 15;
    static final int SYMMETRIC_PER_CHANNEL_DEC_FREQ = 3;
    static final int SYMMETRIC_HISTOGRAM_ITERATIONS = 20;
    static final int SYMMETRIC_HISTOGRAM_DEC_FREQ = 4;

    static final int UNIFORM_TENSOR_ITERATIONS = 30;
    static final int UNIFORM_PER_CHANNEL_ITERATIONS = 10;
    static final int UNIFORM_HISTOGRAM_ITERATIONS = 30;
    static final int UNIFORM_TENSOR_SAMPLES = 8;
    static final int UNIFORM_HISTOGRAM_SAMPLES = 12;

    static final double BOTTOM_FACTOR = 0.7;
    static final double UPPER_FACTOR = 1.2;
    static final double DEC_FACTOR_BOTTOM = 1.02;
    static final double DEC_FACTOR_UPPER = 0.98;
    static final double DEC_RANGE_BOTTOM = 0.97;
    static final double DEC_RANGE_UPPER = 1.03;
    static final double TOLERANCE = 1e-11;

    private SearchConstants() {
    }
}
