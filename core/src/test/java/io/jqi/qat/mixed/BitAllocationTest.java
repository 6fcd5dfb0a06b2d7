package io.jqi.qat.mixed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.ptq.WeightSensitivity;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The integer program against exhaustive search on random instances. */
class BitAllocationTest {
    private static final int[] CANDIDATES = {2, 4, 8};

    private static List<WeightSensitivity.Layer> randomLayers(Random random, int count) {
        List<WeightSensitivity.Layer> layers = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            double e8 = random.nextDouble() * 0.01;
            double e4 = e8 + random.nextDouble() * 0.1;
            double e2 = e4 + random.nextDouble();
            layers.add(new WeightSensitivity.Layer("l" + l, 1 + random.nextInt(5000), CANDIDATES,
                    new double[] {e2, e4, e8}, 1 + random.nextInt(100_000), random.nextBoolean() ? 8 : 4));
        }
        return layers;
    }

    /** The least summed sensitivity within the budget, over every assignment. */
    private static double bruteForce(List<WeightSensitivity.Layer> layers, long budget) {
        return bruteForce(layers, budget, Long.MAX_VALUE);
    }

    /** The least summed sensitivity within both budgets, over every assignment. */
    private static double bruteForce(List<WeightSensitivity.Layer> layers, long budget, long bitOpsBudget) {
        int n = layers.size();
        double best = Double.POSITIVE_INFINITY;
        int[] choice = new int[n];
        for (int code = 0; code < Math.pow(3, n); code++) {
            int rest = code;
            long memory = 0;
            long bitOps = 0;
            double error = 0;
            for (int l = 0; l < n; l++) {
                choice[l] = rest % 3;
                rest /= 3;
                memory += layers.get(l).weights() * CANDIDATES[choice[l]];
                bitOps += layers.get(l).bitOps(choice[l]);
                error += layers.get(l).errors()[choice[l]];
            }
            if (memory <= budget && bitOps <= bitOpsBudget) {
                best = Math.min(best, error);
            }
        }
        return best;
    }

    @Test
    void theChoiceIsOptimalAndWithinTheBudgetOnRandomInstances() {
        Random random = new Random(1);
        for (int trial = 0; trial < 40; trial++) {
            List<WeightSensitivity.Layer> layers = randomLayers(random, 1 + random.nextInt(6));
            long eightBits = layers.stream().mapToLong(l -> l.weights() * 8).sum();
            long budget = (long) (eightBits * (0.25 + random.nextDouble() * 0.75));
            int[] chosen = BitAllocation.solve(layers, budget);
            long memory = 0;
            double error = 0;
            for (int l = 0; l < layers.size(); l++) {
                memory += layers.get(l).weights() * CANDIDATES[chosen[l]];
                error += layers.get(l).errors()[chosen[l]];
            }
            assertTrue(memory <= budget, "trial " + trial + ": " + memory + " bits over " + budget);
            assertEquals(bruteForce(layers, budget), error, 1e-9, "trial " + trial);
        }
    }

    @Test
    void aBitOperationsBudgetAloneOrWithAMemoryBudgetIsHeldOptimally() {
        Random random = new Random(2);
        for (int trial = 0; trial < 40; trial++) {
            List<WeightSensitivity.Layer> layers = randomLayers(random, 1 + random.nextInt(6));
            long eightBitOps = layers.stream().mapToLong(l -> l.macs() * 8 * l.inputBits()).sum();
            long bitOpsBudget = (long) (eightBitOps * (0.25 + random.nextDouble() * 0.75));
            Long budget = trial % 2 == 0 ? null
                    : (long) (layers.stream().mapToLong(l -> l.weights() * 8).sum() * (0.25 + random.nextDouble()));
            int[] chosen = BitAllocation.solve(layers, budget, bitOpsBudget);
            long bitOps = 0;
            long memory = 0;
            double error = 0;
            for (int l = 0; l < layers.size(); l++) {
                bitOps += layers.get(l).bitOps(chosen[l]);
                memory += layers.get(l).weights() * CANDIDATES[chosen[l]];
                error += layers.get(l).errors()[chosen[l]];
            }
            assertTrue(bitOps <= bitOpsBudget, "trial " + trial + ": " + bitOps + " bit operations over "
                    + bitOpsBudget);
            assertTrue(budget == null || memory <= budget, "trial " + trial);
            assertEquals(bruteForce(layers, budget == null ? Long.MAX_VALUE : budget, bitOpsBudget), error, 1e-9,
                    "trial " + trial);
        }
    }

    @Test
    void aBitOperationsBudgetBelowTheNarrowestCandidatesSaysWhatItWouldTake() {
        List<WeightSensitivity.Layer> layers = List.of(new WeightSensitivity.Layer("a", 800, CANDIDATES,
                new double[] {3, 2, 1}, 1000, 8));
        var e = assertThrows(IllegalArgumentException.class, () -> BitAllocation.solve(layers, null, 1000L));
        assertTrue(e.getMessage().contains("the least the candidates allow, 16000"), e.getMessage());
    }

    @Test
    void aBudgetBelowTheNarrowestCandidatesSaysWhatItWouldTake() {
        List<WeightSensitivity.Layer> layers = List.of(new WeightSensitivity.Layer("a", 800, CANDIDATES,
                new double[] {3, 2, 1}));
        var e = assertThrows(IllegalArgumentException.class, () -> BitAllocation.solve(layers, 1000));
        assertTrue(e.getMessage().contains("200 bytes"), e.getMessage());
    }
}
