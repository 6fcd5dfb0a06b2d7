package io.jqi.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        Tensor used = Quadratic.parameter();
        Tensor unused = Tensor.vector(3f, 4f).requiresGrad(true);
        Optimizer sgd = new SGD(List.of(used, unused), 0.1, 0.9, false, 0.1);
        Quadratic.loss(used).backward();
        sgd.step();
        assertArrayEquals(new float[] {3f, 4f}, unused.toFloatArray());
    }

    @Test
    void aSkippedParameterKeepsItsAdamStepCount() {
        // Adam's first step moves each coordinate by exactly lr; a step count advanced while the parameter had no
        // gradient would shrink it through the bias corrections.
        Tensor a = Quadratic.parameter();
        Tensor b = Quadratic.parameter();
        Optimizer adam = new Adam(List.of(a, b), 0.1);
        Quadratic.loss(a).backward();
        adam.step();
        adam.step();
        adam.zeroGrad();
        Quadratic.loss(b).backward();
        adam.step();
        assertArrayEquals(new float[] {0.9f, -1.9f, 0.6f}, b.toFloatArray(), 1e-6f);
    }

    @Test
    void stepRecordsNoGraph() {
        Tensor p = Quadratic.parameter();
        Optimizer adam = new Adam(List.of(p), 0.1);
        Quadratic.loss(p).backward();
        adam.step();
        assertTrue(p.isLeaf());
        adam.zeroGrad();
        assertNull(p.grad());
    }

    @Test
    void tensorsThatDoNotRequireGradAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(Tensor.vector(1f)), 0.1));
        assertTrue(e.getMessage().contains("module.parameters()"), e.getMessage());
    }

    @Test
    void aParameterListedTwiceIsRejected() {
        Tensor p = Quadratic.parameter();
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p, p), 0.1));
    }

    @Test
    void aNegativeOrNonFiniteLearningRateIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Quadratic.parameter()), -0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Quadratic.parameter()), Double.NaN));
    }
}
