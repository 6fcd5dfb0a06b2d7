package io.jqi.quant.trainable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Numbers in quantizer options, typed (from code) or as text (from JSON). */
class QuantizerOptionsTest {

    @Test
    void numbersAreReadTypedOrAsText() {
        QuantizerOptions options = QuantizerOptions.of(Map.of("steps", "40", "scale", 2.5, "t", " 0.05 "));
        assertEquals(40, options.integer("steps", 1));
        assertEquals(2.5, options.number("scale", 1));
        assertEquals(0.05, options.number("t", 1));
        assertEquals(7, options.integer("absent", 7));
        assertEquals(Set.of(), options.unread());
    }

    @Test
    void aFractionIsNotAnInteger() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerOptions.of(Map.of("steps", "2.5")).integer("steps", 1));
        assertTrue(e.getMessage().contains("'steps' must be a whole number, got 2.5"), e.getMessage());
    }

    @Test
    void textThatIsNoFiniteNumberIsRefusedByName() {
        for (String bad : new String[] {"many", "NaN", "Infinity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuantizerOptions.of(Map.of("scale", bad)).number("scale", 1));
            assertTrue(e.getMessage().contains("'scale' must be a finite number, got " + bad), e.getMessage());
        }
    }
}
