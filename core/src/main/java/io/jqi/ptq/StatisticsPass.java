package io.jqi.ptq;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PTQ's statistics pass over the representative data, split in two so that it can run data-parallel: summarize
 * each batch ({@link #summarize}, anywhere the batch is, with a pass made from the same model, platform and config
 * by {@link Ptq#statisticsPass}), then fold the summaries in batch order ({@link Ptq#fromSummaries}). The fold gives
 * the statistics a single process gets from the same batches in the same order, bit for bit
 * (docs/quantizer-contract.md#ptq-statistics).
 */
public final class StatisticsPass {
    private final FlatGraph graph;
    private final Map<String, ValueStatistics> watched = new LinkedHashMap<>();

    StatisticsPass(FlatGraph graph, Map<String, OpQuantization> ops, PtqConfig config) {
        this.graph = graph;
        ops.forEach((name, op) -> watched.put(name, new ValueStatistics(name, op.activation() != null)));
        if (config.weightsBiasCorrection()) {
            for (FlatGraph.Node n : graph.nodes.values()) {
                int axis = BiasCorrection.inputMeanAxis(n.module);
                if (ops.get(n.name).weights() != null && axis >= 0) {
                    watched.get(n.inputs.get(0)).keepMean(axis);
                }
            }
        }
    }

    /**
     * What one batch shows of every watched value: the model (batch norms folded) run over it in eval mode, each
     * value summarized and let go. Not thread-safe: a data-parallel runner makes one pass per thread.
     */
    public BatchSummary summarize(Tensor batch) {
        LinkedHashMap<String, ValueSummary> values = new LinkedHashMap<>();
        graph.run(new Tensor[] {batch}, (name, value) -> values.put(name, watched.get(name).summarize(value)));
        return new BatchSummary(values);
    }

    /** The statistics of the batches whose summaries {@code summaries} gives in batch order. */
    Map<String, ValueStatistics> fold(Iterable<BatchSummary> summaries) {
        Map<String, ValueStatistics> stats = new LinkedHashMap<>();
        watched.forEach((name, template) -> stats.put(name, template.fresh()));
        int batches = 0;
        for (BatchSummary batch : summaries) {
            if (!batch.values().keySet().equals(stats.keySet())) {
                throw new IllegalArgumentException("Batch " + batches + "'s summary covers the values "
                        + batch.values().keySet() + ", but this model watches " + stats.keySet() + "; summarize "
                        + "with a pass made from the same model, platform and config");
            }
            batch.values().forEach((name, value) -> stats.get(name).add(value));
            batches++;
        }
        if (batches == 0) {
            throw new IllegalArgumentException("The representative dataset is empty; give at least one batch of "
                    + "typical inputs");
        }
        return stats;
    }
}
