package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;

/** For tests of what the autograd graph keeps: whether a value becomes garbage. */
final class Reachability {
    private Reachability() {
    }

    /**
     * Runs the collector until {@code values} is cleared (up to 20 times, 10 ms apart), and fails, naming
     * {@code what}, if it is not.
     */
    static void assertCollected(WeakReference<?> values, String what) throws InterruptedException {
        for (int i = 0; i < 20 && values.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(values.get(), what + " stayed reachable");
    }
}
