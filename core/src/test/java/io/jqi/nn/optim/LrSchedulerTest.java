package io.jqi.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LrSchedulerTest {

    private static double[] lrs(Optimizer optimizer, LrScheduler schedule, int epochs) {
        double[] out = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            out[e] = optimizer.lr();
            schedule.step();
        }
        return out;
    }

    @Test
    void stepLrHalvesEveryTwoEpochs() {
        Optimizer sgd = new SGD(List.of(Quadratic.parameter()), 0.1);
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125},
                lrs(sgd, new StepLR(sgd, 2, 0.5), 7), 1e-15);
    }

    @Test
    void cosineAnnealingFollowsAHalfCosineToEtaMinAndBack() {
        // 0.01 + 0.09 * (1 + cos(pi * e / 4)) / 2
        Optimizer adam = new Adam(List.of(Quadratic.parameter()), 0.1);
        assertArrayEquals(new double[] {0.1, 0.08681980515339464, 0.055, 0.023180194846605363, 0.01,
            0.023180194846605363}, lrs(adam, new CosineAnnealingLR(adam, 4, 0.01), 6), 1e-15);
    }

    @Test
    void theScheduledRateIsTheOneTheOptimizerSteps() {
        Optimizer sgd = new SGD(List.of(Quadratic.parameter()), 0.1);
        LrScheduler schedule = new StepLR(sgd, 1, 0.1);
        schedule.step();
        assertEquals(0.01, sgd.lr(), 1e-15);
        assertEquals(1, schedule.epoch());
    }

    @Test
    void nonPositivePeriodsAreRejected() {
        Optimizer sgd = new SGD(List.of(Quadratic.parameter()), 0.1);
        assertThrows(IllegalArgumentException.class, () -> new StepLR(sgd, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd, 0, 0));
    }
}
