package io.jqi.data;

import io.jqi.tensor.Shape;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Images stored one class per subfolder, as torchvision's {@code ImageFolder} reads them: {@code root/cat/1.png},
 * {@code root/dog/x.jpg}. Classes are the subfolder names in sorted order, labelled 0, 1, ...; PNG, JPEG, BMP and
 * GIF files are read through {@link ImageIO}, other files are ignored.
 *
 * <p>Opening the folder reads every image's header (not its pixels): a file that is not a readable image, an empty
 * class folder or, without resizing, images of different sizes fail at once with a {@link DatasetFormatException}
 * naming the file. Pixels are decoded when {@link #get} asks for an example, so memory holds one batch, whatever the
 * dataset's size; a file that fails to decode then (truncated, corrupt) is an error naming it, never a blank image.
 *
 * <p>Each example is {@code [C, H, W]} in [0, 1]: RGB ({@code channels 3}) or luminance ({@code channels 1},
 * {@code 0.299 R + 0.587 G + 0.114 B}). {@link Options#resize} scales the shorter side to a length (bilinear, with
 * halving steps so that large reductions average rather than skip pixels), {@link Options#centerCrop} then cuts the
 * central square, torchvision's {@code Resize(256), CenterCrop(224)}.
 */
public final class ImageFolder implements Dataset {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    /** How images become examples: channels, and the optional resize and crop. */
    public record Options(int channels, int resize, int centerCrop) {
        public Options {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("images are read with 1 (luminance) or 3 (RGB) channels, got "
                        + channels);
            }
            if (resize < 0 || centerCrop < 0) {
                throw new IllegalArgumentException("resize and centerCrop must be >= 0 (0: none), got " + resize
                        + " and " + centerCrop);
            }
            if (resize > 0 && centerCrop > resize) {
                throw new IllegalArgumentException("centerCrop " + centerCrop + " is larger than the resized shorter"
                        + " side " + resize);
            }
        }

        /** RGB images at their stored size. */
        public static Options rgb() {
            return new Options(3, 0, 0);
        }

        /** Luminance images at their stored size. */
        public static Options grayscale() {
            return new Options(1, 0, 0);
        }

        /** These options with the shorter side scaled to {@code pixels}. */
        public Options resize(int pixels) {
            return new Options(channels, pixels, centerCrop);
        }

        /** These options cutting the central {@code pixels x pixels} square. */
        public Options centerCrop(int pixels) {
            return new Options(channels, resize, pixels);
        }
    }

    private final Path root;
    private final Options options;
    private final List<String> classes;
    private final Path[] files;
    private final int[] labels;
    private final Shape shape;

    private ImageFolder(Path root, Options options, List<String> classes, Path[] files, int[] labels, Shape shape) {
        this.root = root;
        this.options = options;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.shape = shape;
    }

    /** The images under {@code root}, checked as the class comment says. */
    public static ImageFolder open(Path root, Options options) throws IOException {
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString(), null, "no such directory; expected one subfolder of "
                    + "images per class");
        }
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root + ": is a file; expected a directory with one subfolder of images per"
                    + " class");
        }
        List<Path> classDirs = new ArrayList<>();
        List<Path> stray = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
                if (entry.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    classDirs.add(entry);
                } else if (isImage(entry)) {
                    stray.add(entry);
                }
            }
        }
        if (classDirs.isEmpty()) {
            throw new DatasetFormatException(root.toString(), "has no class subfolders"
                    + (stray.isEmpty() ? "" : " (it holds images such as " + stray.get(0).getFileName()
                    + " directly)") + "; put each class's images in a subfolder named after the class");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> images;
            try (Stream<Path> entries = Files.walk(dir)) {
                images = entries.filter(p -> Files.isRegularFile(p) && isImage(p)
                        && !p.getFileName().toString().startsWith(".")).sorted().toList();
            }
            if (images.isEmpty()) {
                throw new DatasetFormatException(dir.toString(), "is an empty class folder: it holds no PNG, JPEG, "
                        + "BMP or GIF image; remove it or add images");
            }
            for (Path image : images) {
                files.add(image);
                labels.add(classes.size());
            }
            classes.add(dir.getFileName().toString());
        }
        Path[] fileArray = files.toArray(Path[]::new);
        Shape shape = checkedShape(fileArray, options);
        return new ImageFolder(root, options, List.copyOf(classes), fileArray,
                labels.stream().mapToInt(Integer::intValue).toArray(), shape);
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /** The image file of example {@code index}. */
    public Path file(int index) {
        return files[index];
    }

    /** The shape of every example, {@code [C, H, W]}. */
    public Shape exampleShape() {
        return shape;
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Example get(int index) {
        try {
            return new Example(pixels(read(files[index]), options), shape, labels[index]);
        } catch (IOException e) {
            throw new UncheckedDatasetException(e);
        }
    }

    /** One image file as an example of {@code options}, without a folder: for predicting on single files. */
    public static float[] readImage(Path file, Options options) throws IOException {
        return pixels(read(file), options);
    }

    /** The {@code [C, H, W]} shape {@code file} becomes under {@code options}, from its header. */
    public static Shape imageShape(Path file, Options options) throws IOException {
        int[] size = header(file);
        return outputShape(size[0], size[1], options);
    }

    @Override
    public String toString() {
        return "ImageFolder " + root + " (" + files.length + " images, " + classes.size() + " classes, " + shape + ")";
    }

    private static boolean isImage(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Shape checkedShape(Path[] files, Options options) throws IOException {
        Shape first = null;
        for (Path file : files) {
            int[] size = header(file);
            Shape shape = outputShape(size[0], size[1], options);
            if (first == null) {
                first = shape;
            } else if (!first.equals(shape)) {
                throw new DatasetFormatException(file.toString(), "is " + size[0] + "x" + size[1] + " pixels (width x"
                        + " height) but " + files[0].getFileName() + " gives examples of " + first + "; images of "
                        + "mixed sizes need resizing: give a resize and a center crop (torchvision's 256 and 224)");
            }
        }
        return first;
    }

    private static Shape outputShape(int width, int height, Options options) {
        int w = width;
        int h = height;
        if (options.resize() > 0) {
            int[] scaled = scaledSize(width, height, options.resize());
            w = scaled[0];
            h = scaled[1];
        }
        if (options.centerCrop() > 0) {
            w = Math.min(w, options.centerCrop());
            h = Math.min(h, options.centerCrop());
        }
        return Shape.of(options.channels(), h, w);
    }

    /** Width and height with the shorter side {@code shorter}, the other scaled in proportion (rounded). */
    private static int[] scaledSize(int width, int height, int shorter) {
        if (width <= height) {
            return new int[] {shorter, Math.max(1, (int) Math.round((double) height * shorter / width))};
        }
        return new int[] {Math.max(1, (int) Math.round((double) width * shorter / height)), shorter};
    }

    /** Width and height from the file's header, or an error naming the file. */
    private static int[] header(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DatasetFormatException(file.toString(), "cannot be opened as an image");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetFormatException(file.toString(), "is not an image ImageIO can read (PNG, JPEG, BMP,"
                        + " GIF); its contents do not match any of these formats");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0 || (long) width * height > Shape.MAX_ELEMENTS / 3) {
                    throw new DatasetFormatException(file.toString(), "declares an image of " + width + "x" + height
                            + " pixels, which is empty or too large");
                }
                return new int[] {width, height};
            } finally {
                reader.dispose();
            }
        } catch (IIOException | IndexOutOfBoundsException e) {
            throw new DatasetFormatException(file.toString(), "is not a readable image: " + e.getMessage(), e);
        }
    }

    /** Decodes {@code file}, treating the decoder's warnings (a truncated JPEG, for one) as errors. */
    private static BufferedImage read(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DatasetFormatException(file.toString(), "is not an image ImageIO can read");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override
                public void warningOccurred(ImageReader source, String warning) {
                    warnings.add(warning);
                }
            });
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new DatasetFormatException(file.toString(), "is damaged: " + String.join("; ", warnings)
                            + "; copy the file again or remove it");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IIOException | RuntimeException e) {
            throw new DatasetFormatException(file.toString(), "cannot be decoded (truncated or corrupt?): "
                    + e.getMessage(), e);
        }
    }

    private static float[] pixels(BufferedImage image, Options options) {
        BufferedImage rgb = toRgb(image);
        if (options.resize() > 0) {
            int[] size = scaledSize(rgb.getWidth(), rgb.getHeight(), options.resize());
            rgb = scale(rgb, size[0], size[1]);
        }
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int cropW = options.centerCrop() > 0 ? Math.min(width, options.centerCrop()) : width;
        int cropH = options.centerCrop() > 0 ? Math.min(height, options.centerCrop()) : height;
        int left = (width - cropW) / 2;
        int top = (height - cropH) / 2;
        int[] argb = rgb.getRGB(left, top, cropW, cropH, null, 0, cropW);
        int plane = cropW * cropH;
        float[] out = new float[options.channels() * plane];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            float r = ((p >> 16) & 0xff) / 255f;
            float g = ((p >> 8) & 0xff) / 255f;
            float b = (p & 0xff) / 255f;
            if (options.channels() == 3) {
                out[i] = r;
                out[plane + i] = g;
                out[2 * plane + i] = b;
            } else {
                out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
            }
        }
        return out;
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    /** Bilinear scaling; reductions by more than two go in halving steps so that every source pixel contributes. */
    private static BufferedImage scale(BufferedImage image, int width, int height) {
        BufferedImage current = image;
        while (current.getWidth() / 2 >= width && current.getHeight() / 2 >= height) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        return current.getWidth() == width && current.getHeight() == height ? current : draw(current, width, height);
    }

    private static BufferedImage draw(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
