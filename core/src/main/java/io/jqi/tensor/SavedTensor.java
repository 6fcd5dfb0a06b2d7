package io.jqi.tensor;

import java.util.function.Supplier;

/**
 * What a backward function keeps of a tensor whose values its gradient reads: the values themselves, or, for a
 * tensor that can compute them again from tensors the graph keeps anyway (a fake-quantized weight from the weight
 * and its steps, a batch norm's output from its input and statistics), only that recipe, so that the values are freed after the forward pass and computed once more when
 * the gradient needs them. PyTorch's saved-tensor hooks serve the same end. A recipe gives the same bits as the
 * first computation, provided nothing it reads was written in place in between; {@link #storage()} checks that and
 * refuses otherwise, as PyTorch does with its version counters (docs/performance.md#peak-memory).
 */
final class SavedTensor {
    /** A deterministic computation of a tensor's storage, and the tensors it reads. */
    record Recipe(Supplier<Storage> compute, Tensor... reads) {
    }

    private final Storage values;
    private final Recipe recipe;
    private final int[] versions;

    private SavedTensor(Storage values, Recipe recipe, int[] versions) {
        this.values = values;
        this.recipe = recipe;
        this.versions = versions;
    }

    /** Saves {@code t} for a backward function: its recipe where it has one, else its values. */
    static SavedTensor of(Tensor t) {
        Recipe recipe = t.recipe();
        if (recipe == null) {
            return new SavedTensor(t.storage(), null, null);
        }
        int[] versions = new int[recipe.reads().length];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = recipe.reads()[i].version();
        }
        return new SavedTensor(null, recipe, versions);
    }

    /** The saved values, computed again from the recipe where one was saved. */
    Storage storage() {
        if (recipe == null) {
            return values;
        }
        for (int i = 0; i < versions.length; i++) {
            if (recipe.reads()[i].version() != versions[i]) {
                throw new IllegalStateException("A tensor that this gradient reads (shape " + recipe.reads()[i].shape()
                        + ") was written in place after the forward pass; run the forward pass again after updating "
                        + "parameters, before calling backward()");
            }
        }
        return recipe.compute().get();
    }
}
