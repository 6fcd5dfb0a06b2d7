package io.jqi.quant.trainable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LinearAnnealingSchedulerTest {

    @Test
    void followsSpecExampleT21() {
        LinearAnnealingScheduler s = new LinearAnnealingScheduler(10, 35, 3.4, -1.6);
        int[] steps = {0, 9, 10, 11, 27, 34, 35, 1000};
        double[] expected = {3.4, 3.4, 3.4, 3.2, 0.0, -1.4, -1.6, -1.6};
        for (int i = 0; i < steps.length; i++) {
            assertEquals(expected[i], s.valueAt(steps[i]), 1e-12, "v(" + steps[i] + ")");
        }
    }

    @Test
    void rejectsAnEmptyOrNegativeWindowAsT21Does() {
        assertThrows(IllegalArgumentException.class, () -> new LinearAnnealingScheduler(5, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearAnnealingScheduler(-1, 4, 1, 0));
    }
}
