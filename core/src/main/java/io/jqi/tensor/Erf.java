package io.jqi.tensor;

/**
 * The error function in double precision, for {@link UnaryOp#ERF} (Java has none). map.cu's {@code java_erf} performs
 * the same double operations in the same order, so the CPU and CUDA results differ only through {@code exp}
 * (within a double ulp or two, invisible after rounding to float in all but rare cases).
 *
 * <p>Below |x| = 2.5 the Maclaurin series {@code 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))}, to a fixed 60 terms
 * (the terms at |x| = 2.5 fall below 1e-17 of the sum by then; the alternating sum loses at most three of double's
 * sixteen digits); above, {@code 1 - erfc(x)} with erfc's continued fraction {@code exp(-x^2) / (sqrt(pi) (x + (1/2)
 * / (x + 1 / (x + (3/2) / (x + ...)))))} evaluated backwards from a fixed 60 levels; from |x| = 6 on, erf is 1 in
 * double. Fixed term counts keep both devices on one sequence of operations.
 */
final class Erf {
    static final int TERMS = 60;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double SQRT_PI = 1.7724538509055159;

    private Erf() {
    }

    static double erf(double x) {
        if (x != x) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a >= 6.0) {
            r = 1.0;
        } else if (a < 2.5) {
            double x2 = a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < TERMS; n++) {
                term = term * -x2 / n;
                sum = sum + term / (2 * n + 1);
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else {
            double f = a;
            for (int k = TERMS; k >= 1; k--) {
                f = a + (k * 0.5) / f;
            }
            r = 1.0 - Math.exp(-a * a) / (SQRT_PI * f);
        }
        return x < 0 ? -r : r;
    }
}
