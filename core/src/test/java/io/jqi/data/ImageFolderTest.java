package io.jqi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path root;

    private static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    private Path write(String relative, BufferedImage image, String format) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, format, file.toFile()), "ImageIO writes " + format);
        return file;
    }

    @Test
    void classesAreTheSortedSubfolderNamesAndLabelEveryImageInside() throws IOException {
        write("dog/a.png", solid(4, 4, 0), "png");
        write("cat/b.bmp", solid(4, 4, 0), "bmp");
        write("cat/c.png", solid(4, 4, 0), "png");
        Files.writeString(root.resolve("cat/notes.txt"), "not an image");
        ImageFolder folder = ImageFolder.open(root, ImageFolder.Options.rgb());
        assertEquals(List.of("cat", "dog"), folder.classes());
        assertEquals(3, folder.size());
        assertEquals(List.of(0, 0, 1), List.of(folder.label(0), folder.label(1), folder.label(2)));
        assertEquals(Shape.of(3, 4, 4), folder.get(2).shape());
    }

    @Test
    void rgbPixelsBecomeChannelPlanesInUnitRange() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF8000);
        image.setRGB(1, 0, 0x0000FF);
        write("only/x.png", image, "png");
        Example e = ImageFolder.open(root, ImageFolder.Options.rgb()).get(0);
        assertArrayEquals(new float[] {1f, 0f, 128 / 255f, 0f, 0f, 1f}, e.input());
    }

    @Test
    void grayscaleIsTheLuminanceOfRgb() throws IOException {
        write("only/x.png", solid(1, 1, 0x204060), "png");
        Example e = ImageFolder.open(root, ImageFolder.Options.grayscale()).get(0);
        float expected = 0.299f * (0x20 / 255f) + 0.587f * (0x40 / 255f) + 0.114f * (0x60 / 255f);
        assertEquals(expected, e.input()[0], 1e-7f);
    }

    @Test
    void resizeScalesTheShorterSideAndCenterCropCutsTheMiddle() throws IOException {
        // 40x20: left half red, right half blue; resized to 16 high it is 32x16, the central 16x16 crop is half each.
        BufferedImage image = solid(40, 20, 0xFF0000);
        for (int y = 0; y < 20; y++) {
            for (int x = 20; x < 40; x++) {
                image.setRGB(x, y, 0x0000FF);
            }
        }
        write("a/x.png", image, "png");
        ImageFolder folder = ImageFolder.open(root, ImageFolder.Options.rgb().resize(16).centerCrop(16));
        Example e = folder.get(0);
        assertEquals(Shape.of(3, 16, 16), e.shape());
        float[] x = e.input();
        assertEquals(1f, x[0], 1e-6f, "top-left is red");
        assertEquals(1f, x[2 * 256 + 15], 1e-6f, "top-right is blue");
        assertEquals(0f, x[256 + 100], 1e-6f, "no green anywhere");
    }

    @Test
    void jpegImagesDecodeCloseToTheirColour() throws IOException {
        write("a/x.jpg", solid(16, 16, 0x808080), "jpg");
        float[] x = ImageFolder.open(root, ImageFolder.Options.rgb()).get(0).input();
        for (float v : x) {
            assertEquals(128 / 255f, v, 3 / 255f);
        }
    }

    @Test
    void imagesOfMixedSizesWithoutResizeAreRefusedNamingTheFile() throws IOException {
        write("a/one.png", solid(4, 4, 0), "png");
        Path odd = write("b/two.png", solid(5, 4, 0), "png");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> ImageFolder.open(root, ImageFolder.Options.rgb()));
        assertTrue(e.getMessage().startsWith(odd.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("resize"), e.getMessage());
        assertEquals(Shape.of(3, 3, 3), ImageFolder.open(root, ImageFolder.Options.rgb().resize(3).centerCrop(3))
                .get(1).shape(), "resized, mixed sizes are fine");
    }

    @Test
    void anEmptyClassFolderIsRefused() throws IOException {
        write("a/one.png", solid(4, 4, 0), "png");
        Files.createDirectories(root.resolve("empty"));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> ImageFolder.open(root, ImageFolder.Options.rgb()));
        assertTrue(e.getMessage().contains("empty class folder"), e.getMessage());
    }

    @Test
    void imagesWithoutClassFoldersAreRefused() throws IOException {
        write("loose.png", solid(4, 4, 0), "png");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> ImageFolder.open(root, ImageFolder.Options.rgb()));
        assertTrue(e.getMessage().contains("loose.png"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAnImageIsRefusedAtOpen() throws IOException {
        write("a/good.png", solid(4, 4, 0), "png");
        Path bad = root.resolve("a/bad.png");
        Files.write(bad, "GIF89a but not really".getBytes());
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> ImageFolder.open(root, ImageFolder.Options.rgb()));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
    }

    @Test
    void aTruncatedImageFailsNamingTheFileInsteadOfGivingPartialPixels() throws IOException {
        for (String format : List.of("png", "jpg")) {
            Path dir = Files.createDirectories(root.resolve(format));
            Path file = dir.resolve("c/x." + format);
            Files.createDirectories(file.getParent());
            BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            java.util.Random random = new java.util.Random(1);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    noise.setRGB(x, y, random.nextInt());
                }
            }
            ImageIO.write(noise, format, file.toFile());
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
            Exception e = assertThrows(Exception.class, () -> ImageFolder.open(dir, ImageFolder.Options.rgb()).get(0));
            assertTrue(e instanceof DatasetFormatException || e instanceof UncheckedDatasetException, e.toString());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void aMissingRootSaysWhatItExpected() {
        IOException e = assertThrows(IOException.class,
                () -> ImageFolder.open(root.resolve("nowhere"), ImageFolder.Options.rgb()));
        assertTrue(e.getMessage().contains("subfolder"), e.getMessage());
    }
}
