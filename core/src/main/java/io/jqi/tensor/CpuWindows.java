package io.jqi.tensor;

import java.util.Arrays;

/**
 * Sliding-window kernels on the CPU: im2col and its adjoint col2im for convolution, and max and average pooling.
 * Work is split so that every output element has exactly one writer: im2col over (matrix row, sample) segments, and
 * everything that scatters back onto the input (col2im, pooling gradients) over whole (sample, channel) planes,
 * which one thread accumulates in a fixed window order. Results are therefore bit-identical whatever the thread
 * count.
 */
final class CpuWindows {
    private CpuWindows() {
    }

    static float[] im2col(float[] x, Window2d w) {
        int batch = w.batch();
        int plane = w.outHeight() * w.outWidth();
        int columns = batch * plane;
        int rows = w.channels() * w.kernelSize();
        float[] out = new float[rows * columns];
        // A row at a time, every image: row r is one stretch of out, and its geometry is worked out once.
        Parallel.forRange(rows, columns, (from, to) -> {
            for (int r = from; r < to; r++) {
                unfold(x, w, 0, batch, r, 0, plane, out, r * columns);
            }
        });
        return out;
    }

    /**
     * The im2col matrix of image {@code n} alone, {@code [channels * kernelSize, outHeight * outWidth]}, written over
     * the start of {@code out} (which may hold anything); the same values as that image's columns of
     * {@link #im2col}.
     */
    static void im2colImage(float[] x, Window2d w, int n, float[] out) {
        int plane = w.outHeight() * w.outWidth();
        int rows = w.channels() * w.kernelSize();
        for (int r = 0; r < rows; r++) {
            unfold(x, w, n, r, 0, plane, out, r * plane);
        }
    }

    /**
     * Positions {@code [from, to)} of row {@code r} (channel, tap) of image {@code n}'s im2col matrix into
     * {@code out[dst...]}, every position written, padding as zeros, so a scratch needs no clearing first.
     */
    static void unfold(float[] x, Window2d w, int n, int r, int from, int to, float[] out, int dst) {
        unfold(x, w, n, 1, r, from, to, out, dst);
    }

    /**
     * {@link #unfold(float[], Window2d, int, int, int, int, float[], int)} for images {@code [n0, n0 + images)}, one
     * after another from {@code dst}: image {@code n0 + g}'s positions at {@code dst + g * (to - from)}. The row's
     * geometry is worked out once for all of them; for ResNet-18's 4x4 layers, whose rows hold 16 positions an image,
     * working it out for every image took a sixth of the forward.
     */
    static void unfold(float[] x, Window2d w, int n0, int images, int r, int from, int to, float[] out, int dst) {
        if (from >= to) {
            return;
        }
        int kh = w.kernelHeight();
        int kw = w.kernelWidth();
        int height = w.height();
        int width = w.width();
        int ow = w.outWidth();
        int c = r / (kh * kw);
        int rowShift = (r / kw) % kh * w.dilationHeight() - w.padHeight();
        int colShift = r % kw * w.dilationWidth() - w.padWidth();
        for (int g = 0; g < images; g++) {
            unfoldImage(x, w, (n0 + g) * w.channels() + c, rowShift, colShift, from, to, out, dst + g * (to - from),
                    height, width, ow);
        }
    }

