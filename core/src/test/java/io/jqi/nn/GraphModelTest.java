package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GraphModelTest {

    private static String buildError(Supplier<GraphModel> build) {
        return assertThrows(IllegalArgumentException.class, build::get).getMessage();
    }

    @Test
    void aResidualBlockEqualsTheManualComputation() {
        Random random = new Random(1);
        Dense fc1 = new Dense(4, 4, true, random);
        Dense fc2 = new Dense(4, 4, true, random);
        GraphModel block = GraphModel.builder()
                .input("x")
                .node("fc1", fc1, "x")
                .node("relu1", new ReLU(), "fc1")
                .node("fc2", fc2, "relu1")
                .node("add", new Add(), "fc2", "x")
                .node("out", new ReLU(), "add")
                .output("out")
                .build();
        Tensor x = Tensor.randn(random, 3, 4);
        Tensor manual = fc2.forward(fc1.forward(x).relu()).add(x).relu();
        assertArrayEquals(manual.toFloatArray(), block.forward(x).toFloatArray());
    }

    @Test
    void nodesRunAfterTheirInputsWhateverTheDeclarationOrder() {
        GraphModel graph = GraphModel.builder()
                .node("b", new Tanh(), "a")
                .input("x")
                .node("a", new ReLU(), "x")
                .output("b")
                .build();
        assertEquals(List.of("a", "b"), graph.nodeNames());
        assertEquals(List.of("a", "b"), List.copyOf(graph.namedChildren().keySet()));
        Tensor x = Tensor.vector(-1f, 2f);
        assertArrayEquals(x.relu().tanh().toFloatArray(), graph.forward(x).toFloatArray());
    }

    @Test
    void severalInputsAndOutputsAreMatchedByDeclarationOrder() {
        GraphModel graph = GraphModel.builder()
                .input("a")
                .input("b")
                .node("sum", new Add(), "a", "b")
                .node("cat", new Concat(0), "b", "a")
                .output("cat", "sum")
                .build();
        Map<String, Tensor> out = graph.forwardAll(Tensor.vector(1f), Tensor.vector(10f));
        assertEquals(List.of("cat", "sum"), List.copyOf(out.keySet()));
        assertArrayEquals(new float[] {10f, 1f}, out.get("cat").toFloatArray());
        assertArrayEquals(new float[] {11f}, out.get("sum").toFloatArray());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> graph.forward(Tensor.vector(1f), Tensor.vector(10f)));
        assertTrue(e.getMessage().contains("forwardAll"), e.getMessage());
    }

    @Test
    void nodesAreAddressableAndTheirWiringIsVisible() {
        ReLU relu = new ReLU();
        GraphModel graph = GraphModel.builder().input("x").node("act", relu, "x").node("add", new Add(), "act", "x")
                .output("add").build();
        assertSame(relu, graph.node("act"));
        assertEquals(List.of("act", "x"), graph.nodeInputs("add"));
        assertEquals(List.of("x"), graph.inputNames());
        assertEquals(List.of("add"), graph.outputNames());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> graph.node("x"));
        assertTrue(e.getMessage().contains("is a graph input"), e.getMessage());
    }

    @Test
    void aReplacedNodeIsUsedOnTheNextForwardPass() {
        GraphModel graph = GraphModel.builder().input("x").node("act", new ReLU(), "x").output("act").build();
        graph.replaceChild("act", new Identity());
        assertArrayEquals(new float[] {-1f}, graph.forward(Tensor.vector(-1f)).toFloatArray());
    }

    @Test
    void parametersAreNamedAfterTheirNodes() {
        Random random = new Random(1);
        GraphModel graph = GraphModel.builder().input("x").node("stem", new Dense(2, 2, true, random), "x")
                .node("head", new Dense(2, 1, false, random), "stem").output("head").build();
        assertEquals(List.of("stem.weight", "stem.bias", "head.weight"),
                List.copyOf(graph.namedParameters().keySet()));
    }

    @Test
    void aDuplicateNameIsRejectedWhereItIsDeclared() {
        GraphModel.Builder builder = GraphModel.builder().input("x").node("a", new ReLU(), "x");
        IllegalArgumentException node = assertThrows(IllegalArgumentException.class,
                () -> builder.node("a", new ReLU(), "x"));
        assertTrue(node.getMessage().contains("Duplicate name 'a'"), node.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.input("a"));
        assertThrows(IllegalArgumentException.class, () -> builder.node("x", new ReLU(), "a"));
    }

    @Test
    void unknownNamesAreListed() {
        String message = buildError(() -> GraphModel.builder().input("x").node("a", new Add(), "x", "y")
                .output("a", "z").build());
        assertTrue(message.contains("node 'a' reads 'y'") && message.contains("output 'z'"), message);
    }

    @Test
    void aCycleIsRejected() {
        String message = buildError(() -> GraphModel.builder().input("x")
                .node("a", new Add(), "x", "c")
                .node("b", new ReLU(), "a")
                .node("c", new ReLU(), "b")
                .output("c").build());
        assertTrue(message.contains("cycle") && message.contains("[a, b, c]"), message);
    }

    @Test
    void aNodeThatReachesNoOutputIsAnError() {
        String message = buildError(() -> GraphModel.builder().input("x")
                .node("used", new ReLU(), "x")
                .node("dangling", new Tanh(), "x")
                .output("used").build());
        assertTrue(message.contains("[dangling]") && message.contains("contribute to no output"), message);
    }

    @Test
    void anInputThatReachesNoOutputIsAnError() {
        String message = buildError(() -> GraphModel.builder().input("x").input("unused")
                .node("a", new ReLU(), "x").output("a").build());
        assertTrue(message.contains("[unused]"), message);
    }

    @Test
    void aGraphNeedsInputsOutputsAndNodeArguments() {
        assertTrue(buildError(() -> GraphModel.builder().input("x").build()).contains("one output"));
        assertThrows(IllegalArgumentException.class, () -> GraphModel.builder().node("a", new ReLU()));
    }

    @Test
    void theInputCountIsChecked() {
        GraphModel graph = GraphModel.builder().input("x").node("a", new ReLU(), "x").output("a").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph.forward(Tensor.vector(1f), Tensor.vector(2f)));
        assertTrue(e.getMessage().contains("takes 1 inputs [x], got 2"), e.getMessage());
    }
}
