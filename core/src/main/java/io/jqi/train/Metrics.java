package io.jqi.train;

/**
 * How a classifier did on a dataset: the mean cross-entropy loss, the fraction of examples whose largest logit is
 * their label, and how many examples were counted.
 */
public record Metrics(double loss, double accuracy, int examples) {
}