    /** Plane {@code plane} of {@code x} shifted by the tap's {@code rowShift, colShift}: one image's row. */
    private static void unfoldImage(float[] x, Window2d w, int plane, int rowShift, int colShift, int from, int to,
            float[] out, int dst, int height, int width, int ow) {
        int src = plane * height * width;
        if (w.strideHeight() == 1 && w.strideWidth() == 1 && ow == width) {
            unfoldShifted(x, src, height * width, rowShift * width + colShift, colShift, from, to, out, dst,
                    Math.max(0, -rowShift) * width, Math.min(w.outHeight(), height - rowShift) * width, width);
            return;
        }
        for (int oy = from / ow; oy * ow < to; oy++) {
            // This output row's positions [a, b) land at out[dstRow + ox].
            int a = Math.max(0, from - oy * ow);
            int b = Math.min(ow, to - oy * ow);
            int dstRow = dst + oy * ow - from;
            int iy = oy * w.strideHeight() + rowShift;
            // Zeros written in plain loops: most pads are one value at a row's end, where calls to Arrays.fill
            // took 6% of a ResNet-18 step.
            if (iy < 0 || iy >= height) {
                for (int ox = a; ox < b; ox++) {
                    out[dstRow + ox] = 0f;
                }
                continue;
            }
            int srcRow = src + iy * width;
            if (w.strideWidth() == 1) {
                // The taps inside the row are one contiguous stretch of it.
                int lo = Math.min(b, Math.max(a, -colShift));
                int hi = Math.max(lo, Math.min(b, width - colShift));
                for (int ox = a; ox < lo; ox++) {
                    out[dstRow + ox] = 0f;
                }
                if (lo < hi) {
                    System.arraycopy(x, srcRow + lo + colShift, out, dstRow + lo, hi - lo);
                }
                for (int ox = hi; ox < b; ox++) {
                    out[dstRow + ox] = 0f;
                }
                continue;
            }
            for (int ox = a; ox < b; ox++) {
                int ix = ox * w.strideWidth() + colShift;
                out[dstRow + ox] = ix >= 0 && ix < width ? x[srcRow + ix] : 0f;
            }
        }
    }

    /**
     * {@link #unfoldImage} where the output is as wide as the input at stride 1 (a "same" convolution): position k
     * reads cell {@code k + shift} of the plane, so the rows inside the image are one copy, where a copy a row cost
     * a call for every 14 or 28 values. The window's columns outside the image, which that copy fills with the
     * neighbouring rows' cells, are cleared afterwards; so are the rows outside it. Positions {@code [inside,
     * insideEnd)} are those whose input row is in the image.
     */
    private static void unfoldShifted(float[] x, int src, int planeSize, int shift, int colShift, int from, int to,
            float[] out, int dst, int inside, int insideEnd, int width) {
        int base = dst - from;
        int lo = Math.min(to, Math.max(from, inside));
        int hi = Math.max(lo, Math.min(to, insideEnd));
        // Cells before the plane's first or after its last belong to columns outside the image.
        int a = Math.min(hi, Math.max(lo, -shift));
        int b = Math.max(a, Math.min(hi, planeSize - shift));
        clear(out, base, from, a);
        if (a < b) {
            System.arraycopy(x, src + a + shift, out, base + a, b - a);
        }
        clear(out, base, b, to);
        if (colShift == 0) {
            return;
        }
        // The window's columns outside the image: [0, -colShift) or [width - colShift, width) of each row.
        int first = colShift < 0 ? 0 : width - colShift;
        int last = first + Math.abs(colShift);
        for (int row = a / width * width; row < b; row += width) {
            clear(out, base, Math.max(a, row + first), Math.min(b, row + last));
        }
    }

    /** {@code out[base + k] = 0} for k in {@code [from, to)}; nothing where the range is empty or reversed. */
    private static void clear(float[] out, int base, int from, int to) {
        if (from < to) {
            Arrays.fill(out, base + from, base + to, 0f);
        }
    }

    static float[] col2im(float[] cols, Window2d w) {
        int plane = w.outHeight() * w.outWidth();
        int columns = w.batch() * plane;
        int planes = w.batch() * w.channels();
        float[] out = new float[planes * w.height() * w.width()];
        Parallel.forRange(planes, (long) w.kernelSize() * plane, (from, to) -> {
            for (int p = from; p < to; p++) {
                int n = p / w.channels();
                fold(cols, columns, n * plane, w, p % w.channels(), out, p * w.height() * w.width());
            }
        });
        return out;
    }

