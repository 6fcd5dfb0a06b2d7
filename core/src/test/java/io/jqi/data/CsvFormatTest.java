package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFormatTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("data.csv"), text);
    }

    /** Asserts that reading {@code text} as label-first 2x2 images fails naming the file and {@code expected}. */
    private void assertMalformed(String text, String expected) throws IOException {
        Path file = write(text);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvFormat.labelFirst(2, 2).withMaxValue(255).read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void labelFirstLinesAreReadAsImagesWithAChannelAxis() throws IOException {
        TensorDataset data = CsvFormat.labelFirst(2, 2).withMaxValue(255).read(write("3,0,51,102,255\n7,255,0,0,0\n"));
        assertEquals(Shape.of(2, 1, 2, 2), data.inputs().shape());
        assertArrayEquals(new int[] {3, 7}, data.labels());
        assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 1f}, data.get(0).input());
    }

    @Test
    void rgbLinesAreChannelPlanesInOrder() throws IOException {
        TensorDataset data = CsvFormat.labelFirst(3, 1, 2).withMaxValue(255).read(write("2,255,0,0,51,0,255\n"));
        assertEquals(Shape.of(1, 3, 1, 2), data.inputs().shape());
        assertArrayEquals(new float[] {1f, 0f, 0f, 0.2f, 0f, 1f}, data.get(0).input());
        Path short_ = write("2,255,0,0,51,0\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvFormat.labelFirst(3, 1, 2).read(short_));
        assertTrue(e.getMessage().contains("3x1x2 = 6 pixels"), e.getMessage());
    }

    @Test
    void labelLastLinesAreRead() throws IOException {
        TensorDataset data = CsvFormat.labelLast(1, 2).withMaxValue(16).read(write("8,16,4\n0,0,9\n"));
        assertArrayEquals(new int[] {4, 9}, data.labels());
        assertArrayEquals(new float[] {0.5f, 1f}, data.get(0).input());
    }

    @Test
    void aHeaderLineIsSkipped() throws IOException {
        TensorDataset data = CsvFormat.labelFirst(1, 2).withMaxValue(255).read(write("label,pixel0,pixel1\n1,0,0\n"));
        assertArrayEquals(new int[] {1}, data.labels());
    }

    @Test
    void blankLinesCrLfAndAByteOrderMarkAreTolerated() throws IOException {
        TensorDataset data = CsvFormat.labelFirst(1, 2).withMaxValue(255).read(write("\uFEFF1,0,0\r\n\r\n2, 3 ,4\r\n"));
        assertArrayEquals(new int[] {1, 2}, data.labels());
        assertArrayEquals(new float[] {3f / 255f, 4f / 255f}, data.get(1).input());
    }

    @Test
    void aLabelWrittenAsAWholeDecimalIsAccepted() throws IOException {
        TensorDataset data = CsvFormat.labelFirst(1, 1).read(write("3.0,0.5\n"));
        assertArrayEquals(new int[] {3}, data.labels());
    }

    @Test
    void theScaleIsGuessedFromTheLargestPixel() throws IOException {
        assertArrayEquals(new float[] {0.5f, 0.25f},
                CsvFormat.labelFirst(1, 2).read(write("0,0.5,0.25\n")).get(0).input());
        assertArrayEquals(new float[] {0.5f, 1f},
                CsvFormat.labelFirst(1, 2).read(write("0,8,16\n")).get(0).input());
        assertArrayEquals(new float[] {17f / 255f, 1f},
                CsvFormat.labelFirst(1, 2).read(write("0,17,255\n")).get(0).input());
    }

    @Test
    void pixelsAbove255NeedAnExplicitScale() throws IOException {
        Path file = write("0,1000,2\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvFormat.labelFirst(1, 2).read(file));
        assertTrue(e.getMessage().contains("withMaxValue"), e.getMessage());
        assertArrayEquals(new float[] {1f, 0.002f}, CsvFormat.labelFirst(1, 2).withMaxValue(1000).read(file).get(0)
                .input());
    }

    @Test
    void aPixelAboveTheGivenMaximumGivesItsLineAndField() throws IOException {
        assertMalformed("1,0,0,0,0\n1,0,0,256,0\n", "line 2, field 4: pixel value 256 is above the maximum 255");
    }

    @Test
    void aLineWithTooFewFieldsGivesItsNumber() throws IOException {
        assertMalformed("1,0,0,0,0\n2,0,0,0\n", "line 2: expected 5 comma-separated fields (a label and 2x2 = 4"
                + " pixels), found 4");
    }

    @Test
    void aLineWithTooManyFieldsGivesItsNumber() throws IOException {
        assertMalformed("label,a,b,c,d\n1,0,0,0,0,0\n", "line 2: expected 5 comma-separated fields");
    }

    @Test
    void aPixelThatIsNotANumberGivesItsLineAndField() throws IOException {
        assertMalformed("1,0,0,0,0\n1,0,x,0,0\n", "line 2, field 3: \"x\" is not a pixel value");
    }

    @Test
    void anEmptyPixelIsAnError() throws IOException {
        assertMalformed("1,0,,0,0\n", "line 1, field 3: \"\" is not a pixel value");
    }

    @Test
    void notANumberAndInfinityAreNotPixelValues() throws IOException {
        assertMalformed("1,0,NaN,0,0\n", "line 1, field 3");
        assertMalformed("1,0,Infinity,0,0\n", "line 1, field 3");
        assertMalformed("1,0,1e999,0,0\n", "line 1, field 3");
    }

    @Test
    void aNegativePixelIsAnError() throws IOException {
        assertMalformed("1,0,-3,0,0\n", "line 1, field 3: pixel value -3 is negative");
    }

    @Test
    void aFractionalLabelIsAnError() throws IOException {
        assertMalformed("1,0,0,0,0\n2.5,0,0,0,0\n", "line 2, field 1: the label \"2.5\" is not a whole number >= 0");
    }

    @Test
    void aNegativeLabelIsAnError() throws IOException {
        assertMalformed("1,0,0,0,0\n-1,0,0,0,0\n", "line 2, field 1: the label \"-1\"");
    }

    @Test
    void anEmptyFileIsAnError() throws IOException {
        assertMalformed("", "is empty");
    }

    @Test
    void aHeaderWithoutExamplesIsAnError() throws IOException {
        assertMalformed("label,a,b,c,d\n", "holds a header line but no examples");
    }

    @Test
    void aGzippedCsvIsRead() throws IOException {
        Path file = Files.write(dir.resolve("data.csv.gz"),
                IdxFilesTest.gzip("5,1,2,3,4\n".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new int[] {5}, CsvFormat.labelFirst(2, 2).withMaxValue(4).read(file).labels());
    }

    @Test
    void aStreamIsNamedBySourceInMessages() {
        ByteArrayInputStream in = new ByteArrayInputStream("1,2\n".getBytes(StandardCharsets.US_ASCII));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvFormat.labelFirst(2, 2).read(in, "my stream"));
        assertTrue(e.getMessage().startsWith("my stream: line 1:"), e.getMessage());
    }

    @Test
    void manyLinesGrowTheBuffers() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append(i % 10).append(',').append(i % 256).append('\n');
        }
        TensorDataset data = CsvFormat.labelFirst(1, 1).withMaxValue(255).read(write(text.toString()));
        assertEquals(1000, data.size());
        assertEquals(9, data.get(999).label());
        assertEquals((999 % 256) / 255f, data.get(999).input()[0]);
    }

    @Test
    void aNonPositiveMaxValueIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CsvFormat.labelFirst(2, 2).withMaxValue(0));
        assertThrows(IllegalArgumentException.class, () -> CsvFormat.labelFirst(2, 2).withMaxValue(Float.NaN));
    }

    @Test
    void emptyImagesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> CsvFormat.labelFirst(0, 2));
    }

    @Test
    void squareImagesTakeTheirSizeFromTheFirstDataLine() throws IOException {
        Path file = write("label,p1,p2,p3,p4\n3,0,51,102,255\n7,255,0,0,0\n");
        TensorDataset data = CsvFormat.labelFirstSquare(file).read(file);
        assertEquals(Shape.of(2, 1, 2, 2), data.inputs().shape());
    }

    @Test
    void aLineThatIsNotASquareImageIsAnErrorWithItsLineNumber() throws IOException {
        Path file = write("3,0,51,102\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CsvFormat.labelFirstSquare(file));
        assertTrue(e.getMessage().contains("line 1 has 3 pixel values"), e.getMessage());
    }
}
