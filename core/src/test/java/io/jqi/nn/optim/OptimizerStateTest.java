package io.jqi.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizer state dicts: what a checkpoint needs to resume training bit for bit. */
class OptimizerStateTest {

    private static Function<List<Tensor>, Optimizer> factory(String kind) {
        return switch (kind) {
            case "adam" -> p -> new Adam(p, 0.05);
            case "adamw" -> p -> new Adam(p, 0.05, 0.9, 0.99, 1e-8, 0.01, true);
            default -> p -> new SGD(p, 0.05, 0.9, true, 0.001);
        };
    }

    /** One step on the loss sum((w - target)^2 * scale). */
    private static void step(Optimizer optimizer, Tensor w, int t) {
        optimizer.zeroGrad();
        Tensor target = Tensor.vector(1f, -2f, 0.5f + t, 3f);
        w.sub(target).pow(2f).mul(Tensor.vector(1f, 2f, 3f, 4f)).sum().backward();
        optimizer.step();
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamw", "sgd"})
    void resumingFromAStateDictContinuesExactlyAsAnUninterruptedRun(String kind) {
        Tensor straight = Tensor.vector(0.1f, 0.2f, 0.3f, 0.4f).requiresGrad(true);
        Optimizer uninterrupted = factory(kind).apply(List.of(straight));
        for (int t = 0; t < 6; t++) {
            step(uninterrupted, straight, t);
        }

        Tensor first = Tensor.vector(0.1f, 0.2f, 0.3f, 0.4f).requiresGrad(true);
        Optimizer before = factory(kind).apply(List.of(first));
        for (int t = 0; t < 3; t++) {
            step(before, first, t);
        }
        Map<String, Tensor> saved = before.stateDict();
        Tensor resumed = Tensor.of(first.toFloatArray(), 4).requiresGrad(true);
        Optimizer after = factory(kind).apply(List.of(resumed));
        after.loadStateDict(saved);
        for (int t = 3; t < 6; t++) {
            step(after, resumed, t);
        }

        assertArrayEquals(straight.toFloatArray(), resumed.toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "sgd"})
    void stateOfTheWrongShapeIsRejectedAndNothingIsLoaded(String kind) {
        Tensor w = Tensor.vector(1f, 2f, 3f, 4f).requiresGrad(true);
        Optimizer source = factory(kind).apply(List.of(w));
        step(source, w, 0);
        Tensor other = Tensor.vector(1f, 2f).requiresGrad(true);
        Optimizer target = factory(kind).apply(List.of(other));

        var e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(source.stateDict()));
        assertTrue(e.getMessage().contains("nothing was loaded"), e.getMessage());
        assertTrue(target.stateDict().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "sgd"})
    void aKeyThatNamesNoParameterIsRejected(String kind) {
        Optimizer optimizer = factory(kind).apply(List.of(Tensor.vector(1f).requiresGrad(true)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> optimizer.loadStateDict(Map.of("7.m", Tensor.vector(1f))));
        assertTrue(e.getMessage().contains("'7.m' names no parameter"), e.getMessage());
    }
}
