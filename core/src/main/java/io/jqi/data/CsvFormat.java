package io.jqi.data;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Images in a CSV file, one per line: a class label and {@code channels * rows * cols} pixel values, channel by
 * channel and row-major within each (the {@code [C, H, W]} layout), separated by commas. The label comes first ({@link #labelFirst}, as in the common MNIST CSVs) or last ({@link #labelLast}, as in
 * the UCI digits). Files may be gzipped (the contents decide).
 *
 * <ul>
 *   <li>A first line whose first field is not a number is a header and skipped; blank lines are skipped.
 *   <li>Labels are whole numbers {@code >= 0} ({@code 3} or {@code 3.0}); pixels are numbers {@code >= 0}.
 *   <li>Pixels are divided by the value that means full intensity, so that they lie in [0, 1]. Give it with
 *       {@link #withMaxValue}; without it, it is guessed from the largest pixel in the file as the smallest of 1
 *       (already scaled), 16 (UCI digits) and 255 (8-bit images) that is not exceeded. The guess reads the whole
 *       file, so it is the same for every line; a file of faint images only would be guessed too small, which is
 *       what the explicit value is for.
 * </ul>
 *
 * <p>Any malformed line is a {@link DatasetFormatException} giving the file, the line number and what is wrong.
 */
public final class CsvFormat {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final int channels;
    private final int rows;
    private final int cols;
    private final boolean labelFirst;
    /** The value that becomes 1, or 0 to guess it from the data. */
    private final float maxValue;

    private CsvFormat(int channels, int rows, int cols, boolean labelFirst, float maxValue) {
        if (channels <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("Images need channels, rows and cols >= 1, got " + channels + "x" + rows
                    + "x" + cols);
        }
        if ((long) channels * rows * cols > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("Images of " + channels + "x" + rows + "x" + cols
                    + " values are too large for a tensor");
        }
        this.channels = channels;
        this.rows = rows;
        this.cols = cols;
        this.labelFirst = labelFirst;
        this.maxValue = maxValue;
    }

    /** Lines of {@code label,p1,...,pN} for images of {@code rows x cols} pixels. */
    public static CsvFormat labelFirst(int rows, int cols) {
        return labelFirst(1, rows, cols);
    }

    /** Lines of {@code label,v1,...,vN} for {@code [channels, rows, cols]} images (RGB: channels 3). */
    public static CsvFormat labelFirst(int channels, int rows, int cols) {
        return new CsvFormat(channels, rows, cols, true, 0f);
    }

    /**
     * Label-first lines of square images whose size is read off the file's first data line ({@code 1 + side^2}
     * fields), for CSVs given without their dimensions.
     */
    public static CsvFormat labelFirstSquare(Path file) throws IOException {
        return labelFirstSquare(file, 1);
    }

    /**
     * Label-first lines of square images of {@code channels} channels ({@code 1 + channels * side^2} fields), their
     * side read off the file's first data line.
     */
    public static CsvFormat labelFirstSquare(Path file, int channels) throws IOException {
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(DataFiles.open(file),
                StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                String[] fields = line.replace("\uFEFF", "").strip().split(",");
                if (fields.length <= 1 || !isNumber(fields[0].strip())) {
                    continue;
                }
                int pixels = fields.length - 1;
                int side = (int) Math.round(Math.sqrt((double) pixels / channels));
                if (channels * side * side != pixels) {
                    throw new DatasetFormatException(file.toString(), "line " + lineNumber + " has " + pixels
                            + " pixel values after its label, which is not " + (channels == 1 ? "a square image"
                            : channels + " channels of a square image") + "; give square images, label first");
                }
                return labelFirst(channels, side, side);
            }
        }
        throw new DatasetFormatException(file.toString(), "no data line (label first, then pixels) was found");
    }

    /** Lines of {@code p1,...,pN,label} for images of {@code rows x cols} pixels. */
    public static CsvFormat labelLast(int rows, int cols) {
        return labelLast(1, rows, cols);
    }

    /** Lines of {@code v1,...,vN,label} for {@code [channels, rows, cols]} images. */
    public static CsvFormat labelLast(int channels, int rows, int cols) {
        return new CsvFormat(channels, rows, cols, false, 0f);
    }

    /**
     * This format with pixels divided by {@code maxValue} (16 for UCI digits, 255 for 8-bit images) instead of a
     * guess; a pixel above it is an error.
     */
    public CsvFormat withMaxValue(float maxValue) {
        if (!(maxValue > 0) || Float.isInfinite(maxValue)) {
            throw new IllegalArgumentException("maxValue must be a positive finite number, got " + maxValue);
        }
        return new CsvFormat(channels, rows, cols, labelFirst, maxValue);
    }

    /** The examples of {@code file} as float32 {@code [n, channels, rows, cols]} in [0, 1] with their labels. */
    public TensorDataset read(Path file) throws IOException {
        try (InputStream in = DataFiles.open(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw DataFiles.explain(file.toString(), e);
        }
    }

    /**
     * As {@link #read(Path)}, from a stream (a resource, for example) that {@code source} names in messages. The
     * stream is read to its end but not closed.
     */
    public TensorDataset read(InputStream in, String source) throws IOException {
        try {
            return parse(DataFiles.decompressIfGzip(in), source);
        } catch (IOException e) {
            throw DataFiles.explain(source, e);
        }
    }

    private TensorDataset parse(InputStream in, String source) throws IOException {
        int pixels = channels * rows * cols;
        int fields = pixels + 1;
        int maxExamples = (int) (Shape.MAX_ELEMENTS / pixels);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        float[] values = new float[(int) Math.min((long) pixels * 256, (long) maxExamples * pixels)];
        int[] labels = new int[256];
        int n = 0;
        float largest = 0;
        boolean seenContent = false;
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                // A byte-order mark, as spreadsheet programs write; left in, it would hide a first data line.
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            if (!seenContent) {
                seenContent = true;
                int comma = line.indexOf(',');
                if (!isNumber(line.substring(0, comma < 0 ? line.length() : comma).trim())) {
                    continue;
                }
            }
            int found = 1;
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) == ',') {
                    found++;
                }
            }
            if (found != fields) {
                throw new DatasetFormatException(source, "line " + lineNumber + ": expected " + fields
                        + " comma-separated fields (a label and " + (channels == 1 ? "" : channels + "x") + rows + "x"
                        + cols + " = " + pixels + " pixels), found " + found);
            }
            if (n == maxExamples) {
                throw new DatasetFormatException(source, "line " + lineNumber + ": more than " + maxExamples
                        + " examples of " + pixels + " pixels, more than one tensor holds");
            }
            if (n == labels.length) {
                labels = Arrays.copyOf(labels, (int) Math.min(2L * n, maxExamples));
            }
            if ((long) (n + 1) * pixels > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(2L * values.length, (long) maxExamples * pixels));
            }
            int start = 0;
            int pixel = 0;
            for (int field = 0; field < fields; field++) {
                int end = line.indexOf(',', start);
                if (end < 0) {
                    end = line.length();
                }
                double value = parse(line, start, end);
                boolean isLabel = labelFirst ? field == 0 : field == fields - 1;
                boolean valid = isLabel
                        ? value >= 0 && value <= Integer.MAX_VALUE && value == Math.rint(value)
                        : value >= 0 && value <= (maxValue > 0 ? maxValue : Float.MAX_VALUE);
                if (!valid) {
                    throw new DatasetFormatException(source, "line " + lineNumber + ", field " + (field + 1) + ": "
                            + invalid(isLabel, line.substring(start, end).trim(), value));
                }
                if (isLabel) {
                    labels[n] = (int) value;
                } else {
                    values[n * pixels + pixel++] = (float) value;
                    largest = Math.max(largest, (float) value);
                }
                start = end + 1;
            }
            n++;
        }
        if (n == 0) {
            throw new DatasetFormatException(source, seenContent ? "holds a header line but no examples"
                    : "is empty; expected lines of a label and " + pixels + " pixel values");
        }
        float scale = maxValue > 0 ? maxValue : guessScale(largest, source);
        float[] scaled = new float[n * pixels];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = values[i] / scale;
        }
        return new TensorDataset(Tensor.wrap(scaled, Shape.of(n, channels, rows, cols)), Arrays.copyOf(labels, n));
    }

    private static float guessScale(float largest, String source) throws DatasetFormatException {
        for (float scale : new float[] {1f, 16f, 255f}) {
            if (largest <= scale) {
                return scale;
            }
        }
        throw new DatasetFormatException(source, "pixel values reach " + largest + ", above 255, so their scale"
                + " cannot be guessed; give the value that means full intensity with CsvFormat.withMaxValue");
    }

    /** What is wrong with a field that failed validation, for the message. */
    private String invalid(boolean isLabel, String text, double value) {
        if (isLabel) {
            return "the label \"" + text + "\" is not a whole number >= 0";
        }
        if (Double.isNaN(value) || value > Float.MAX_VALUE) {
            return "\"" + text + "\" is not a pixel value (a finite number >= 0)";
        }
        if (value < 0) {
            return "pixel value " + text + " is negative";
        }
        return "pixel value " + text + " is above the maximum " + maxValue + " this CSV format was given";
    }

    /**
     * The value of the field {@code line[from, to)}, NaN if it is not a number. Plain digit strings, nearly every
     * field of an image CSV, are parsed in place: a substring and {@link Double#parseDouble} per field would triple
     * the time to read MNIST.
     */
    private static double parse(String line, int from, int to) {
        while (from < to && Character.isWhitespace(line.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(line.charAt(to - 1))) {
            to--;
        }
        if (to > from && to - from <= 9) {
            int v = 0;
            int i = from;
            while (i < to && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
                v = 10 * v + (line.charAt(i++) - '0');
            }
            if (i == to) {
                return v;
            }
        }
        String text = line.substring(from, to);
        return isNumber(text) ? Double.parseDouble(text) : Double.NaN;
    }

    /**
     * Whether {@code text} is a decimal number. Stricter than {@link Double#parseDouble}, which also takes
     * {@code NaN}, {@code Infinity}, hexadecimal and a trailing {@code d} or {@code f}: none is a CSV pixel.
     */
    private static boolean isNumber(String text) {
        return NUMBER.matcher(text).matches();
    }
}
