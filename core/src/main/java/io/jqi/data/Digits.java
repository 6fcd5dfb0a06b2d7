package io.jqi.data;

import java.io.IOException;
import java.io.InputStream;

/**
 * The embedded default dataset: 1,797 handwritten digits of 8x8 pixels from the UCI "Optical Recognition of
 * Handwritten Digits" set (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0; see {@code DIGITS-LICENSE.txt} beside
 * {@code digits.csv.gz} in this package). It ships inside jqi, so examples and tests run with no download: each image
 * counts, in 4x4 blocks of a 32x32 bitmap, the pixels that are ink (0..16), and each class has 174 to 183 examples.
 */
public final class Digits {
    /** The number of examples. */
    public static final int SIZE = 1797;
    /** Image height and width in pixels. */
    public static final int ROWS = 8;
    public static final int COLS = 8;
    /** The digits 0..9. */
    public static final int CLASSES = 10;

    static final String RESOURCE = "digits.csv.gz";

    private Digits() {}

    /**
     * All 1,797 examples as float32 {@code [1797, 1, 8, 8]}, each block count divided by 16 so that values lie in
     * [0, 1], with labels 0..9, in the order of the file.
     */
    public static TensorDataset load() {
        return Holder.DIGITS;
    }

    /**
     * A deterministic stratified split of {@link #load()}: see {@link TrainTestSplit#stratified}. For example
     * {@code split(seed, 0.2)} holds out 360 examples, 36 of each digit give or take rounding.
     */
    public static TrainTestSplit<TensorDataset> split(long seed, double testFraction) {
        return TrainTestSplit.stratified(load(), seed, testFraction);
    }

    /** Parses the resource once, on first use; a {@link TensorDataset} is immutable, so all callers share it. */
    private static final class Holder {
        static final TensorDataset DIGITS = read();

        private static TensorDataset read() {
            String source = "jqi resource io/jqi/data/" + RESOURCE;
            try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(source + " is missing from the class path; the jqi-core jar is"
                            + " incomplete, rebuild it");
                }
                TensorDataset data = CsvFormat.labelLast(ROWS, COLS).withMaxValue(16).read(in, source);
                if (data.size() != SIZE) {
                    throw new IllegalStateException(source + " holds " + data.size() + " examples, expected " + SIZE
                            + "; the jqi-core jar is damaged, rebuild it");
                }
                return data;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + source + " (" + e.getMessage()
                        + "); the jqi-core jar is damaged, rebuild it", e);
            }
        }
    }
}
