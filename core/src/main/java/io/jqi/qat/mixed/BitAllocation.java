package io.jqi.qat.mixed;

import io.jqi.ptq.ActivationSensitivity;
import io.jqi.ptq.WeightSensitivity;
import java.math.BigDecimal;
import java.util.List;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The exact choice of one candidate per kernel and per quantized activation that minimizes the summed sensitivity
 * within the budgets: a multiple-choice knapsack with one constraint per budget (and per cut of held activations),
 * written as an integer program over binary variables and solved by ojAlgo's branch and bound.
 *
 * <ul>
 *   <li>{@code x[l][c]}: kernel {@code l} takes candidate {@code c}; {@code y[v][d]}: activation {@code v} takes
 *       candidate {@code d}; one of each per kernel and per activation.</li>
 *   <li>Weights memory: {@code sum x[l][c] * weights[l] * bits[c]}.</li>
 *   <li>Activation memory, for every cut {@code K} of values held at once ({@link ActivationTensors}):
 *       {@code sum over v in K of y[v][d] * size[v] * bits[d]}; the total memory adds the weights memory to each.</li>
 *   <li>Bit operations: {@code macs[l] * bits[c] * inputBits[l]}; where the kernel's input activation is chosen too,
 *       its width is a variable, and the product {@code x[l][c] * y[v][d]} is a binary {@code z >= x + y - 1}, which
 *       is exact since the budget only pushes {@code z} down.</li>
 * </ul>
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
     * The quantized activations to choose widths for: their sensitivities, their tensors (sizes and cuts, indexed like
     * {@code values}), and for every kernel the index of the value it reads, or -1 when that is not chosen here.
     */
    record Activations(List<ActivationSensitivity.Value> values, ActivationTensors tensors, int[] inputOf) {
        static Activations none(int kernels) {
            int[] inputOf = new int[kernels];
            java.util.Arrays.fill(inputOf, -1);
            return new Activations(List.of(), new ActivationTensors(List.of(), new long[0], List.of(), List.of()),
                    inputOf);
        }
    }

    /** The budgets, in bits (memories, per example for activations) and bit operations per example; null: none. */
    record Budgets(Long weights, Long activation, Long total, Long bitOps) {
    }

    /** The chosen candidate index per kernel and per activation, and the resources they use. */
    record Choice(int[] kernels, int[] activations, long weightsBits, long activationBits, long bitOps) {
    }

    /**
     * The index of the chosen candidate for each kernel, within a weights memory budget in bits and a budget of bit
     * operations per example ({@link WeightSensitivity.Layer#bitOps}); null leaves a resource unlimited.
     *
     * @throws IllegalArgumentException when even the narrowest candidates exceed a budget
     */
    static int[] solve(List<WeightSensitivity.Layer> layers, Long budgetBits, Long bitOpsBudget) {
        return solve(layers, Activations.none(layers.size()), new Budgets(budgetBits, null, null, bitOpsBudget))
                .kernels();
    }

    /**
     * The choice of widths for {@code layers} and {@code activations} within {@code budgets}.
     *
     * @throws IllegalArgumentException when even the narrowest candidates exceed a budget
     */
    static Choice solve(List<WeightSensitivity.Layer> layers, Activations activations, Budgets budgets) {
        // The narrowest candidates take the least of every resource at once, so they decide feasibility.
        Choice least = usage(layers, activations, narrowest(layers.stream().map(WeightSensitivity.Layer::bits)),
                narrowest(activations.values().stream().map(ActivationSensitivity.Value::bits)));
        refuseBelow(budgets.weights(), least.weightsBits(), "weights memory");
        refuseBelow(budgets.activation(), least.activationBits(), "activation memory");
        refuseBelow(budgets.total(), least.weightsBits() + least.activationBits(), "total memory");
        if (budgets.bitOps() != null && least.bitOps() > budgets.bitOps()) {
            throw new IllegalArgumentException("the bit-operations budget of " + budgets.bitOps() + " per example is "
                    + "below the least the candidates allow, " + least.bitOps() + " with every layer at its narrowest "
                    + "width; raise the budget or add narrower candidates");
        }
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Variable[][] x = new Variable[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            x[l] = oneOf(model, "x_" + l, layers.get(l).errors());
        }
        Variable[][] y = new Variable[activations.values().size()][];
        for (int v = 0; v < y.length; v++) {
            y[v] = oneOf(model, "y_" + v, activations.values().get(v).errors());
        }
        // Each budget is scaled to SCALE: with coefficients in the millions, ojAlgo's branch and bound returned
        // solutions up to 10% worse than the optimum (BitAllocationTest). A whole bit over a budget is still far above
        // its feasibility tolerance, and the exact sums are checked below.
        if (budgets.weights() != null) {
            Expression memory = limit(model, "weights_memory");
            addWeights(memory, layers, x, budgets.weights());
        }
        for (int k = 0; k < activations.tensors().cuts().size(); k++) {
            int[] cut = activations.tensors().cuts().get(k);
            if (budgets.activation() != null) {
                addHeld(limit(model, "activation_memory_" + k), activations, cut, y, budgets.activation());
            }
            if (budgets.total() != null) {
                Expression total = limit(model, "total_memory_" + k);
                addWeights(total, layers, x, budgets.total());
                addHeld(total, activations, cut, y, budgets.total());
            }
        }
        if (budgets.bitOps() != null) {
            addBitOps(model, layers, activations, x, y, budgets.bitOps());
        }
        Optimisation.Result result = model.minimise();
        if (!result.getState().isOptimal()) {
            throw new IllegalStateException("the bit allocation found no optimal solution (solver state "
                    + result.getState() + ") although the narrowest widths fit the budgets");
        }
        Choice chosen = usage(layers, activations, chosen(x, result, model), chosen(y, result, model));
        if (over(budgets.weights(), chosen.weightsBits()) || over(budgets.activation(), chosen.activationBits())
                || over(budgets.total(), chosen.weightsBits() + chosen.activationBits())
                || over(budgets.bitOps(), chosen.bitOps())) {
            throw new IllegalStateException("the bit allocation's solution exceeds a budget by rounding ("
                    + chosen.weightsBits() + " weight bits, " + chosen.activationBits() + " activation bits, "
                    + chosen.bitOps() + " bit operations; budgets " + budgets + ")");
        }
        return chosen;
    }

    private static Variable[] oneOf(ExpressionsBasedModel model, String name, double[] errors) {
        Expression one = model.addExpression("one_" + name).level(1);
        Variable[] vars = new Variable[errors.length];
        for (int c = 0; c < errors.length; c++) {
            vars[c] = model.addVariable(name + "_" + c).binary().weight(errors[c]);
            one.set(vars[c], 1);
        }
        return vars;
    }

    private static Expression limit(ExpressionsBasedModel model, String name) {
        return model.addExpression(name).upper(BigDecimal.valueOf(SCALE));
    }

    private static void addWeights(Expression e, List<WeightSensitivity.Layer> layers, Variable[][] x, long budget) {
        for (int l = 0; l < layers.size(); l++) {
            for (int c = 0; c < x[l].length; c++) {
                e.set(x[l][c], (double) layers.get(l).weights() * layers.get(l).bits()[c] * SCALE / budget);
            }
        }
    }

    private static void addHeld(Expression e, Activations a, int[] cut, Variable[][] y, long budget) {
        for (int v : cut) {
            for (int d = 0; d < y[v].length; d++) {
                e.set(y[v][d], (double) a.tensors().sizes()[v] * a.values().get(v).bits()[d] * SCALE / budget);
            }
        }
    }

    private static void addBitOps(ExpressionsBasedModel model, List<WeightSensitivity.Layer> layers, Activations a,
            Variable[][] x, Variable[][] y, long budget) {
        Expression ops = limit(model, "bit_ops");
        for (int l = 0; l < layers.size(); l++) {
            WeightSensitivity.Layer layer = layers.get(l);
            int v = a.inputOf()[l];
            for (int c = 0; c < x[l].length; c++) {
                if (v < 0) {
                    ops.set(x[l][c], layer.bitOps(c) * SCALE / budget);
                    continue;
                }
                int[] inputBits = a.values().get(v).bits();
                for (int d = 0; d < inputBits.length; d++) {
                    Variable z = model.addVariable("z_" + l + "_" + c + "_" + d).binary();
                    model.addExpression("and_" + l + "_" + c + "_" + d).lower(-1).set(z, 1).set(x[l][c], -1)
                            .set(y[v][d], -1);
                    ops.set(z, (double) layer.macs() * layer.bits()[c] * inputBits[d] * SCALE / budget);
                }
            }
        }
    }

    private static int[] narrowest(java.util.stream.Stream<int[]> candidates) {
        return candidates.mapToInt(bits -> {
            int n = 0;
            for (int c = 1; c < bits.length; c++) {
                n = bits[c] < bits[n] ? c : n;
            }
            return n;
        }).toArray();
    }

    private static int[] chosen(Variable[][] vars, Optimisation.Result result, ExpressionsBasedModel model) {
        int[] out = new int[vars.length];
        for (int i = 0; i < vars.length; i++) {
            out[i] = -1;
            for (int c = 0; c < vars[i].length; c++) {
                if (result.doubleValue(model.indexOf(vars[i][c])) > 0.5) {
                    out[i] = c;
                }
            }
        }
        return out;
    }

    /** The resources of a choice: weights memory, the largest cut's bits and the bit operations. */
    private static Choice usage(List<WeightSensitivity.Layer> layers, Activations a, int[] kernels, int[] values) {
        long weights = 0;
        long ops = 0;
        for (int l = 0; l < layers.size(); l++) {
            WeightSensitivity.Layer layer = layers.get(l);
            weights += layer.weights() * layer.bits()[kernels[l]];
            int v = a.inputOf()[l];
            ops += v < 0 ? layer.bitOps(kernels[l])
                    : layer.macs() * layer.bits()[kernels[l]] * a.values().get(v).bits()[values[v]];
        }
        int[] bits = new int[values.length];
        for (int v = 0; v < bits.length; v++) {
            bits[v] = a.values().get(v).bits()[values[v]];
        }
        long held = a.tensors().heldBits(bits);
        return new Choice(kernels, values, weights, held, ops);
    }

    private static void refuseBelow(Long budget, long least, String what) {
        if (budget != null && least > budget) {
            throw new IllegalArgumentException("the " + what + " budget of " + budget / 8 + " bytes is below the "
                    + "least the candidates allow, " + (least + 7) / 8 + " bytes with every layer at its narrowest "
                    + "width; raise the budget or add narrower candidates");
        }
    }

    private static boolean over(Long budget, long used) {
        return budget != null && used > budget;
    }
}
