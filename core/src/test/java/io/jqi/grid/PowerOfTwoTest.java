package io.jqi.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.PowerOfTwo;
import org.junit.jupiter.api.Test;

class PowerOfTwoTest {

    @Test
    void recognisesExactPowersIncludingNegativeExponentsAndSubnormals() {
        assertTrue(PowerOfTwo.isPowerOfTwo(1f));
        assertTrue(PowerOfTwo.isPowerOfTwo(0.125f));
        assertTrue(PowerOfTwo.isPowerOfTwo(1024f));
        assertTrue(PowerOfTwo.isPowerOfTwo(Float.MIN_VALUE));
        assertFalse(PowerOfTwo.isPowerOfTwo(3f));
        assertFalse(PowerOfTwo.isPowerOfTwo(1.0000001f));
    }

    @Test
    void nonPositiveAndNonFiniteThresholdsAreNotPowersOfTwo() {
        assertFalse(PowerOfTwo.isPowerOfTwo(0f));
        assertFalse(PowerOfTwo.isPowerOfTwo(-2f));
        assertFalse(PowerOfTwo.isPowerOfTwo(Float.NaN));
        assertFalse(PowerOfTwo.isPowerOfTwo(Float.POSITIVE_INFINITY));
    }

    @Test
    void roundUpMatchesSpecExampleT17() {
        float[] in = {0.3f, 0.25f, 1.0000001f, 0.7f, 3.0f};
        float[] expected = {0.5f, 0.25f, 2.0f, 1.0f, 4.0f};
        for (int i = 0; i < in.length; i++) {
            assertEquals(expected[i], PowerOfTwo.roundUp(in[i]), "T17 element " + i);
        }
    }

    @Test
    void roundUpIsExactForSubnormals() {
        assertEquals(4 * Float.MIN_VALUE, PowerOfTwo.roundUp(3 * Float.MIN_VALUE));
    }

    @Test
    void roundUpRejectsWhatHasNoPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> PowerOfTwo.roundUp(0f));
        assertThrows(IllegalArgumentException.class, () -> PowerOfTwo.roundUp(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> PowerOfTwo.roundUp(Float.MAX_VALUE));
    }
}
