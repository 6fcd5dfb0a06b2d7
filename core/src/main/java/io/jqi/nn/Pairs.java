package io.jqi.nn;

import java.util.Arrays;

/** The {h, w} pairs of the 2-D layers, checked when the layer is built rather than on its first forward pass. */
final class Pairs {
    private Pairs() {
    }

    /** A copy of {@code pair}, which must hold two values of at least {@code min}. */
    static int[] of(String layer, String name, int[] pair, int min) {
        if (pair == null || pair.length != 2) {
            throw new IllegalArgumentException(layer + ": " + name + " must be an int[] of 2 values {h, w} but is "
                    + Arrays.toString(pair));
        }
        if (pair[0] < min || pair[1] < min) {
            throw new IllegalArgumentException(layer + ": " + name + " " + Arrays.toString(pair) + " must be at least "
                    + min + " in both directions");
        }
        return pair.clone();
    }

    static int[] square(int value) {
        return new int[] {value, value};
    }
}
