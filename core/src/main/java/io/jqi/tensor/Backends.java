package io.jqi.tensor;

import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p>The table is filled once, when the class loads, and only read afterwards: safe to use from any thread. It is
 * where {@link Tensor#to(Device)} finds a device's backend; a tensor's operations run on its storage's own backend
 * ({@link Storage#backend()}), so a backend that is not registered here (an emulated device in a test) is used by
 * moving tensors to it with {@link Tensor#to(Backend)} or {@code Module.to(Backend)}.
 */
public final class Backends {
    /** Enough to get past any realistic number of broken providers, without trusting the iterator to recover. */
    private static final int MAX_FAILURES = 16;
    private static final Map<Device, Backend> BACKENDS;
    private static final List<String> FAILURES;

    static {
        Map<Device, Backend> backends = new EnumMap<>(Device.class);
        List<String> failures = new ArrayList<>();
        backends.put(Device.CPU, CpuBackend.INSTANCE);
        Iterator<Backend> providers = ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).iterator();
        while (failures.size() < MAX_FAILURES) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                Backend b = providers.next();
                backends.putIfAbsent(b.device(), b);
            } catch (ServiceConfigurationError | LinkageError e) {
                failures.add(e.toString());
            }
        }
        BACKENDS = Collections.unmodifiableMap(backends);
        FAILURES = List.copyOf(failures);
    }

    private Backends() {
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
