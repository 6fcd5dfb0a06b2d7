package io.jqi.data;

/** A fixed, indexable collection of labelled examples, all of one shape. */
public interface Dataset {
    int size();

    /** The example at {@code index}, {@code 0 <= index < size()}. */
    Example get(int index);
}
