package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DigitsTest {

    @Test
    void theDigitsAre1797ImagesOf8x8InUnitRange() {
        TensorDataset digits = Digits.load();
        assertEquals(Shape.of(1797, 1, 8, 8), digits.inputs().shape());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : digits.inputs().toFloatArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void theTenClassesHaveRoughly180ExamplesEach() {
        int[] counts = new int[Digits.CLASSES];
        for (int label : Digits.load().labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
    }

    @Test
    void theLabelIsTheLastColumnAndPixelsAreSixteenths() {
        // The file's first line: 0,0,5,13,9,1,0,0, ... ,10,0,0,0,0 then the label 0.
        Example first = Digits.load().get(0);
        assertEquals(0, first.label());
        assertArrayEquals(new float[] {0f, 0f, 5f / 16, 13f / 16, 9f / 16, 1f / 16, 0f, 0f},
                Arrays.copyOf(first.input(), 8));
        assertEquals(1, Digits.load().get(1).label());
        assertEquals(2, Digits.load().get(2).label());
    }

    @Test
    void theSplitHoldsOutEachDigitInProportion() {
        var split = Digits.split(42, 0.2);
        assertEquals(1797, split.train().size() + split.test().size());
        int[] counts = new int[Digits.CLASSES];
        for (int label : split.test().labels()) {
            counts[label]++;
        }
        for (int c = 0; c < Digits.CLASSES; c++) {
            assertTrue(counts[c] == 35 || counts[c] == 36 || counts[c] == 37, "test examples of digit " + c + ": "
                    + counts[c]);
        }
    }

    @Test
    void theSplitDependsOnlyOnTheSeed() {
        assertArrayEquals(Digits.split(7, 0.25).test().inputs().toFloatArray(),
                Digits.split(7, 0.25).test().inputs().toFloatArray());
    }

    @Test
    void theAttributionShipsBesideTheData() throws IOException {
        try (InputStream in = Digits.class.getResourceAsStream("DIGITS-LICENSE.txt")) {
            assertNotNull(in, "DIGITS-LICENSE.txt is missing from io/jqi/data");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.contains("Alpaydin") && text.contains("Kaynak") && text.contains("CC BY 4.0"), text);
        }
    }
}
