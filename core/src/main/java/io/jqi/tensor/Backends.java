package io.jqi.tensor;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The backend of each device: the CPU's is built in; others arrive as {@link Backend} services (the CUDA module), so
 * the core never links a native library. A provider that cannot be loaded (a missing class, a broken jar) is
 * skipped and remembered: the CPU backend keeps working, and asking for the missing device says what failed.
 */
public final class Backends {
    /** Enough to get past any realistic number of broken providers, without trusting the iterator to recover. */
    private static final int MAX_FAILURES = 16;
    private static final Map<Device, Backend> BACKENDS = new EnumMap<>(Device.class);
    private static final List<String> FAILURES = new ArrayList<>();

    static {
        BACKENDS.put(Device.CPU, CpuBackend.INSTANCE);
        Iterator<Backend> providers = ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).iterator();
        while (FAILURES.size() < MAX_FAILURES) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                Backend b = providers.next();
                BACKENDS.putIfAbsent(b.device(), b);
            } catch (ServiceConfigurationError | LinkageError e) {
                FAILURES.add(e.toString());
            }
        }
    }

    private Backends() {
    }

    /** Routes {@code device} to {@code backend} (null: none), returning the one it replaces; see BackendSubstitution. */
    static synchronized Backend replace(Device device, Backend backend) {
        return backend == null ? BACKENDS.remove(device) : BACKENDS.put(device, backend);
    }

    public static Backend of(Device device) {
        Backend b = BACKENDS.get(device);
        if (b == null) {
            throw new IllegalStateException("No backend for " + device + " is available: jqi-cuda-kernels must be on the"
                    + " class path and a CUDA driver installed; use Device.CPU otherwise"
                    + (FAILURES.isEmpty() ? "" : ". Backend providers that failed to load: " + FAILURES));
        }
        return b;
    }
}
