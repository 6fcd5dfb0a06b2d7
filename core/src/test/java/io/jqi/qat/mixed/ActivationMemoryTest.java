package io.jqi.qat.mixed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.grid.RoundingMode;
import io.jqi.nn.Concat;
import io.jqi.nn.Dense;
import io.jqi.nn.GraphModel;
import io.jqi.nn.ReLU;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The activation memory of a small graph with a skip connection, counted by hand. */
class ActivationMemoryTest {
    /**
     * x (4 values) -> relu a (4) -> dense b (8) -> concat(a, b) c (12, the output), every value quantized: x at 8 bits,
     * a at 8, b at 4, c at 2.
     */
    private static GraphModel skipModel() {
        return GraphModel.builder().input("x")
                .node(holder("x"), holder(8), "x")
                .node("a", new ReLU(), holder("x")).node(holder("a"), holder(8), "a")
                .node("b", new Dense(4, 8, true, new Random(1)), holder("a")).node(holder("b"), holder(4), "b")
                .node("c", new Concat(1), holder("a"), holder("b")).node(holder("c"), holder(2), "c")
                .output(holder("c")).build();
    }

    private static String holder(String value) {
        return value + QuantizationPlan.HOLDER_SUFFIX;
    }

    private static ActivationQuantizationHolder holder(int bits) {
        return new ActivationQuantizationHolder(new ActivationPOTInferableQuantizer(bits, new float[] {4}, true,
                RoundingMode.HALF_EVEN));
    }

    @Test
    void theMemoryIsTheLargestSetOfQuantizedValuesHeldAtOnce() {
        // Held at once: {x} until a reads it; {a, b} while the concat waits for both; {c} to the end.
        // Bits: x 4*8 = 32; a and b 4*8 + 8*4 = 64; c 12*2 = 24. At 8 bits: 32, 32 + 64 = 96, 96.
        ActivationMemory memory = ActivationMemory.of(skipModel(), Tensor.zeros(3, 4));
        assertEquals(64, memory.bits());
        assertEquals(96, memory.eightBitBits());
        assertEquals(java.util.List.of("x", "a", "b", "c"), java.util.List.copyOf(memory.bitsPerValue().keySet()));
        assertEquals(Map.of("x", 8, "a", 8, "b", 4, "c", 2), memory.bitsPerValue());
    }

    @Test
    void onlyTheLargestCutsAreKept() {
        ActivationTensors tensors = ActivationTensors.of(skipModel(), Tensor.zeros(1, 4));
        assertEquals(3, tensors.cuts().size(), "{x}, {a, b}, {c}");
        assertEquals(java.util.List.of(4L, 4L, 8L, 12L), java.util.Arrays.stream(tensors.sizes()).boxed().toList());
    }

    @Test
    void countingLeavesEveryModuleInTheModeItWasIn() {
        GraphModel model = skipModel();
        model.train();
        model.node("b").eval();
        ActivationMemory.of(model, Tensor.zeros(2, 4));
        assertEquals(true, model.isTraining());
        assertEquals(true, model.node("a").isTraining());
        assertEquals(false, model.node("b").isTraining());
    }
}
