package io.jqi.train;

import io.jqi.nn.Module;

/**
 * What the {@link Trainer} does between each batch's backward pass and its optimizer step: where a data-parallel run
 * makes every replica's gradients (and batch-norm statistics) the same across replicas, such as their mean in a
 * fixed replica order, so that every replica takes the same step.
 */
@FunctionalInterface
public interface GradientExchange {
    /** Makes {@code model}'s gradients those of the whole step; runs on the trainer's thread, in no-grad mode. */
    void exchange(Module model);
}
