package io.jqi.data;

import java.util.SplittableRandom;

/** Some examples of another dataset, optionally transformed: {@link Dataset#subset} and {@link Dataset#transformed}. */
final class DatasetView implements Dataset {
    private final Dataset source;
    private final int[] indexes;
    private final Transform transform;

    private DatasetView(Dataset source, int[] indexes, Transform transform) {
        this.source = source;
        this.indexes = indexes;
        this.transform = transform;
    }

    static DatasetView of(Dataset source, int[] indexes, Transform transform) {
        int n = source.size();
        for (int index : indexes) {
            DatasetIndex.check(index, n);
        }
        return new DatasetView(source, indexes.clone(), transform);
    }

    @Override
    public int size() {
        return indexes.length;
    }

    @Override
    public Example get(int index) {
        Example example = source.get(indexes[index]);
        return transform == null ? example : transform.apply(example, new SplittableRandom(index));
    }

    @Override
    public int label(int index) {
        return source.label(indexes[index]);
    }
}
