package io.jqi.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuWindows}'s 2x2 max pooling of stride 2 with JDK 17's incubating Vector API: the same winners for a vector
 * of windows at once.
 *
 * <p>A window's two cells of one row are adjacent floats: a long lane holds the pair, the left cell in its low half
 * (the API reinterprets lanes in little-endian order). Swapping the halves of each long puts every cell beside its
 * neighbour, so one comparison of floats tells each pair's left lane whether the right cell beats it, and the left
 * lanes go on to hold the pair's winner, then the window's; one narrowing of the longs to ints packs the windows'
 * winners side by side. Without NaNs, comparing floats is comparing the scalar loop's integer orders (both take -0
 * and +0 as equal), so strictly greater keeps the first maximum in window order, as there. A block of windows holding
 * a NaN (or infinities of both signs) goes to the scalar reference ({@link CpuWindows#maxWindows2x2}), whose
 * comparisons give NaNs their place; so do the last windows of a thread's last plane, where a whole vector would
 * write past its range. A block may run past its row's end, even past its plane's: the windows it writes there are
 * the next row's or plane's, written again when their turn comes, always by the same thread.
 *
 * <p>Few vector operations: C2 stops inlining a method whose expansion grows too large, and a vector passed to a call
 * it did not inline is boxed on the heap, which made a first version, with the scalar loop's integer orders, as slow
 * as the loop. Used only when {@link VectorApi#ENABLED} (docs/performance.md, ninth pass).
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** Windows per block: one per pair of floats. */
    static final int WINDOWS = FLOATS.length() / 2;

    private VectorMaxPool() {
    }

    /**
     * One plane: {@code out[o + oy * ow + ox]} (and {@code argmax}, the winner's index in the plane) for every window
     * of the {@code 2oh x 2ow} top-left corner of the plane at {@code x[src]}, {@code width} wide. Outputs past the
     * plane, below {@code limit}, may be overwritten: the caller writes them afterwards, on the same thread (the next
     * planes of its range).
     */
    static void plane(float[] x, int src, int width, int oh, int ow, float[] out, int o, int[] argmax, int limit) {
        for (int oy = 0; oy < oh; oy++) {
            int top = src + 2 * oy * width;
            int row = o + oy * ow;
            int ox = 0;
            // A block stores a whole vector (its windows, then zeros) and reads two: both stay inside.
            for (; ox < ow && row + ox + FLOATS.length() <= limit
                    && top + width + 2 * (ox + WINDOWS) <= x.length; ox += WINDOWS) {
                FloatVector upper = FloatVector.fromArray(FLOATS, x, top + 2 * ox);
                FloatVector lower = FloatVector.fromArray(FLOATS, x, top + width + 2 * ox);
                FloatVector sum = upper.add(lower);
                if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
                    CpuWindows.maxWindows2x2(x, src, width, oy, ox, Math.min(ow, ox + WINDOWS), ow, out, o, argmax);
                    continue;
                }
                FloatVector upperRight = swapped(upper);
                FloatVector lowerRight = swapped(lower);
                VectorMask<Float> right = upperRight.compare(VectorOperators.GT, upper);
                VectorMask<Float> belowRight = lowerRight.compare(VectorOperators.GT, lower);
                FloatVector upperBest = upper.blend(upperRight, right);
                FloatVector lowerBest = lower.blend(lowerRight, belowRight);
                VectorMask<Float> below = lowerBest.compare(VectorOperators.GT, upperBest);
                packed(upperBest.blend(lowerBest, below)).reinterpretAsFloats().intoArray(out, row + ox);
                if (argmax != null) {
                    // The winner's place in its window, as int bits in float lanes: blending only moves bits.
                    FloatVector step = bits(0).blend(bits(1), right).blend(bits(width).blend(bits(width + 1),
                            belowRight), below);
                    packed(step).add(IntVector.zero(INTS).addIndex(2)).add(top - src + 2 * ox)
                            .intoArray(argmax, row + ox);
                }
            }
            if (ox < ow) {
                CpuWindows.maxWindows2x2(x, src, width, oy, ox, ow, ow, out, o, argmax);
            }
        }
    }

    /** A vector of floats whose every lane holds the bits of {@code value}. */
    private static FloatVector bits(int value) {
        return IntVector.broadcast(INTS, value).reinterpretAsFloats();
    }

    /** Each pair's two floats swapped: every cell beside its neighbour. */
    private static FloatVector swapped(FloatVector v) {
        LongVector pairs = v.reinterpretAsLongs();
        return pairs.lanewise(VectorOperators.LSHL, 32).or(pairs.lanewise(VectorOperators.LSHR, 32))
                .reinterpretAsFloats();
    }

    /**
     * The left lane of each pair, side by side in the first half, zeros in the second: a narrowing to the same shape,
     * so that the store is the one the GEMM makes; a vector of another shape stored there made C2 give up its
     * intrinsic.
     */
    private static IntVector packed(FloatVector v) {
        return (IntVector) v.reinterpretAsLongs().convertShape(VectorOperators.L2I, INTS, 0);
    }
}
