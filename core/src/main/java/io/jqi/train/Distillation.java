package io.jqi.train;

import io.jqi.nn.Module;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.Objects;

/**
 * Knowledge distillation for the {@link Trainer}: the student (the model being trained, typically the QAT model)
 * learns from the labels and from a {@code teacher}'s softened outputs (typically the float model it was made from).
 * The loss of a batch is {@code (1 - weight) * crossEntropy(student, labels) + weight *
 * Losses.distillation(student, teacher, temperature)}. The teacher runs in evaluation mode without a graph; it must
 * live on the student's device and is never changed.
 *
 * <pre>{@code
 * GraphModel qat = Qat.init(floatModel, data, config, platform);   // a copy: floatModel stays as it is
 * Trainer trainer = Trainer.builder(qat, optimizer)
 *         .distillation(new Distillation(floatModel, 4f, 0.5f))
 *         .build();
 * }</pre>
 *
 * @param teacher the model whose outputs the student learns to match
 * @param temperature how much both distributions are softened, above 0 (4 is common)
 * @param weight the share of the soft loss, in [0, 1]; 0 is plain cross-entropy, 1 ignores the labels
 */
public record Distillation(Module teacher, float temperature, float weight) {
    public Distillation {
        Objects.requireNonNull(teacher, "teacher");
        if (!(temperature > 0f) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("distillation temperature must be a finite number above 0 but is "
                    + temperature + " (1 compares the plain distributions; 2 to 8 soften them)");
        }
        if (!(weight >= 0f && weight <= 1f)) {
            throw new IllegalArgumentException("distillation weight must be in [0, 1] (the share of the teacher's "
                    + "soft loss; 0 trains on the labels alone) but is " + weight);
        }
    }

    /** The batch's loss for the student's {@code logits} on {@code inputs} with {@code labels}. */
    Tensor loss(Tensor logits, Tensor inputs, int[] labels) {
        Tensor hard = Losses.crossEntropy(logits, labels);
        if (weight == 0f) {
            return hard;
        }
        Tensor target;
        try (var ignored = Tensor.noGrad()) {
            target = teacher.forward(inputs);
        }
        Tensor soft = Losses.distillation(logits, target, temperature);
        return weight == 1f ? soft : hard.mul(1f - weight).add(soft.mul(weight));
    }
}
