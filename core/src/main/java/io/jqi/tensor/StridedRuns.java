package io.jqi.tensor;

/**
 * A walk over every element of a row-major shape, split into runs along which each operand's offset moves by a
 * fixed step: the trailing axes are merged into one run for as long as every operand's stride continues its run
 * (contiguous data moves by 1, a broadcast operand by 0). The CPU's broadcasting, reducing and permuting kernels
 * loop over runs with plain indexed loops instead of stepping a multi-index per element; the element order is the
 * row-major order either way.
 */
final class StridedRuns {
    private final int length;
    private final int count;
    private final int[] outerDims;
    private final int[][] outerStrides;
    private final int[] steps;

    /** The runs of {@code dims}, with one stride array (0 on broadcast axes) per operand. */
    StridedRuns(int[] dims, int[]... strides) {
        int rank = dims.length;
        steps = new int[strides.length];
        int first = rank;
        int run = 1;
        if (rank > 0) {
            first = rank - 1;
            run = dims[first];
            for (int k = 0; k < strides.length; k++) {
                steps[k] = strides[k][first];
            }
            while (first > 0 && continues(dims, strides, first - 1, run)) {
                first--;
                run *= dims[first];
            }
        }
        length = run;
        outerDims = java.util.Arrays.copyOf(dims, first);
        outerStrides = new int[strides.length][];
        int total = 1;
        for (int d = 0; d < first; d++) {
            total *= dims[d];
        }
        count = run == 0 ? 0 : total;
        for (int k = 0; k < strides.length; k++) {
            outerStrides[k] = java.util.Arrays.copyOf(strides[k], first);
        }
    }

    private boolean continues(int[] dims, int[][] strides, int axis, int run) {
        if (dims[axis] == 1) {
            return true;
        }
        for (int k = 0; k < strides.length; k++) {
            if (strides[k][axis] != steps[k] * run) {
                return false;
            }
        }
        return true;
    }

    /** Elements per run. */
    int length() {
        return length;
    }

    /** Number of runs; run r covers the row-major elements {@code [r * length, (r + 1) * length)}. */
    int count() {
        return count;
    }

    /** How far operand {@code k}'s offset moves from one element of a run to the next. */
    int step(int k) {
        return steps[k];
    }

    /** A cursor on run {@code run}, which {@link Cursor#next} moves to the following runs. */
    Cursor cursor(int run) {
        return new Cursor(run);
    }

    /** The operands' offsets at the start of one run. */
    final class Cursor {
        private final int[] index = new int[outerDims.length];
        private final int[] offsets = new int[outerStrides.length];

        private Cursor(int run) {
            int rest = run;
            for (int d = outerDims.length - 1; d >= 0; d--) {
                // An empty shape has no runs; its cursor (run 0) stays at the origin.
                if (outerDims[d] > 0) {
                    index[d] = rest % outerDims[d];
                    rest /= outerDims[d];
                }
            }
            for (int k = 0; k < offsets.length; k++) {
                for (int d = 0; d < index.length; d++) {
                    offsets[k] += index[d] * outerStrides[k][d];
                }
            }
        }

        /** Operand {@code k}'s offset at the start of the current run. */
        int offset(int k) {
            return offsets[k];
        }

        /** Moves to the next run. */
        void next() {
            for (int d = index.length - 1; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < offsets.length; k++) {
                    offsets[k] += outerStrides[k][d];
                }
                if (index[d] < outerDims[d]) {
                    return;
                }
                for (int k = 0; k < offsets.length; k++) {
                    offsets[k] -= outerStrides[k][d] * outerDims[d];
                }
                index[d] = 0;
            }
        }
    }
}
