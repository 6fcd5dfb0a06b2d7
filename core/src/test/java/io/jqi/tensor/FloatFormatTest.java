package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatFormatTest {

    @Test
    void printsTheShortestDecimalInEcmaScriptLayout() {
        assertEquals("0.1", FloatFormat.shortest(0.1f));
        assertEquals("3", FloatFormat.shortest(3f));
        assertEquals("-1.5", FloatFormat.shortest(-1.5f));
        assertEquals("0.43333334", FloatFormat.shortest(0.43333334f));
        assertEquals("123456790", FloatFormat.shortest(123456789f));
        assertEquals("1e-7", FloatFormat.shortest(1e-7f));
        assertEquals("0.000001", FloatFormat.shortest(1e-6f));
        assertEquals("1e-45", FloatFormat.shortest(Float.MIN_VALUE));
        assertEquals("3.4028235e+38", FloatFormat.shortest(Float.MAX_VALUE));
        assertEquals("1e+21", FloatFormat.shortest(1e21f));
    }

    @Test
    void keepsTheSignOfNegativeZero() {
        assertEquals("0", FloatFormat.shortest(0f));
        assertEquals("-0", FloatFormat.shortest(-0f));
    }

    @Test
    void namesNonFiniteValues() {
        assertEquals("NaN", FloatFormat.shortest(Float.NaN));
        assertEquals("Infinity", FloatFormat.shortest(Float.POSITIVE_INFINITY));
        assertEquals("-Infinity", FloatFormat.shortest(Float.NEGATIVE_INFINITY));
    }

    @Test
    void everyFiniteFloatParsesBackToItsOwnBits() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 40_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            String text = FloatFormat.shortest(f);
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(Float.parseFloat(text)), text);
        }
    }

    @Test
    void findsShorterDigitsThanJdk17WhereTheyExist() {
        // JDK 17's Float.toString prints 9 digits for these; 8 round-trip.
        assertEquals("-811091600", FloatFormat.shortest(-8.1109158E8f));
        assertEquals("459243400000000000", FloatFormat.shortest(4.59243398E17f));
        assertEquals(Float.floatToRawIntBits(4.59243398E17f), Float.floatToRawIntBits(4.592434E17f));
    }

    @Test
    void isNeverLongerThanJavasOwnRoundTripDigits() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 40_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f) || f == 0f) {
                continue;
            }
            assertTrue(significantDigits(FloatFormat.shortest(f)) <= significantDigits(Float.toString(f)),
                    () -> f + " printed as " + FloatFormat.shortest(f));
        }
    }

    private static void assertTrue(boolean condition, java.util.function.Supplier<String> message) {
        org.junit.jupiter.api.Assertions.assertTrue(condition, message);
    }

    private static int significantDigits(String text) {
        String mantissa = text.split("[eE]")[0].replace("-", "").replace(".", "");
        return mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "").length();
    }
}
