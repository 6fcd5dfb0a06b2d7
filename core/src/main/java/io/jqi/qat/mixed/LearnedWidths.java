package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import io.jqi.ptq.WeightSensitivity;
import io.jqi.quant.trainable.LearnedBitWidth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes the widths a model's quantizers learnt ({@link LearnedBitWidth}) fit a weights memory budget before it is
 * finalized. A penalty on the expected memory ({@link WeightsMemoryPenalty}) brings training to the budget but cannot
 * promise that each layer's most probable width fits it: a mixture can sit on the budget while its largest candidates
 * exceed it. Widths that fit as learnt stay as they are; otherwise this lowers widths, removing as little memory as
 * fits the budget, and among equal removals keeps the most probable widths (the largest summed log-probability). The
 * choice is exact: the integer program of the mixed-precision search.
 *
 * <p>Why the least memory, not the most probable widths: the penalty acts most on the layers that hold most of the
 * memory, so their learnt preferences are the ones it flattened. Taking the most probable widths that fit lowered the
 * 200,704-weight layer of the Fashion-MNIST cnn to 2 bits (a quarter of the budget left unused, -0.5 point) where
 * lowering the 1,280-weight classifier from 8 to 4 bits was enough (docs/results.md#hmq-under-the-same-budget).
 */
public final class LearnedWidths {
    private LearnedWidths() {
    }

    /**
     * Chooses the widths of every learning quantizer of {@code model} and returns the memory they give.
     *
     * @throws IllegalArgumentException when even the narrowest widths exceed the budget, or no quantizer learns its
     *     width
     */
    public static WeightsMemory fit(Module model, WeightsMemoryBudget budget) {
        List<QuantizedKernel> kernels = QuantizedKernel.of(model);
        if (kernels.stream().noneMatch(k -> k.quantizer() instanceof LearnedBitWidth)) {
            throw new IllegalArgumentException("no quantized kernel of the model learns its bit width, so there is "
                    + "nothing to fit to the budget; choose fixed widths with MixedPrecision.search");
        }
        WeightsMemory learnt = WeightsMemory.of(model);
        if (learnt.fits(budget)) {
            return learnt;
        }
        // Cost of a lowered width: the bits it removes, plus a tie-break below one bit for giving up probability.
        List<WeightSensitivity.Layer> choices = new ArrayList<>();
        double tieScale = 0;
        for (QuantizedKernel k : kernels) {
            if (k.quantizer() instanceof LearnedBitWidth l) {
                for (double logP : l.widthLogProbabilities().values()) {
                    tieScale = Math.max(tieScale, -logP);
                }
            }
        }
        tieScale = 0.5 / ((tieScale + 1) * kernels.size());
        for (QuantizedKernel k : kernels) {
            int learntBits = k.bits();
            if (k.quantizer() instanceof LearnedBitWidth l) {
                Map<Integer, Double> logP = l.widthLogProbabilities();
                int[] bits = logP.keySet().stream().mapToInt(Integer::intValue).filter(b -> b <= learntBits).toArray();
                double[] cost = new double[bits.length];
                for (int c = 0; c < bits.length; c++) {
                    cost[c] = k.weights() * (double) (learntBits - bits[c]) - tieScale * logP.get(bits[c]);
                }
                choices.add(new WeightSensitivity.Layer(k.layer(), k.weights(), bits, cost));
            } else {
                choices.add(new WeightSensitivity.Layer(k.layer(), k.weights(), new int[] {learntBits},
                        new double[] {0}));
            }
        }
        int[] chosen = BitAllocation.solve(choices, budget.bits(learnt.eightBitBits() / 8), null);
        for (int i = 0; i < kernels.size(); i++) {
            if (kernels.get(i).quantizer() instanceof LearnedBitWidth l) {
                l.chooseBits(choices.get(i).bits()[chosen[i]]);
            }
        }
        return WeightsMemory.of(model);
    }
}
