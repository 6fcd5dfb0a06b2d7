package io.jqi.qat.mixed;

import io.jqi.ptq.WeightSensitivity;
import java.math.BigDecimal;
import java.util.List;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The exact choice of one candidate per layer that minimizes the summed sensitivity within a memory budget, a
 * bit-operations budget or both: the multiple-choice knapsack, written as an integer program over binary variables
 * {@code x[l][c]} (layer {@code l} takes candidate {@code c}), with {@code sum_c x[l][c] = 1} per layer,
 * {@code sum x[l][c] * weights[l] * bits[c] <= memory budget} and {@code sum x[l][c] * macs[l] * bits[c] *
 * inputBits[l] <= bit-operations budget}, solved by ojAlgo's branch and bound.
 *
 * <p>Why ojAlgo: a maintained, pure-Java optimizer on Maven Central with no native code, so it runs wherever jqi runs;
 * its integer solver is exact for problems of this size (a few hundred binaries for the largest CNNs). OR-Tools and
 * lp_solve need native libraries; Apache Commons Math has no integer programming.
 */
final class BitAllocation {
    /** What every budget is scaled to in the program. */
    private static final double SCALE = 10_000;

    static {
        // On first use ojAlgo prints a notice about hardware profiles to standard output unless this property is set;
        // it would land in the middle of a user's (and jqi qat's) output. A user's own setting is kept.
        if (System.getProperty("shut.up.ojAlgo") == null) {
            System.setProperty("shut.up.ojAlgo", "true");
        }
    }

    private BitAllocation() {
    }

    /**
     * The index of the chosen candidate for each layer, within a weights memory budget in bits.
     *
     * @throws IllegalArgumentException when even the narrowest candidates exceed the budget
     */
    static int[] solve(List<WeightSensitivity.Layer> layers, long budgetBits) {
        return solve(layers, budgetBits, null);
    }

    /**
     * The index of the chosen candidate for each layer, within a weights memory budget in bits and a budget of bit
     * operations per example ({@link WeightSensitivity.Layer#bitOps}); null leaves a resource unlimited.
     *
     * @throws IllegalArgumentException when even the narrowest candidates exceed a budget
     */
    static int[] solve(List<WeightSensitivity.Layer> layers, Long budgetBits, Long bitOpsBudget) {
        // The narrowest candidates take the least of every resource at once, so they decide feasibility.
        long least = 0;
        long leastBitOps = 0;
        for (WeightSensitivity.Layer l : layers) {
            int narrowest = 0;
            for (int c = 1; c < l.bits().length; c++) {
                narrowest = l.bits()[c] < l.bits()[narrowest] ? c : narrowest;
            }
            least += l.weights() * l.bits()[narrowest];
            leastBitOps += l.bitOps(narrowest);
        }
        if (budgetBits != null && least > budgetBits) {
            throw new IllegalArgumentException("the weights memory budget of " + budgetBits / 8 + " bytes is below the "
                    + "least the candidates allow, " + (least + 7) / 8 + " bytes with every layer at its narrowest "
                    + "width; raise the budget or add narrower candidates");
        }
        if (bitOpsBudget != null && leastBitOps > bitOpsBudget) {
            throw new IllegalArgumentException("the bit-operations budget of " + bitOpsBudget + " per example is below "
                    + "the least the candidates allow, " + leastBitOps + " with every layer at its narrowest width; "
                    + "raise the budget or add narrower candidates");
        }
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        int[][] index = new int[layers.size()][];
        int variables = 0;
        // Each budget is scaled to SCALE: with coefficients in the millions, ojAlgo's branch and bound returned
        // solutions up to 10% worse than the optimum (BitAllocationTest). A whole bit over a budget is still far above
        // its feasibility tolerance, and the exact sums are checked below.
        Expression memory = budgetBits == null ? null
                : model.addExpression("memory").upper(BigDecimal.valueOf(SCALE));
        Expression bitOps = bitOpsBudget == null ? null
                : model.addExpression("bit_ops").upper(BigDecimal.valueOf(SCALE));
        for (int l = 0; l < layers.size(); l++) {
            WeightSensitivity.Layer layer = layers.get(l);
            Expression one = model.addExpression("one_" + l).level(1);
            index[l] = new int[layer.bits().length];
            for (int c = 0; c < index[l].length; c++) {
                Variable x = model.addVariable("x_" + l + "_" + c).binary().weight(layer.errors()[c]);
                one.set(x, 1);
                if (memory != null) {
                    memory.set(x, (double) layer.weights() * layer.bits()[c] * SCALE / budgetBits);
                }
                if (bitOps != null) {
                    bitOps.set(x, layer.bitOps(c) * SCALE / bitOpsBudget);
                }
                index[l][c] = variables++;
            }
        }
        Optimisation.Result result = model.minimise();
        if (!result.getState().isOptimal()) {
            throw new IllegalStateException("the bit allocation found no optimal solution (solver state "
                    + result.getState() + ") although the narrowest widths fit the budgets");
        }
        int[] chosen = new int[layers.size()];
        long memoryUsed = 0;
        long bitOpsUsed = 0;
        for (int l = 0; l < layers.size(); l++) {
            chosen[l] = -1;
            for (int c = 0; c < index[l].length; c++) {
                if (result.doubleValue(index[l][c]) > 0.5) {
                    chosen[l] = c;
                }
            }
            memoryUsed += layers.get(l).weights() * layers.get(l).bits()[chosen[l]];
            bitOpsUsed += layers.get(l).bitOps(chosen[l]);
        }
        if ((budgetBits != null && memoryUsed > budgetBits) || (bitOpsBudget != null && bitOpsUsed > bitOpsBudget)) {
            throw new IllegalStateException("the bit allocation's solution exceeds a budget by rounding (" + memoryUsed
                    + " of " + budgetBits + " bits, " + bitOpsUsed + " of " + bitOpsBudget + " bit operations)");
        }
        return chosen;
    }
}
