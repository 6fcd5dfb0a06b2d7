package io.jqi.qat.mixed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.ptq.ActivationSensitivity;
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
            int[] chosen = BitAllocation.solve(layers, budget, null);
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
        var e = assertThrows(IllegalArgumentException.class, () -> BitAllocation.solve(layers, 1000L, null));
        assertTrue(e.getMessage().contains("200 bytes"), e.getMessage());
    }

    @Test
    void kernelsAndActivationsAreChosenTogetherOptimallyUnderEveryMixOfBudgets() {
        Random random = new Random(3);
        for (int trial = 0; trial < 60; trial++) {
            List<WeightSensitivity.Layer> layers = randomLayers(random, 1 + random.nextInt(3));
            int count = 1 + random.nextInt(3);
            List<ActivationSensitivity.Value> values = new ArrayList<>();
            long[] sizes = new long[count];
            for (int v = 0; v < count; v++) {
                double e8 = random.nextDouble() * 0.01;
                double e4 = e8 + random.nextDouble() * 0.1;
                values.add(new ActivationSensitivity.Value("v" + v, CANDIDATES,
                        new double[] {e4 + random.nextDouble(), e4, e8}));
                sizes[v] = 1 + random.nextInt(3000);
            }
            List<int[]> cuts = new ArrayList<>();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                cuts.add(java.util.stream.IntStream.range(0, count).filter(v -> random.nextBoolean()).toArray());
            }
            int[] inputOf = layers.stream().mapToInt(l -> random.nextInt(count + 1) - 1).toArray();
            var activations = new BitAllocation.Activations(values,
                    new ActivationTensors(values.stream().map(ActivationSensitivity.Value::value).toList(), sizes,
                            List.of(), cuts), inputOf);
            int[] eights = new int[count];
            java.util.Arrays.fill(eights, 8);
            long weights8 = layers.stream().mapToLong(l -> l.weights() * 8).sum();
            long held8 = activations.tensors().heldBits(eights);
            Long[] budgets = new Long[4];
            long[] at8 = {weights8, held8, weights8 + held8, layers.stream().mapToLong(l -> l.macs() * 64).sum()};
            int mix = 1 + random.nextInt(15);
            for (int b = 0; b < 4; b++) {
                budgets[b] = (mix >> b & 1) == 0 ? null : (long) (at8[b] * (0.3 + random.nextDouble() * 0.7));
            }
            BitAllocation.Budgets limits = new BitAllocation.Budgets(budgets[0], budgets[1], budgets[2], budgets[3]);
            BitAllocation.Choice best = bruteForce(layers, activations, limits);
            if (best == null) {
                assertThrows(IllegalArgumentException.class, () -> BitAllocation.solve(layers, activations, limits),
                        "trial " + trial);
                continue;
            }
            BitAllocation.Choice chosen = BitAllocation.solve(layers, activations, limits);
            assertEquals(error(layers, values, best), error(layers, values, chosen), 1e-9, "trial " + trial);
            assertTrue(within(chosen, limits), "trial " + trial + ": " + limits);
        }
    }

    /** The least-error choice within the budgets over every assignment, counted independently; null if none fits. */
    private static BitAllocation.Choice bruteForce(List<WeightSensitivity.Layer> layers,
            BitAllocation.Activations activations, BitAllocation.Budgets limits) {
        int n = layers.size();
        int m = activations.values().size();
        BitAllocation.Choice best = null;
        for (int code = 0; code < Math.pow(3, n + m); code++) {
            int rest = code;
            int[] kernels = new int[n];
            int[] values = new int[m];
            for (int i = 0; i < n + m; i++) {
                if (i < n) {
                    kernels[i] = rest % 3;
                } else {
                    values[i - n] = rest % 3;
                }
                rest /= 3;
            }
            long weights = 0;
            long ops = 0;
            for (int l = 0; l < n; l++) {
                weights += layers.get(l).weights() * CANDIDATES[kernels[l]];
                int v = activations.inputOf()[l];
                ops += layers.get(l).macs() * CANDIDATES[kernels[l]]
                        * (v < 0 ? layers.get(l).inputBits() : CANDIDATES[values[v]]);
            }
            long held = 0;
            for (int[] cut : activations.tensors().cuts()) {
                long sum = 0;
                for (int v : cut) {
                    sum += activations.tensors().sizes()[v] * CANDIDATES[values[v]];
                }
                held = Math.max(held, sum);
            }
            BitAllocation.Choice c = new BitAllocation.Choice(kernels, values, weights, held, ops);
            if (within(c, limits) && (best == null || error(layers, activations.values(), c)
                    < error(layers, activations.values(), best))) {
                best = c;
            }
        }
        return best;
    }

    private static double error(List<WeightSensitivity.Layer> layers, List<ActivationSensitivity.Value> values,
            BitAllocation.Choice c) {
        double e = 0;
        for (int l = 0; l < layers.size(); l++) {
            e += layers.get(l).errors()[c.kernels()[l]];
        }
        for (int v = 0; v < values.size(); v++) {
            e += values.get(v).errors()[c.activations()[v]];
        }
        return e;
    }

    private static boolean within(BitAllocation.Choice c, BitAllocation.Budgets b) {
        return (b.weights() == null || c.weightsBits() <= b.weights())
                && (b.activation() == null || c.activationBits() <= b.activation())
                && (b.total() == null || c.weightsBits() + c.activationBits() <= b.total())
                && (b.bitOps() == null || c.bitOps() <= b.bitOps());
    }
}
