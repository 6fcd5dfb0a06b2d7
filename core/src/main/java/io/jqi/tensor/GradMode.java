package io.jqi.tensor;

/**
 * Whether operations record the graph for {@link Tensor#backward()}. Off inside {@link Tensor#noGrad()}, and while a
 * backward pass runs. Per thread.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope in which no graph is recorded; closing it restores the previous mode. */
    public static Scope disabled() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = false;
        return () -> flag[0] = previous;
    }

    /** An {@link AutoCloseable} that throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