    /**
     * Adds the im2col rows of channels {@code [c0, c0 + count)} of image {@code n}, the rows of {@code cols}
     * ({@code count * kernelSize} of {@code columns}, this image's {@code outHeight * outWidth} from
     * {@code colOffset}), onto that image's planes of {@code out}, taps in window order: the adjoint of
     * {@link #im2colImage} for those channels, in {@link #col2im}'s order, so the same values.
     */
    static void col2imChannels(float[] cols, int columns, int colOffset, Window2d w, int n, int c0, int count,
            float[] out) {
        int planeSize = w.height() * w.width();
        for (int c = 0; c < count; c++) {
            fold(cols, columns, colOffset, w, c, out, (n * w.channels() + c0 + c) * planeSize);
        }
    }

    /**
     * Adds channel {@code c}'s rows of an im2col matrix ({@code columns} wide, this image's columns from
     * {@code colOffset}) onto the plane at {@code out[dst...]}, taps in window order.
     */
    private static void fold(float[] cols, int columns, int colOffset, Window2d w, int c, float[] out, int dst) {
        int kh = w.kernelHeight();
        int kw = w.kernelWidth();
        int height = w.height();
        int width = w.width();
        int oh = w.outHeight();
        int ow = w.outWidth();
        for (int ki = 0; ki < kh; ki++) {
            int rowShift = ki * w.dilationHeight() - w.padHeight();
            for (int kj = 0; kj < kw; kj++) {
                int colShift = kj * w.dilationWidth() - w.padWidth();
                int src = ((c * kh + ki) * kw + kj) * columns + colOffset;
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * w.strideHeight() + rowShift;
                    if (iy < 0 || iy >= height) {
                        continue;
                    }
                    int dstRow = dst + iy * width;
                    int srcRow = src + oy * ow;
                    if (w.strideWidth() == 1) {
                        int lo = Math.max(0, -colShift);
                        int hi = Math.min(ow, width - colShift);
                        int shifted = dstRow + colShift;
                        for (int ox = lo; ox < hi; ox++) {
                            out[shifted + ox] += cols[srcRow + ox];
                        }
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++) {
                        int ix = ox * w.strideWidth() + colShift;
                        if (ix >= 0 && ix < width) {
                            out[dstRow + ix] += cols[srcRow + ox];
                        }
                    }
                }
            }
        }
    }

    static float[] maxPool(float[] x, Window2d w, int[] argmax) {
        int height = w.height();
        int width = w.width();
        int oh = w.outHeight();
        int ow = w.outWidth();
        int plane = oh * ow;
        int planes = w.batch() * w.channels();
        float[] out = new float[planes * plane];
        boolean twoByTwo = w.kernelHeight() == 2 && w.kernelWidth() == 2 && w.strideHeight() == 2
                && w.strideWidth() == 2 && w.padHeight() == 0 && w.padWidth() == 0 && w.dilationHeight() == 1
                && w.dilationWidth() == 1 && 2 * oh <= height && 2 * ow <= width;
        Parallel.forRange(planes, (long) plane * w.kernelSize(), (from, to) -> {
            for (int p = from; p < to; p++) {
                int src = p * height * width;
                if (twoByTwo) {
                    maxPlane2x2(x, src, width, oh, ow, out, p * plane, argmax, to * plane);
                    continue;
                }
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * w.strideHeight() - w.padHeight();
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * w.strideWidth() - w.padWidth();
                        // Padding is -infinity: it can never beat a real cell, so it is simply skipped.
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        for (int ki = 0; ki < w.kernelHeight(); ki++) {
                            int iy = y0 + ki * w.dilationHeight();
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            for (int kj = 0; kj < w.kernelWidth(); kj++) {
                                int ix = x0 + kj * w.dilationWidth();
                                if (ix < 0 || ix >= width) {
                                    continue;
                                }
                                int at = iy * width + ix;
                                float v = x[src + at];
                                // Strictly greater keeps the first maximum; a NaN wins and sticks, as in maxLastAxis.
                                if (bestAt < 0 || beats(v, best)) {
                                    best = v;
                                    bestAt = at;
                                }
                            }
                        }
                        int o = p * plane + oy * ow + ox;
                        out[o] = best;
                        if (argmax != null) {
                            argmax[o] = bestAt;
                        }
                    }
                }
            }
        });
        return out;
    }

    /**
     * {@link #maxPool} of one plane for the common 2x2 window of stride 2 without padding, dilation or partial
     * (ceil-mode) windows. The winner of the window's top pair and that of its bottom pair meet last, the top one
     * winning ties: the first maximum in window order all the same, since the top pair comes first. The comparisons
     * are integer arithmetic on the values' {@link #order}, giving masks that pick the winner's index, and the value
     * is read at that index: no branch and no select whose cost depends on the data. Float comparisons turned into
     * 0 or 1 became branches wherever C2's profile favoured a side, and then ran three times slower on the 4-bit
     * activations of QAT, whose zeros tie and never win, than on float ReLU outputs (docs/performance.md, seventh
     * pass). A window holding a NaN (or infinities of both signs) takes the comparisons of {@link #beats}. With the
     * Vector API, {@link VectorMaxPool} picks the same winners for a vector of windows at once, and may write past the
     * plane up to {@code limit}, the end of this thread's planes.
     */
    private static void maxPlane2x2(float[] x, int src, int width, int oh, int ow, float[] out, int o,
            int[] argmax, int limit) {
        if (VectorApi.ENABLED) {
            VectorMaxPool.plane(x, src, width, oh, ow, out, o, argmax, limit);
            return;
        }
        for (int oy = 0; oy < oh; oy++) {
            maxWindows2x2(x, src, width, oy, 0, ow, ow, out, o, argmax);
        }
    }

    /** {@link #maxPlane2x2}'s windows {@code [fromOx, toOx)} of output row {@code oy}. */
    static void maxWindows2x2(float[] x, int src, int width, int oy, int fromOx, int toOx, int ow, float[] out,
            int o, int[] argmax) {
        int top = 2 * oy * width;
        int row = o + oy * ow;
        for (int ox = fromOx; ox < toOx; ox++) {
            int at = top + 2 * ox;
            int t = src + at;
            int b = t + width;
            float topLeft = x[t];
            float topRight = x[t + 1];
            float bottomLeft = x[b];
            float bottomRight = x[b + 1];
            int winner;
            if (Float.isNaN(topLeft + topRight + bottomLeft + bottomRight)) {
                int right = beats(topRight, topLeft) ? 1 : 0;
                int belowRight = beats(bottomRight, bottomLeft) ? 1 : 0;
                int below = beats(x[b + belowRight], x[t + right]) ? 1 : 0;
                winner = right + below * (width + belowRight - right);
            } else {
                int a = order(topLeft);
                int r = order(topRight);
                int c = order(bottomLeft);
                int d = order(bottomRight);
                int right = above(a, r);
                int belowRight = above(c, d);
                int below = above(a ^ (right & (r ^ a)), c ^ (belowRight & (d ^ c)));
                int upAt = right & 1;
                winner = upAt ^ (below & ((width + (belowRight & 1)) ^ upAt));
            }
            out[row + ox] = x[t + winner];
            if (argmax != null) {
                argmax[row + ox] = at + winner;
            }
        }
    }

    /**
     * A non-NaN float's place in the order of values as an int: the sign-magnitude bits made two's complement, then
     * -0 moved onto +0 so that the two compare equal, as floats do.
     */
    private static int order(float v) {
        int bits = Float.floatToRawIntBits(v);
        int k = bits ^ ((bits >> 31) & 0x7fffffff);
        return k + (k >>> 31);
    }

    /** -1 (all bits) where order {@code b} is above order {@code a}, else 0; in long, where the difference fits. */
    private static int above(int a, int b) {
        return (int) (((long) a - b) >> 63);
    }

    /** Whether {@code v} replaces the window's best so far: strictly greater, or the first NaN. */
    private static boolean beats(float v, float best) {
        return v > best | v != v & best == best;
    }

    static float[] maxPoolBackward(float[] g, int[] argmax, Window2d w) {
        int area = w.height() * w.width();
        int plane = w.outHeight() * w.outWidth();
        int planes = w.batch() * w.channels();
        float[] out = new float[planes * area];
        Parallel.forRange(planes, plane, (from, to) -> {
            for (int p = from; p < to; p++) {
                for (int o = p * plane; o < (p + 1) * plane; o++) {
                    if (argmax[o] >= 0) {
                        out[p * area + argmax[o]] += g[o];
                    }
                }
            }
        });
        return out;
    }

    static float[] avgPool(float[] x, Window2d w) {
        int height = w.height();
        int width = w.width();
        int oh = w.outHeight();
        int ow = w.outWidth();
        int plane = oh * ow;
        int planes = w.batch() * w.channels();
        float[] out = new float[planes * plane];
        Parallel.forRange(planes, (long) plane * w.kernelSize(), (from, to) -> {
            for (int p = from; p < to; p++) {
                int src = p * height * width;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * w.strideHeight() - w.padHeight();
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * w.strideWidth() - w.padWidth();
                        // A global pool sums a whole plane; double keeps that as accurate as Tensor.mean.
                        double sum = 0;
                        int count = 0;
                        for (int ki = 0; ki < w.kernelHeight(); ki++) {
                            int iy = y0 + ki * w.dilationHeight();
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            for (int kj = 0; kj < w.kernelWidth(); kj++) {
                                int ix = x0 + kj * w.dilationWidth();
                                if (ix >= 0 && ix < width) {
                                    sum += x[src + iy * width + ix];
                                    count++;
                                }
                            }
                        }
                        out[p * plane + oy * ow + ox] = count == 0 ? 0f : (float) (sum / count);
                    }
                }
            }
        });
        return out;
    }

    static float[] avgPoolBackward(float[] g, Window2d w) {
        int height = w.height();
        int width = w.width();
        int oh = w.outHeight();
        int ow = w.outWidth();
        int plane = oh * ow;
        int planes = w.batch() * w.channels();
        float[] out = new float[planes * height * width];
        Parallel.forRange(planes, (long) plane * w.kernelSize(), (from, to) -> {
            for (int p = from; p < to; p++) {
                int dst = p * height * width;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * w.strideHeight() - w.padHeight();
                    int rowsIn = inside(y0, w.kernelHeight(), w.dilationHeight(), height);
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * w.strideWidth() - w.padWidth();
                        int count = rowsIn * inside(x0, w.kernelWidth(), w.dilationWidth(), width);
                        if (count == 0) {
                            continue;
                        }
                        float share = g[p * plane + oy * ow + ox] / count;
                        for (int ki = 0; ki < w.kernelHeight(); ki++) {
                            int iy = y0 + ki * w.dilationHeight();
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            for (int kj = 0; kj < w.kernelWidth(); kj++) {
                                int ix = x0 + kj * w.dilationWidth();
                                if (ix >= 0 && ix < width) {
                                    out[dst + iy * width + ix] += share;
                                }
                            }
                        }
                    }
                }
            }
        });
        return out;
    }

    /** How many of the taps {@code start + t * dilation}, {@code 0 <= t < kernel}, land inside {@code [0, size)}. */
    private static int inside(int start, int kernel, int dilation, int size) {
        int n = 0;
        for (int t = 0; t < kernel; t++) {
            int i = start + t * dilation;
            if (i >= 0 && i < size) {
                n++;
            }
        }
        return n;
    }
}
