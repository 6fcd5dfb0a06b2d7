package io.jqi.ptq;

import static io.jqi.ptq.SearchConstants.BOTTOM_FACTOR;
import static io.jqi.ptq.SearchConstants.DEC_FACTOR_BOTTOM;
import static io.jqi.ptq.SearchConstants.DEC_FACTOR_UPPER;
import static io.jqi.ptq.SearchConstants.DEC_RANGE_BOTTOM;
import static io.jqi.ptq.SearchConstants.DEC_RANGE_UPPER;
import static io.jqi.ptq.SearchConstants.SYMMETRIC_INTERVALS;
import static io.jqi.ptq.SearchConstants.TOLERANCE;
import static io.jqi.ptq.SearchConstants.UPPER_FACTOR;

/**
 * The reference's two threshold searches (docs/quantizer-contract.md#threshold-selection), run on all channels at
 * once: each channel keeps its own candidates and best, and per tensor is one channel.
 */
final class ThresholdSearch {
    /** The error of each channel when it is quantized with its threshold. */
    @FunctionalInterface
    interface Loss {
        double[] of(float[] thresholds);
    }

    private ThresholdSearch() {
    }

    /**
     * Power of two: candidates {@code first / 2^i} for i below {@code candidates}; each channel takes its
     * lowest-error candidate, the first (largest) one on ties, as numpy's argmin does.
     */
    static float[] powerOfTwo(float[] first, int candidates, Loss loss) {
        int channels = first.length;
        float[] best = first.clone();
        double[] bestLoss = loss.of(best);
        float[] candidate = new float[channels];
        for (int i = 1; i < candidates; i++) {
            for (int c = 0; c < channels; c++) {
                candidate[c] = Math.scalb(first[c], -i);
            }
            double[] l = loss.of(candidate);
            for (int c = 0; c < channels; c++) {
                if (l[c] < bestLoss[c]) {
                    best[c] = candidate[c];
                    bestLoss[c] = l[c];
                }
            }
        }
        return best;
    }

    /**
     * The iterative interval search of {@code qparams_symmetric_iterative_minimization}: each iteration scores
     * {@code linspace(current * alpha, current * beta, 30)} and moves {@code current} to the iteration's best
     * candidate, even when it is worse than the best so far; the best so far changes only on a strict
     * improvement, so the result never scores worse than {@code start}. After iterations 0, decFreq, 2 decFreq,
     * ... the interval narrows: {@code (alpha, beta) *= (1.02, 0.98)}, then {@code alpha = min(alpha, 0.97)} and
     * {@code beta = max(beta, 1.03)}. The search stops early when the best-so-far minus this iteration's loss,
     * averaged over channels, is in {@code (0, 1e-11)}; because that mean is over all channels, a channel
     * searched together with others can stop at a different iteration than when searched alone.
     */
    static float[] interval(float[] start, int iterations, int decFreq, Loss loss) {
        int channels = start.length;
        float[] current = start.clone();
        float[] best = start.clone();
        double[] bestLoss = loss.of(best);
        double alpha = BOTTOM_FACTOR;
        double beta = UPPER_FACTOR;
        float[] candidate = new float[channels];
        float[] iterationBest = new float[channels];
        double[] iterationLoss = new double[channels];
        double[][] bounds = new double[channels][];
        for (int n = 0; n < iterations; n++) {
            for (int c = 0; c < channels; c++) {
                bounds[c] = Linspace.of((double) current[c] * alpha, (double) current[c] * beta,
                        SYMMETRIC_INTERVALS);
            }
            for (int k = 0; k < SYMMETRIC_INTERVALS; k++) {
                for (int c = 0; c < channels; c++) {
                    candidate[c] = (float) bounds[c][k];
                }
                double[] l = loss.of(candidate);
                for (int c = 0; c < channels; c++) {
                    if (k == 0 || l[c] < iterationLoss[c]) {
                        iterationBest[c] = candidate[c];
                        iterationLoss[c] = l[c];
                    }
                }
            }
            double improvement = 0;
            for (int c = 0; c < channels; c++) {
                improvement += bestLoss[c] - iterationLoss[c];
                if (iterationLoss[c] < bestLoss[c]) {
                    best[c] = iterationBest[c];
                    bestLoss[c] = iterationLoss[c];
                }
                current[c] = iterationBest[c];
            }
            improvement /= channels;
            if (improvement > 0 && improvement < TOLERANCE) {
                break;
            }
            if (n % decFreq == 0) {
                alpha = Math.min(alpha * DEC_FACTOR_BOTTOM, DEC_RANGE_BOTTOM);
                beta = Math.max(beta * DEC_FACTOR_UPPER, DEC_RANGE_UPPER);
            }
        }
        return best;
    }
}
