package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How the CPU's broadcasting and reducing kernels split a walk into runs. */
class StridedRunsTest {
    @Test
    void aChannelBroadcastMergesTheTrailingPlaneIntoOneRun() {
        // x [2, 3, 4, 5] + bias [1, 3, 1, 1]: runs are whole 4x5 planes, the bias constant along each.
        StridedRuns runs = new StridedRuns(new int[] {2, 3, 4, 5}, new int[] {60, 20, 5, 1}, new int[] {0, 1, 0, 0});
        assertEquals(20, runs.length());
        assertEquals(6, runs.count());
        assertEquals(1, runs.step(0));
        assertEquals(0, runs.step(1));
    }

    @Test
    void cursorsVisitEveryRunInRowMajorOrder() {
        StridedRuns runs = new StridedRuns(new int[] {2, 3, 4, 5}, new int[] {60, 20, 5, 1}, new int[] {0, 1, 0, 0});
        StridedRuns.Cursor c = runs.cursor(0);
        for (int r = 0; r < runs.count(); r++) {
            assertEquals(r * 20, c.offset(0));
            assertEquals(r % 3, c.offset(1));
            c.next();
        }
        StridedRuns.Cursor fromFour = runs.cursor(4);
        assertEquals(80, fromFour.offset(0));
        assertEquals(1, fromFour.offset(1));
    }

    @Test
    void aTransposedOperandKeepsRunsToTheLastAxisWithItsStride() {
        // Reading a [3, 4] matrix transposed: out [4, 3], source strides {1, 4}.
        StridedRuns runs = new StridedRuns(new int[] {4, 3}, new int[] {1, 4});
        assertEquals(3, runs.length());
        assertEquals(4, runs.count());
        assertEquals(4, runs.step(0));
    }

    @Test
    void axesOfExtentOneNeverBreakARun() {
        StridedRuns runs = new StridedRuns(new int[] {3, 1, 4}, new int[] {4, 99, 1});
        assertEquals(12, runs.length());
        assertEquals(1, runs.count());
    }

    @Test
    void anEmptyShapeHasNoRunsAndAScalarHasOne() {
        assertEquals(0, new StridedRuns(new int[] {2, 0, 3}, new int[] {0, 3, 1}).count());
        StridedRuns emptyOuter = new StridedRuns(new int[] {0, 3}, new int[] {0, 1});
        assertEquals(0, emptyOuter.count());
        assertEquals(0, emptyOuter.cursor(0).offset(0));
        StridedRuns scalar = new StridedRuns(new int[0], new int[0]);
        assertEquals(1, scalar.count());
        assertEquals(1, scalar.length());
    }
}
