package io.jqi.train;

import io.jqi.nn.Module;
import io.jqi.tensor.Tensor;

/**
 * A term the {@link Trainer} adds to every batch's loss, computed from the model itself rather than from its outputs:
 * a regulariser such as a memory budget that learned bit widths must keep ({@code io.jqi.qat.mixed.WeightsMemoryPenalty}).
 * It is evaluated after the batch's forward pass, so it sees what that pass did to the model's state.
 */
@FunctionalInterface
public interface TrainingPenalty {
    /** A one-element tensor on the model's device, differentiable in the parameters it depends on. */
    Tensor of(Module model);
}
