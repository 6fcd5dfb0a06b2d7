package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.setExceptionsEnabled;

import jcuda.CudaException;

/**
 * Finds out once per JVM whether the CUDA kernels can run. It never throws (short of a VirtualMachineError): every
 * failure, including a missing driver library, becomes an unavailable {@link CudaAvailability} with its reason, so
 * that callers fall back to the CPU.
 */
public final class CudaProbe {
    private static CudaAvailability cached;

    private CudaProbe() {
    }

    /** The cached result; the first call loads JCuda and asks the driver. */
    public static synchronized CudaAvailability probe() {
        if (cached == null) {
            cached = detect();
        }
        return cached;
    }

    private static CudaAvailability detect() {
        try {
            if (PtxModules.names().isEmpty()) {
                return CudaAvailability.unavailable("this build has no PTX kernels: " + PtxModules.NOT_BUILT);
            }
            return Driver.countDevices();
        } catch (UnsatisfiedLinkError e) {
            return CudaAvailability.unavailable(unloadableLibrary(e));
        } catch (NoClassDefFoundError e) {
            return CudaAvailability.unavailable(missingClass(e));
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return CudaAvailability.unavailable("probing CUDA failed: " + e.getClass().getName() + ": "
                    + firstLine(e));
        }
    }

    /**
     * The only code here that names JCuda types. A class of its own, loaded on first use, so that a class path
     * without JCuda makes the call fail with NoClassDefFoundError instead of making CudaProbe unloadable.
     */
    private static final class Driver {
        static CudaAvailability countDevices() {
            try {
                setExceptionsEnabled(true);
                cuInit(0);
                int[] count = new int[1];
                cuDeviceGetCount(count);
                if (count[0] == 0) {
                    return CudaAvailability.unavailable("the CUDA driver reports no device; check nvidia-smi and "
                            + "CUDA_VISIBLE_DEVICES");
                }
                return CudaAvailability.withDevices(count[0]);
            } catch (CudaException e) {
                return CudaAvailability.unavailable("the CUDA driver could not be initialized: " + firstLine(e)
                        + "; check that a CUDA GPU is visible (nvidia-smi, CUDA_VISIBLE_DEVICES)");
            }
        }
    }

    private static String missingClass(NoClassDefFoundError e) {
        String message = firstLine(e);
        if (message.startsWith("Could not initialize class")) {
            // JCuda's static initializer failed earlier in this JVM, outside this probe; that first error is lost.
            return "JCuda could not be initialized in this JVM (" + message + "): an earlier attempt to load the "
                    + "CUDA driver failed";
        }
        return "JCuda is not on the class path (missing " + message + "); add org.jcuda:jcuda and its natives "
                + "to the runtime class path to use the GPU";
    }

    /** JCuda's message is a page of nested stack traces; the line naming libcuda is the one that explains it. */
    private static String unloadableLibrary(UnsatisfiedLinkError e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.lines()
                .filter(line -> line.contains("libcuda"))
                .findFirst()
                .map(line -> "no CUDA driver (libcuda.so.1) could be loaded: "
                        + line.replaceFirst("^java\\.lang\\.UnsatisfiedLinkError: ", "")
                        + "; install the NVIDIA driver to run jqi's kernels on a GPU")
                .orElseGet(() -> "JCuda's native library could not be loaded: " + firstLine(e)
                        + "; put org.jcuda:jcuda-natives for this platform on the class path (JCuda may not support "
                        + "this operating system or architecture)");
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        return message.strip().lines().findFirst().orElse(message);
    }
}
