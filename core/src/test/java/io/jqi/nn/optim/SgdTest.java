package io.jqi.nn.optim;

import static io.jqi.nn.optim.Quadratic.assertTrajectory;
import static io.jqi.nn.optim.Quadratic.trajectory;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SgdTest {

    @Test
    void plainSgdStepsAgainstTheGradient() {
        // p1 = p0 - 0.1 * (w * p0 + c) = [1, -2, 0.5] - 0.1 * [0.8, -3.2, -0.4]
        assertTrajectory(new float[][] {
            {0.92000000f, -1.68000000f, 0.54000000f},
            {0.84400000f, -1.40800000f, 0.58400000f},
            {0.77180000f, -1.17680000f, 0.63240000f},
        }, trajectory(p -> new SGD(List.of(p), 0.1), 3));
    }

    @Test
    void momentumWithWeightDecayMatchesPyTorch() {
        // step 1: g = [0.8, -3.2, -0.4] + 0.1 * p0 = [0.9, -3.4, -0.35], b = g, p1 = p0 - 0.1 * b
        assertTrajectory(new float[][] {
            {0.91000000f, -1.66000000f, 0.53500000f},
            {0.74440000f, -1.06840000f, 0.60465000f},
            {0.52069600f, -0.34501600f, 0.71175350f},
        }, trajectory(p -> new SGD(List.of(p), 0.1, 0.9, false, 0.1), 3));
    }

    @Test
    void nesterovMomentumWithWeightDecayMatchesPyTorch() {
        // step 1: g = [0.9, -3.4, -0.35], b = g, p1 = p0 - 0.1 * (g + 0.9 * b) = p0 - 0.19 * g
        assertTrajectory(new float[][] {
            {0.82900000f, -1.35400000f, 0.56650000f},
            {0.60459400f, -0.62898400f, 0.67272150f},
            {0.34847088f, 0.03976554f, 0.82746973f},
        }, trajectory(p -> new SGD(List.of(p), 0.1, 0.9, true, 0.1), 3));
    }

    @Test
    void nesterovWithoutMomentumIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(Quadratic.parameter()), 0.1, 0, true, 0));
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
    }
}
