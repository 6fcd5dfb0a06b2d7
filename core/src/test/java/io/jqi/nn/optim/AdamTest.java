package io.jqi.nn.optim;

import static io.jqi.nn.optim.Quadratic.assertTrajectory;
import static io.jqi.nn.optim.Quadratic.trajectory;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    @Test
    void adamMatchesPyTorchOverThreeSteps() {
        // step 1: m / sqrt(v) after bias correction is sign(g), so p1 = p0 - 0.1 * sign([0.8, -3.2, -0.4])
        assertTrajectory(new float[][] {
            {0.90000000f, -1.90000000f, 0.60000000f},
            {0.80022007f, -1.80015387f, 0.69996410f},
            {0.70082932f, -1.70057526f, 0.80002792f},
        }, trajectory(p -> new Adam(List.of(p), 0.1), 3));
    }

    @Test
    void adamWithOtherBetasAndALargeEpsMatchesPyTorch() {
        assertTrajectory(new float[][] {
            {0.95006242f, -1.95001562f, 0.54987531f},
            {0.90021608f, -1.90009779f, 0.59998247f},
            {0.85052407f, -1.85029214f, 0.65044538f},
        }, trajectory(p -> new Adam(List.of(p), 0.05, 0.8, 0.99, 1e-3, 0, false), 3));
    }

    @Test
    void adamWeightDecayIsAnL2TermInTheGradient() {
        assertTrajectory(new float[][] {
            {0.90000000f, -1.90000000f, 0.59999999f},
            {0.80028827f, -1.80015685f, 0.69973228f},
            {0.70109479f, -1.70058660f, 0.79941577f},
        }, trajectory(p -> new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.5, false), 3));
    }

    @Test
    void adamWDecaysTheWeightsDirectly() {
        // step 1: p = p0 * (1 - 0.1 * 0.5), then the Adam step of -0.1 * sign(g)
        assertTrajectory(new float[][] {
            {0.85000000f, -1.80000000f, 0.57500000f},
            {0.70787681f, -1.61037680f, 0.64632988f},
            {0.57351403f, -1.43088950f, 0.71429121f},
        }, trajectory(p -> new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.5, true), 3));
    }

    @Test
    void betasOutsideTheUnitIntervalAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(Quadratic.parameter()), 0.1, 1.0, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(Quadratic.parameter()), 0.1, 0.9, -0.1, 1e-8, 0, false));
    }
}
