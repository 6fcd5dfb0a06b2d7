package io.jqi.ptq;

import static io.jqi.ptq.SearchConstants.BOTTOM_FACTOR;
import static io.jqi.ptq.SearchConstants.TOLERANCE;
import static io.jqi.ptq.SearchConstants.UPPER_FACTOR;

/**
 * The reference's uniform range search ({@code iterative_uniform_dynamic_range_search},
 * docs/quantizer-contract.md#threshold-selection), run on all channels at once.
 */
final class RangeSearch {
    /** The error of each channel when it is quantized on its {@code [min, max]}. */
    @FunctionalInterface
    interface Loss {
        double[] of(float[] min, float[] max);
    }

    private RangeSearch() {
    }

    /**
     * Starting from the base {@code [min, max]}, each iteration scores {@code [min * a, max * b]} for every pair
     * {@code (a, b)} of {@code linspace(0.7, 1.2, samples)} (in {@code itertools.product} order, first pair kept
     * on ties) and makes the iteration's best the new base, even when it is worse than the best so far; the best
     * so far changes only on a strict improvement. Stops early like {@link ThresholdSearch#interval}. Returns
     * {@code {min[], max[]}}.
     */
    static float[][] run(float[] min, float[] max, int samples, int iterations, Loss loss) {
        int channels = min.length;
        double[] scales = Linspace.of(BOTTOM_FACTOR, UPPER_FACTOR, samples);
        float[] baseMin = min.clone();
        float[] baseMax = max.clone();
        float[] bestMin = min.clone();
        float[] bestMax = max.clone();
        double[] bestLoss = loss.of(bestMin, bestMax);
        float[] candidateMin = new float[channels];
        float[] candidateMax = new float[channels];
        float[] iterationMin = new float[channels];
        float[] iterationMax = new float[channels];
        double[] iterationLoss = new double[channels];
        for (int n = 0; n < iterations; n++) {
            boolean first = true;
            for (double a : scales) {
                for (double b : scales) {
                    for (int c = 0; c < channels; c++) {
                        candidateMin[c] = (float) (baseMin[c] * a);
                        candidateMax[c] = (float) (baseMax[c] * b);
                    }
                    double[] l = loss.of(candidateMin, candidateMax);
                    for (int c = 0; c < channels; c++) {
                        if (first || l[c] < iterationLoss[c]) {
                            iterationMin[c] = candidateMin[c];
                            iterationMax[c] = candidateMax[c];
                            iterationLoss[c] = l[c];
                        }
                    }
                    first = false;
                }
            }
            double improvement = 0;
            for (int c = 0; c < channels; c++) {
                improvement += bestLoss[c] - iterationLoss[c];
                if (iterationLoss[c] < bestLoss[c]) {
                    bestMin[c] = iterationMin[c];
                    bestMax[c] = iterationMax[c];
                    bestLoss[c] = iterationLoss[c];
                }
                baseMin[c] = iterationMin[c];
                baseMax[c] = iterationMax[c];
            }
            improvement /= channels;
            if (improvement > 0 && improvement < TOLERANCE) {
                break;
            }
        }
        return new float[][] {bestMin, bestMax};
    }

    /**
     * The reference's uniform post-fix, in place: a positive min becomes 0 and a negative max becomes 0, for every
     * channel when {@code everyChannel}, else only for channels whose min equals their max.
     */
    static void includeZero(float[] min, float[] max, boolean everyChannel) {
        for (int c = 0; c < min.length; c++) {
            if (everyChannel || min[c] == max[c]) {
                if (min[c] > 0f) {
                    min[c] = 0f;
                }
                if (max[c] < 0f) {
                    max[c] = 0f;
                }
            }
        }
    }
}
