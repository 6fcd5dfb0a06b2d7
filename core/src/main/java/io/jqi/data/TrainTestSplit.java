package io.jqi.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A dataset cut into examples to train on and held-out examples to evaluate on; {@code D} is {@link TensorDataset}
 * where both parts are in memory.
 */
public record TrainTestSplit<D extends Dataset>(D train, D test) {

    /** One more than the largest label in either part: the number of outputs a classifier needs. */
    public int numClasses() {
        int max = -1;
        for (Dataset part : List.of(train, test)) {
            for (int i = 0; i < part.size(); i++) {
                max = Math.max(max, part.label(i));
            }
        }
        return max + 1;
    }

    /**
     * A stratified split: each class gives {@code round(testFraction * its count)} of its examples, drawn at random, to
     * the test set and the rest to the training set, so both keep the class balance of {@code data} (the total test
     * size can differ from {@code testFraction * size} by the rounding, at most half an example per class). The draw
     * depends only on {@code seed} and the labels; both parts keep the examples in their order in {@code data}.
     *
     * @throws IllegalArgumentException if {@code testFraction} is not strictly between 0 and 1, or leaves either part
     *     empty
     */
    public static TrainTestSplit<TensorDataset> stratified(TensorDataset data, long seed, double testFraction) {
        int[][] parts = stratifiedIndexes(data, seed, testFraction);
        return new TrainTestSplit<>(data.subset(parts[0]), data.subset(parts[1]));
    }

    /** As {@link #stratified(TensorDataset, long, double)}, as views of a dataset that reads its examples when asked. */
    public static TrainTestSplit<Dataset> stratified(Dataset data, long seed, double testFraction) {
        int[][] parts = stratifiedIndexes(data, seed, testFraction);
        return new TrainTestSplit<>(data.subset(parts[0]), data.subset(parts[1]));
    }

    private static int[][] stratifiedIndexes(Dataset data, long seed, double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be strictly between 0 and 1, got " + testFraction);
        }
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        int classes = 0;
        for (int label : labels) {
            if (label < 0) {
                throw new IllegalArgumentException("A stratified split needs labels >= 0, found " + label);
            }
            classes = Math.max(classes, label + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random random = new Random(seed);
        boolean[] inTest = new boolean[labels.length];
        int testSize = 0;
        for (List<Integer> members : byClass) {
            // Fisher-Yates over the class's indexes; the first testCount after shuffling go to the test set.
            int[] shuffled = members.stream().mapToInt(Integer::intValue).toArray();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            int testCount = (int) Math.round(testFraction * shuffled.length);
            for (int i = 0; i < testCount; i++) {
                inTest[shuffled[i]] = true;
            }
            testSize += testCount;
        }
        if (testSize == 0 || testSize == labels.length) {
            throw new IllegalArgumentException("testFraction " + testFraction + " of " + labels.length
                    + " examples leaves the " + (testSize == 0 ? "test" : "training") + " set empty; choose a "
                    + (testSize == 0 ? "larger" : "smaller") + " fraction");
        }
        int[] train = new int[labels.length - testSize];
        int[] test = new int[testSize];
        int trainAt = 0;
        int testAt = 0;
        for (int i = 0; i < labels.length; i++) {
            if (inTest[i]) {
                test[testAt++] = i;
            } else {
                train[trainAt++] = i;
            }
        }
        return new int[][] {train, test};
    }
}
