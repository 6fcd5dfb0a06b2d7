package io.jqi.ptq;

import java.io.Serializable;
import java.util.List;

/**
 * The batch summaries of PTQ's statistics passes over the representative data, every batch's in batch order: the
 * first pass, and the pass through the graph that shift-negative correction changed, when it changed it (otherwise
 * {@code corrected} is null). {@link Ptq#fromSummaries(io.jqi.nn.Module, PtqSummaries, TargetPlatform, PtqConfig,
 * QuantizationRules)} makes the plan from them.
 */
public record PtqSummaries(List<BatchSummary> first, List<BatchSummary> corrected) implements Serializable {
    public PtqSummaries {
        first = List.copyOf(first);
        corrected = corrected == null ? null : List.copyOf(corrected);
    }
}
