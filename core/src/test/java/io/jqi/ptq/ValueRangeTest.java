package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parallel range scan against its definition: the finite values' ends, and the non-finite ones counted. */
class ValueRangeTest {
    private static void assertScansAsDefined(float[] values) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        int bad = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            } else {
                bad++;
            }
        }
        ValueRange range = ValueRange.of(values);
        assertEquals(Float.floatToIntBits(lo), Float.floatToIntBits(range.min()), "min");
        assertEquals(Float.floatToIntBits(hi), Float.floatToIntBits(range.max()), "max");
        assertEquals(bad, range.nonFinite(), "non-finite values");
        if (bad > 0) {
            assertEquals(false, Float.isFinite(range.oneNonFinite()), "the non-finite example");
        }
    }

    @Test
    void finiteValuesOverSeveralChunksGiveTheirEnds() {
        Random random = new Random(4);
        float[] values = new float[3 * Chunks.SIZE + 17];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 5f;
        }
        assertScansAsDefined(values);
    }

    @Test
    void eachKindOfNonFiniteValueIsLeftOutOfTheEndsAndCounted() {
        for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] values = new float[2 * Chunks.SIZE + 5];
            for (int i = 0; i < values.length; i++) {
                values[i] = i % 7 - 3f;
            }
            values[Chunks.SIZE + 3] = special;
            values[values.length - 1] = special;
            assertScansAsDefined(values);
        }
    }

    @Test
    void signedZerosAndOnlyNonFiniteValuesKeepTheirDefinition() {
        assertScansAsDefined(new float[] {0f, -0f, 0f});
        assertScansAsDefined(new float[] {-0f, 0f});
        assertScansAsDefined(new float[] {Float.NaN, Float.POSITIVE_INFINITY});
        assertScansAsDefined(new float[0]);
    }
}
