package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A module with a parameter, a buffer and a child, registered in that order. */
    static final class Block extends Module {
        Block(Random random) {
            registerParameter("scale", Tensor.ones(3));
            registerBuffer("count", Tensor.zeros(1));
            registerChild("fc", new Dense(3, 2, true, random));
        }

        @Override
        public Tensor forward(Tensor... inputs) {
            return child("fc").forward(singleInput(inputs).mul(parameter("scale")));
        }

        void register(String name) {
            registerParameter(name, Tensor.zeros(1));
        }
    }

    private static Map<String, Module> named(Object... nameThenModule) {
        Map<String, Module> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenModule.length; i += 2) {
            m.put((String) nameThenModule[i], (Module) nameThenModule[i + 1]);
        }
        return m;
    }

    @Test
    void parametersAreNamedByDottedPathsInRegistrationOrder() {
        Random random = new Random(1);
        Module model = new Sequential(named(
                "stem", new Sequential(named("conv", new Dense(4, 3, true, random), "act", new ReLU())),
                "head", new Sequential(new Dense(3, 2, false, random))));
        assertEquals(List.of("stem.conv.weight", "stem.conv.bias", "head.0.weight"),
                List.copyOf(model.namedParameters().keySet()));
    }

    @Test
    void sequentialChildrenAreNamedByPosition() {
        Random random = new Random(1);
        Module model = new Sequential(new Dense(2, 3, true, random), new ReLU(), new Dense(3, 1, true, random));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                List.copyOf(model.namedParameters().keySet()));
    }

    @Test
    void parameterCountsFollowTheLayerShapes() {
        Random random = new Random(1);
        Module model = new Sequential(new Dense(4, 5, true, random), new Dense(5, 2, false, random));
        int count = model.parameters().stream().mapToInt(Tensor::numel).sum();
        assertEquals(4 * 5 + 5 + 5 * 2, count);
    }

    @Test
    void parametersAreLeavesThatRequireGrad() {
        for (Tensor p : new Dense(3, 2, true, new Random(1)).parameters()) {
            assertTrue(p.isLeaf() && p.requiresGrad());
        }
    }

    @Test
    void aSharedLayerIsCountedOnce() {
        Dense shared = new Dense(2, 2, true, new Random(1));
        Module model = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(model.namedParameters().keySet()));
        assertEquals(2, model.parameters().size());
    }

    @Test
    void ownParametersAndBuffersComeBeforeChildrenInTheStateDict() {
        assertEquals(List.of("scale", "count", "fc.weight", "fc.bias"),
                List.copyOf(new Block(new Random(1)).stateDict().keySet()));
    }

    @Test
    void buffersAreNotParameters() {
        Block block = new Block(new Random(1));
        assertEquals(List.of("count"), List.copyOf(block.namedBuffers().keySet()));
        assertFalse(block.namedParameters().containsKey("count"));
        assertFalse(block.namedBuffers().get("count").requiresGrad());
    }

    @Test
    void namedModulesListsTheTreeDepthFirst() {
        Module model = new Sequential(new Block(new Random(1)), new ReLU());
        assertEquals(List.of("", "0", "0.fc", "1"), List.copyOf(model.namedModules().keySet()));
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Module model = new Sequential(new Block(new Random(1)), new Sequential(new ReLU()));
        model.eval();
        for (Module m : model.namedModules().values()) {
            assertFalse(m.isTraining());
        }
        model.train();
        for (Module m : model.namedModules().values()) {
            assertTrue(m.isTraining());
        }
    }

    @Test
    void zeroGradClearsEveryParameter() {
        Module model = new Sequential(new Dense(2, 2, true, new Random(1)), new Dense(2, 1, true, new Random(2)));
        model.forward(Tensor.ones(1, 2)).sum().backward();
        model.zeroGrad();
        for (Tensor p : model.parameters()) {
            assertNull(p.grad());
        }
    }

    @Test
    void replacingAChildKeepsItsPlaceAndTakesEffect() {
        Sequential model = new Sequential(new Identity(), new ReLU(), new Identity());
        model.replaceChild("1", new Identity());
        assertEquals(List.of("0", "1", "2"), List.copyOf(model.namedChildren().keySet()));
        assertArrayEquals(new float[] {-1f}, model.forward(Tensor.vector(-1f)).toFloatArray());
    }

    @Test
    void replacingAParameterTakesEffectInForward() {
        Dense dense = new Dense(2, 1, false, new Random(1));
        Tensor weight = Tensor.of(new float[] {2f, 3f}, 1, 2);
        dense.replaceParameter("weight", weight);
        assertSame(weight, dense.weight());
        assertTrue(weight.requiresGrad());
        assertEquals(5f, dense.forward(Tensor.ones(1, 2)).item());
    }

    @Test
    void aReplacementParameterMustBeALeafOfTheSameShape() {
        Dense dense = new Dense(2, 1, false, new Random(1));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> dense.replaceParameter("weight", Tensor.zeros(2, 1)));
        assertTrue(shape.getMessage().contains("[1, 2]"), shape.getMessage());
        Tensor computed = Tensor.zeros(1, 2).requiresGrad(true).mul(2f);
        assertThrows(IllegalArgumentException.class, () -> dense.replaceParameter("weight", computed));
    }

    @Test
    void replacingAnUnknownNameListsTheKnownOnes() {
        Dense dense = new Dense(2, 1, false, new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dense.replaceParameter("bias", Tensor.zeros(1)));
        assertTrue(e.getMessage().contains("[weight]"), e.getMessage());
    }

    @Test
    void aNameCanBeRegisteredOnlyOnce() {
        Block block = new Block(new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> block.register("fc"));
        assertTrue(e.getMessage().contains("already registered"), e.getMessage());
    }

    @Test
    void namesWithDotsAreRejected() {
        Block block = new Block(new Random(1));
        assertThrows(IllegalArgumentException.class, () -> block.register("a.b"));
        assertThrows(IllegalArgumentException.class, () -> block.register(""));
    }

    @Test
    void aModuleCannotBecomeItsOwnDescendant() {
        Sequential inner = new Sequential(new ReLU());
        Sequential outer = new Sequential(inner);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inner.replaceChild("0", outer));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void aOneInputLayerNamesItselfWhenGivenTwo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReLU().forward(Tensor.zeros(1), Tensor.zeros(1)));
        assertEquals("ReLU takes exactly one input, got 2", e.getMessage());
    }
}
