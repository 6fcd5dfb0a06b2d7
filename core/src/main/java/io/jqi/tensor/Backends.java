package io.jqi.tensor;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The backend of each device: the CPU's is built in; others arrive as {@link Backend} services (the CUDA module), so
 * the core never links a native library.
 */
public final class Backends {
    private static final Map<Device, Backend> BACKENDS = new EnumMap<>(Device.class);

    static {
        BACKENDS.put(Device.CPU, CpuBackend.INSTANCE);
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            BACKENDS.putIfAbsent(b.device(), b);
        }
    }

    private Backends() {
    }

    public static Backend of(Device device) {
        Backend b = BACKENDS.get(device);
        if (b == null) {
            throw new IllegalStateException("No backend for " + device + " is available: jqi-cuda-kernels must be on the"
                    + " class path and a CUDA driver installed; use Device.CPU otherwise");
        }
        return b;
    }
}
