package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Module state dicts in memory; {@link StateDictsTest} covers the file format. */
class StateDictTest {

    private static Module mlp(long seed) {
        Random random = new Random(seed);
        return new Sequential(new Dense(3, 4, true, random), new Tanh(), new Dense(4, 2, true, random));
    }

    @Test
    void aStateDictLoadedIntoAFreshModelReproducesItsOutputs() {
        Module source = mlp(1);
        Module target = mlp(2);
        Tensor x = Tensor.randn(new Random(3), 5, 3);
        assertNotEquals(source.forward(x).toFloatArray()[0], target.forward(x).toFloatArray()[0]);
        target.loadStateDict(source.stateDict());
        assertArrayEquals(source.forward(x).toFloatArray(), target.forward(x).toFloatArray());
    }

    @Test
    void aStateDictIsASnapshot() {
        Module model = mlp(1);
        Map<String, Tensor> state = model.stateDict();
        float before = state.get("0.bias").toFloatArray()[0];
        Tensor bias = model.namedParameters().get("0.bias");
        bias.addInPlace(1f, Tensor.ones(4));
        assertEquals(before, state.get("0.bias").toFloatArray()[0]);
        assertFalse(state.get("0.bias").requiresGrad());
    }

    @Test
    void loadingWritesIntoTheExistingParameters() {
        Module model = mlp(1);
        List<Tensor> before = model.parameters();
        model.loadStateDict(mlp(2).stateDict());
        List<Tensor> after = model.parameters();
        for (int i = 0; i < before.size(); i++) {
            assertSame(before.get(i), after.get(i), "an optimizer holding parameter " + i + " must see the load");
        }
    }

    @Test
    void missingKeysAreListed() {
        Map<String, Tensor> state = mlp(1).stateDict();
        state.remove("2.bias");
        state.remove("0.weight");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mlp(2).loadStateDict(state));
        assertTrue(e.getMessage().contains("Missing keys: [0.weight, 2.bias]"), e.getMessage());
    }

    @Test
    void unexpectedKeysAreListed() {
        Map<String, Tensor> state = mlp(1).stateDict();
        state.put("3.weight", Tensor.zeros(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mlp(2).loadStateDict(state));
        assertTrue(e.getMessage().contains("Unexpected keys: [3.weight]"), e.getMessage());
    }

    @Test
    void shapeMismatchesAreListedWithBothShapes() {
        Map<String, Tensor> state = mlp(1).stateDict();
        state.put("2.weight", Tensor.zeros(4, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mlp(2).loadStateDict(state));
        assertTrue(e.getMessage().contains("2.weight (model [2, 4], state dict [4, 2])"), e.getMessage());
    }

    @Test
    void aRejectedStateDictChangesNothing() {
        Module model = mlp(2);
        Map<String, Tensor> before = model.stateDict();
        Map<String, Tensor> state = new LinkedHashMap<>(mlp(1).stateDict());
        state.put("extra", Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        model.stateDict().forEach((name, t) -> assertArrayEquals(before.get(name).toFloatArray(), t.toFloatArray()));
    }
}
