package io.jqi.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Shortest round-trip decimal text for float32 values, laid out as ECMAScript prints numbers ({@code 3},
 * {@code 0.5}, {@code 1e-7}), so that JSON readers everywhere get back the exact float. JDK 17's
 * {@code Float.toString} round-trips but is not always shortest, hence this class.
 */
public final class FloatFormat {
    private static final RoundingMode[] CANDIDATES = {RoundingMode.HALF_EVEN, RoundingMode.CEILING,
        RoundingMode.FLOOR};

    private FloatFormat() {
    }

    /**
     * The shortest decimal that parses back to exactly {@code value}; {@code -0} keeps the sign of negative zero.
     * Non-finite values give {@code NaN}, {@code Infinity} and {@code -Infinity}, which are not JSON numbers: JSON
     * writers quote them.
     */
    public static String shortest(float value) {
        if (Float.isNaN(value)) {
            return "NaN";
        }
        if (Float.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0f) {
            return Float.floatToRawIntBits(value) == 0 ? "0" : "-0";
        }
        // Float.toString round-trips and is nearly always shortest; try to drop digits from there. If any shorter
        // decimal round-trips, one with a single digit fewer does too (pad it with a zero), and the nearest,
        // ceiling or floor rounding of the exact value at that length finds it.
        BigDecimal best = new BigDecimal(Float.toString(value));
        BigDecimal exact = new BigDecimal(value);
        for (int digits = best.stripTrailingZeros().precision() - 1; digits >= 1; digits--) {
            BigDecimal shorter = roundTripping(exact, digits, value);
            if (shorter == null) {
                break;
            }
            best = shorter;
        }
        return layout(best.stripTrailingZeros());
    }

    private static BigDecimal roundTripping(BigDecimal exact, int digits, float value) {
        for (RoundingMode mode : CANDIDATES) {
            BigDecimal candidate = exact.round(new MathContext(digits, mode));
            if (Float.parseFloat(candidate.toString()) == value) {
                return candidate;
            }
        }
        return null;
    }

    private static String layout(BigDecimal d) {
        String sign = d.signum() < 0 ? "-" : "";
        String digits = d.unscaledValue().abs().toString();
        int k = digits.length();
        int n = k - d.scale(); // value = 0.digits x 10^n
        String body;
        if (k <= n && n <= 21) {
            body = digits + "0".repeat(n - k);
        } else if (0 < n && n <= 21) {
            body = digits.substring(0, n) + "." + digits.substring(n);
        } else if (-6 < n && n <= 0) {
            body = "0." + "0".repeat(-n) + digits;
        } else {
            int e = n - 1;
            String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            body = mantissa + "e" + (e < 0 ? "-" : "+") + Math.abs(e);
        }
        return sign + body;
    }
}
