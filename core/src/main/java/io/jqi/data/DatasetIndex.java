package io.jqi.data;

/** The one check, and message, for an example index outside a dataset. */
final class DatasetIndex {
    private DatasetIndex() {
    }

    /** Throws unless {@code 0 <= index < size}. */
    static void check(int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Index " + index + " is outside a dataset of " + size + " examples");
        }
    }
}
