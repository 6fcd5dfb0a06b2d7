package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against files NumPy wrote (src/test/resources/io/jqi/data/npy/README.md gives their formulas). */
class NpyFormatTest {
    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        try {
            return Path.of(NpyFormatTest.class.getResource("npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKerasStyleNpzGivesTrainingAndTestSetsWithChannelsLastTransposedToChw() throws IOException {
        TrainTestSplit<NpyFormat> split = NpyFormat.loadNpz(fixture("keras-style.npz"));
        assertEquals(4, split.train().size());
        assertEquals(2, split.test().size());
        Example e = split.train().get(1);
        assertEquals(Shape.of(3, 5, 6), e.shape());
        assertEquals(2, e.label());
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 5; h++) {
                for (int w = 0; w < 6; w++) {
                    float expected = ((100 + 10 * h + w + 50 * c) % 256) / 255f;
                    assertEquals(expected, e.input()[(c * 5 + h) * 6 + w], "c" + c + " h" + h + " w" + w);
                }
            }
        }
        assertEquals(List.of("x_test", "x_train", "y_test", "y_train"), NpyFormat.names(fixture("keras-style.npz")));
    }

    @Test
    void bigEndianFloatImagesAndColumnLabelsReadAsStored() throws IOException {
        NpyFormat data = NpyFormat.read(fixture("nchw-bigendian-f4.npy"), fixture("labels-u1-column.npy"));
        assertEquals(3, data.size());
        assertEquals(3, data.label(2));
        Example e = data.get(2);
        assertEquals(Shape.of(2, 4, 4), e.shape());
        assertEquals(2 - 0.5f + 0.75f - 0.25f, e.input()[(1 * 4 + 3) * 4 + 2]);
    }

    @Test
    void oneHotLabelsAreRefusedWithTheFix() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.read(fixture("nchw-bigendian-f4.npy"), fixture("onehot-labels.npy")));
        assertTrue(e.getMessage().contains("argmax"), e.getMessage());
    }

    @Test
    void float16AndFortranOrderAreRefusedWithTheFix() {
        DatasetFormatException half = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.read(fixture("float16.npy"), fixture("labels-u1-column.npy")));
        assertTrue(half.getMessage().contains("astype('float32')"), half.getMessage());
        DatasetFormatException fortran = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.read(fixture("fortran.npy"), fixture("labels-u1-column.npy")));
        assertTrue(fortran.getMessage().contains("ascontiguousarray"), fortran.getMessage());
    }

    @Test
    void aTruncatedArrayIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("nchw-bigendian-f4.npy"));
        Path cut = Files.write(tmp.resolve("cut.npy"), Arrays.copyOf(bytes, bytes.length - 8));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.read(cut, fixture("labels-u1-column.npy")));
        assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void imagesAndLabelsOfDifferentCountsAreRefused() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.readNpz(fixture("keras-style.npz"), "x_train", "y_test"));
        assertTrue(e.getMessage().contains("4 images but the labels are 2"), e.getMessage());
    }

    @Test
    void aMissingArrayNameListsTheArraysThere() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> NpyFormat.readNpz(fixture("keras-style.npz"), "images", "labels"));
        assertTrue(e.getMessage().contains("x_train"), e.getMessage());
    }

    @Test
    void aFileThatIsNotNpyIsRefused() throws IOException {
        Path text = Files.writeString(tmp.resolve("x.npy"), "hello, not numpy");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NpyFormat.read(text, text));
        assertTrue(e.getMessage().contains("NUMPY"), e.getMessage());
    }
}
