package io.jqi.data;

import io.jqi.tensor.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A change to one example on its way into a batch: normalization, or training augmentation. Images are
 * {@code [C, H, W]}. A transform draws any randomness from the generator it is given, never from elsewhere, so that
 * a {@link DataLoader} that seeds that generator from its seed, the epoch and the example's index makes runs
 * repeatable and independent of batch order and threads.
 */
@FunctionalInterface
public interface Transform {
    Example apply(Example example, SplittableRandom random);

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return (example, random) -> next.apply(apply(example, random), random);
    }

    /**
     * {@code (x - mean[c]) / std[c]} per channel {@code c} of a {@code [C, H, W]} image; one mean and std serve every
     * channel. The torchvision models expect {@link #normalizeImagenet()}.
     */
    static Transform normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalize needs as many means as standard deviations (one per channel,"
                    + " or one for all), got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || Float.isInfinite(std[c])) {
                throw new IllegalArgumentException("normalize needs finite means and positive finite standard "
                        + "deviations, got mean " + mean[c] + ", std " + std[c] + " for channel " + c);
            }
        }
        float[] m = mean.clone();
        float[] s = std.clone();
        return (example, random) -> {
            Shape shape = example.shape();
            int channels = shape.rank() == 3 ? shape.dim(0) : 1;
            if (m.length != 1 && m.length != channels) {
                throw new IllegalArgumentException("normalize was given " + m.length + " channel means, but the "
                        + "example of shape " + shape + " has " + channels + " channels");
            }
            float[] x = example.input().clone();
            int plane = x.length / channels;
            for (int c = 0; c < channels; c++) {
                float mc = m[m.length == 1 ? 0 : c];
                float sc = s[s.length == 1 ? 0 : c];
                for (int i = c * plane; i < (c + 1) * plane; i++) {
                    x[i] = (x[i] - mc) / sc;
                }
            }
            return new Example(x, shape, example.label());
        };
    }

    /**
     * {@link #normalize} by ImageNet's RGB channel means {@code 0.485, 0.456, 0.406} and standard deviations
     * {@code 0.229, 0.224, 0.225} of inputs in [0, 1], as torchvision's pretrained models were trained.
     */
    static Transform normalizeImagenet() {
        return normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    /**
     * A random {@code size x size} window of the image padded with {@code padding} zeros on every side (CIFAR's usual
     * augmentation: {@code randomCrop(32, 4)}). Each window position is equally likely.
     */
    static Transform randomCrop(int size, int padding) {
        if (size <= 0 || padding < 0) {
            throw new IllegalArgumentException("randomCrop needs size >= 1 and padding >= 0, got " + size + " and "
                    + padding);
        }
        return (example, random) -> {
            int[] chw = imageDims(example, "randomCrop");
            int h = chw[1] + 2 * padding;
            int w = chw[2] + 2 * padding;
            if (size > h || size > w) {
                throw new IllegalArgumentException("randomCrop(" + size + ", " + padding + ") needs images of at "
                        + "least " + size + " pixels per side after padding, got " + example.shape());
            }
            int top = random.nextInt(h - size + 1) - padding;
            int left = random.nextInt(w - size + 1) - padding;
            float[] x = example.input();
            float[] out = new float[chw[0] * size * size];
            for (int c = 0; c < chw[0]; c++) {
                for (int y = 0; y < size; y++) {
                    int sy = top + y;
                    if (sy < 0 || sy >= chw[1]) {
                        continue;
                    }
                    for (int xx = 0; xx < size; xx++) {
                        int sx = left + xx;
                        if (sx >= 0 && sx < chw[2]) {
                            out[(c * size + y) * size + xx] = x[(c * chw[1] + sy) * chw[2] + sx];
                        }
                    }
                }
            }
            return new Example(out, Shape.of(chw[0], size, size), example.label());
        };
    }

    /** Mirrors the image left to right with probability {@code probability}. */
    static Transform horizontalFlip(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("horizontalFlip needs a probability in [0, 1], got " + probability);
        }
        return (example, random) -> {
            int[] chw = imageDims(example, "horizontalFlip");
            if (random.nextDouble() >= probability) {
                return example;
            }
            float[] x = example.input();
            float[] out = new float[x.length];
            int w = chw[2];
            for (int row = 0; row < chw[0] * chw[1]; row++) {
                for (int i = 0; i < w; i++) {
                    out[row * w + i] = x[row * w + w - 1 - i];
                }
            }
            return new Example(out, example.shape(), example.label());
        };
    }

    private static int[] imageDims(Example example, String name) {
        Shape shape = example.shape();
        if (shape.rank() != 3) {
            throw new IllegalArgumentException(name + " works on [C, H, W] images, got an example of shape " + shape
                    + (shape.rank() == 1 ? " (flat features)" : ""));
        }
        return Arrays.copyOf(shape.toArray(), 3);
    }
}
