package io.jqi.ptq;

/**
 * The per-element error of a search (docs/quantizer-contract.md#threshold-selection): {@code |d|^p} with p = 2 for
 * MSE, 1 for MAE and the configured p for LP. Averaged by {@link Samples}; the reference does not normalize during
 * the search, and neither does jqi.
 */
final class ErrorNorm {
    private final double p;

    private ErrorNorm(double p) {
        this.p = p;
    }

    /** The norm of a searching error method; {@code p} is read only for LP. */
    static ErrorNorm of(ErrorMethod method, double p) {
        return switch (method) {
            case MSE -> new ErrorNorm(2);
            case MAE -> new ErrorNorm(1);
            case LP -> new ErrorNorm(requireP(p));
            case NOCLIPPING -> throw new IllegalArgumentException(
                    "NOCLIPPING does not search, so it has no error norm");
        };
    }

    static double requireP(double p) {
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("The LP error needs a positive finite p (the reference's l_p_value, "
                    + "2 by default), got " + p);
        }
        return p;
    }

    /** {@code |d|^p}; the common exponents skip {@code Math.pow}, so LP with p = 2 scores exactly as MSE. */
    double of(double d) {
        if (p == 2) {
            return d * d;
        }
        if (p == 1) {
            return Math.abs(d);
        }
        return Math.pow(Math.abs(d), p);
    }
}
