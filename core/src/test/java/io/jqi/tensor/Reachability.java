package io.jqi.tensor;

import java.lang.ref.WeakReference;

/** For tests of what the autograd graph keeps: collect garbage until the references clear, or give up. */
final class Reachability {
    private Reachability() {
    }

    /** Runs the collector up to 20 times, 10 ms apart, until every reference is cleared. */
    static void collect(WeakReference<?>... references) throws InterruptedException {
        for (int i = 0; i < 20 && anyLeft(references); i++) {
            System.gc();
            Thread.sleep(10);
        }
    }

    private static boolean anyLeft(WeakReference<?>[] references) {
        for (WeakReference<?> r : references) {
            if (r.get() != null) {
                return true;
            }
        }
        return false;
    }
}
