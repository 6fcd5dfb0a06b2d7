package io.jqi.qat.mixed;

import io.jqi.ptq.WeightSensitivity;
import java.math.BigDecimal;
import java.util.List;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The exact choice of one candidate per layer that minimizes the summed sensitivity within a memory budget: the
 * multiple-choice knapsack, written as an integer program over binary variables {@code x[l][c]} (layer {@code l} takes
 * candidate {@code c}), with {@code sum_c x[l][c] = 1} per layer and {@code sum x[l][c] * weights[l] * bits[c] <=
 * budget}, solved by ojAlgo's branch and bound.
 *
 * <p>Why ojAlgo: a maintained, pure-Java optimizer on Maven Central with no native code, so it runs wherever jqi runs;
 * its integer solver is exact for problems of this size (a few hundred binaries for the largest CNNs). OR-Tools and
 * lp_solve need native libraries; Apache Commons Math has no integer programming.
 */
final class BitAllocation {
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
     * The index of the chosen candidate for each layer.
     *
     * @throws IllegalArgumentException when even the narrowest candidates exceed the budget
     */
    static int[] solve(List<WeightSensitivity.Layer> layers, long budgetBits) {
        long least = 0;
        for (WeightSensitivity.Layer l : layers) {
            int narrowest = Integer.MAX_VALUE;
            for (int b : l.bits()) {
                narrowest = Math.min(narrowest, b);
            }
            least += l.weights() * narrowest;
        }
        if (least > budgetBits) {
            throw new IllegalArgumentException("the weights memory budget of " + budgetBits / 8 + " bytes is below the "
                    + "least the candidates allow, " + (least + 7) / 8 + " bytes with every layer at its narrowest "
                    + "width; raise the budget or add narrower candidates");
        }
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        int[][] index = new int[layers.size()][];
        int variables = 0;
        Expression memory = model.addExpression("memory").upper(BigDecimal.valueOf(budgetBits));
        for (int l = 0; l < layers.size(); l++) {
            WeightSensitivity.Layer layer = layers.get(l);
            Expression one = model.addExpression("one_" + l).level(1);
            index[l] = new int[layer.bits().length];
            for (int c = 0; c < index[l].length; c++) {
                Variable x = model.addVariable("x_" + l + "_" + c).binary().weight(layer.errors()[c]);
                one.set(x, 1);
                memory.set(x, layer.weights() * layer.bits()[c]);
                index[l][c] = variables++;
            }
        }
        Optimisation.Result result = model.minimise();
        if (!result.getState().isOptimal()) {
            throw new IllegalStateException("the bit allocation found no optimal solution (solver state "
                    + result.getState() + ") although " + (least + 7) / 8 + " bytes fit in the budget");
        }
        int[] chosen = new int[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            chosen[l] = -1;
            for (int c = 0; c < index[l].length; c++) {
                if (result.doubleValue(index[l][c]) > 0.5) {
                    chosen[l] = c;
                }
            }
        }
        return chosen;
    }
}
