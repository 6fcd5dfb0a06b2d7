package io.jqi.ptq;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one batch of the representative data showed of every value PTQ watches ({@link ValueSummary}), made by
 * {@link StatisticsPass#summarize}. Serializable, so that a data-parallel run summarizes its batches where they are
 * and sends only these to the process that folds them in batch order.
 */
public final class BatchSummary implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, ValueSummary> values;

    BatchSummary(LinkedHashMap<String, ValueSummary> values) {
        this.values = values;
    }

    /** The summaries by value name, in the graph's execution order. */
    Map<String, ValueSummary> values() {
        return Collections.unmodifiableMap(values);
    }
}
