package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import io.jqi.quant.trainable.LearnedBitWidth;
import io.jqi.tensor.Tensor;
import io.jqi.train.TrainingPenalty;

/**
 * Holds quantizers that learn their bit width ({@link LearnedBitWidth}, such as HMQ) to a weights memory budget
 * during training: {@code strength * max(0, E / B - 1)}, where {@code E} is the expected memory of the quantized
 * kernels (learned widths at their expected value, fixed ones at theirs) and {@code B} the budget. The hinge leaves
 * the widths to the task while the model fits, and pushes with a constant force while it does not; the force is
 * relative to the budget, so one strength serves models of any size. A budget held in expectation is not yet held by
 * each layer's most probable width: {@link LearnedWidths#fit} makes it so before finalizing.
 *
 * <pre>{@code
 * WeightsMemoryBudget budget = WeightsMemoryBudget.relativeTo8Bits(0.5);
 * Trainer trainer = Trainer.builder(qat, optimizer)
 *         .penalty(new WeightsMemoryPenalty(budget, 1))
 *         .build();
 * trainer.fit(loader, test, epochs);
 * LearnedWidths.fit(qat, budget);
 * GraphModel finalized = Qat.finalize(qat);
 * }</pre>
 */
public final class WeightsMemoryPenalty implements TrainingPenalty {
    /** The strength {@code jqi qat --weights-memory} uses with a learned width. */
    public static final double DEFAULT_STRENGTH = 1;

    private final WeightsMemoryBudget budget;
    private final double strength;

    public WeightsMemoryPenalty(WeightsMemoryBudget budget, double strength) {
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
        if (!(strength > 0) || !Double.isFinite(strength)) {
            throw new IllegalArgumentException("a weights memory penalty needs a finite strength above 0, got "
                    + strength);
        }
        this.strength = strength;
    }

    /**
     * @throws IllegalArgumentException when no quantized kernel of {@code model} learns its width, so the penalty
     *     could not change anything (use {@link MixedPrecision#search} to choose fixed widths instead)
     */
    @Override
    public Tensor of(Module model) {
        Tensor learned = null;
        long fixedBits = 0;
        long weights = 0;
        for (QuantizedKernel k : QuantizedKernel.of(model)) {
            weights += k.weights();
            if (k.quantizer() instanceof LearnedBitWidth l) {
                Tensor bits = l.expectedBits().mul((float) k.weights());
                learned = learned == null ? bits : learned.add(bits);
            } else {
                fixedBits += k.weights() * k.bits();
            }
        }
        if (learned == null) {
            throw new IllegalArgumentException("no quantized kernel of the model learns its bit width, so a weights "
                    + "memory penalty has nothing to act on; choose fixed widths with MixedPrecision.search");
        }
        double budgetBits = budget.bits(weights);
        return learned.add((float) fixedBits).div((float) budgetBits).add(-1f).relu().mul((float) strength);
    }

    @Override
    public String toString() {
        return "weights memory within " + budget + " (strength " + strength + ")";
    }
}
