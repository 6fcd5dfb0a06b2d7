package io.jqi.cuda;

import static jcuda.jcublas.JCublas2.cublasGetProperty;
import static jcuda.jcublas.JCublas2.setExceptionsEnabled;

import jcuda.libraryPropertyType;

/**
 * Finds out once per JVM whether JCublas and the cuBLAS library it links ({@code libcublas.so.12}) load. It never
 * throws (short of a VirtualMachineError): JCublas' first call without the library throws UnsatisfiedLinkError and
 * every later one NoClassDefFoundError, so the first answer, with its reason, is the one kept.
 *
 * <p>Loading needs no GPU: the probe asks the library for its version, a host-only call. Whether a handle can be
 * created on the device is the context's question ({@link CudaContext#cublas()}).
 */
final class CublasProbe {
    private static CublasAvailability cached;

    private CublasProbe() {
    }

    /** The cached result; the first call loads JCublas. */
    static synchronized CublasAvailability probe() {
        if (cached == null) {
            cached = detect();
        }
        return cached;
    }

    private static CublasAvailability detect() {
        try {
            return Library.version();
        } catch (UnsatisfiedLinkError e) {
            return CublasAvailability.unavailable(unloadableLibrary(e));
        } catch (NoClassDefFoundError e) {
            return CublasAvailability.unavailable(missingClass(e));
        } catch (LinkageError e) {
            return CublasAvailability.unavailable("JCublas could not be linked: " + e.getClass().getName() + ": "
                    + firstLine(e));
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return CublasAvailability.unavailable("probing cuBLAS failed: " + e.getClass().getName() + ": "
                    + firstLine(e));
        }
    }

    /**
     * The only code here that names JCublas types: a class of its own, loaded on first use, so that a class path
     * without JCublas fails this call with NoClassDefFoundError instead of making the probe unloadable.
     */
    private static final class Library {
        static CublasAvailability version() {
            setExceptionsEnabled(true);
            int[] major = new int[1];
            int[] minor = new int[1];
            int[] patch = new int[1];
            cublasGetProperty(libraryPropertyType.MAJOR_VERSION, major);
            cublasGetProperty(libraryPropertyType.MINOR_VERSION, minor);
            cublasGetProperty(libraryPropertyType.PATCH_LEVEL, patch);
            return CublasAvailability.loaded("cuBLAS " + major[0] + "." + minor[0] + "." + patch[0] + " loaded");
        }
    }

    private static String missingClass(NoClassDefFoundError e) {
        String message = firstLine(e);
        if (message.startsWith("Could not initialize class")) {
            // JCublas' static initializer failed earlier in this JVM, outside this probe; that first error is lost.
            return "JCublas could not be initialized in this JVM (" + message + "): an earlier attempt to load "
                    + "libcublas.so.12 failed";
        }
        return "JCublas is not on the class path (missing " + message + "); add org.jcuda:jcublas and its natives "
                + "to the runtime class path to use cuBLAS";
    }

    /** JCuda's message is a page of nested stack traces; the line naming libcublas is the one that explains it. */
    private static String unloadableLibrary(UnsatisfiedLinkError e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.lines()
                .filter(line -> line.contains("libcublas"))
                .findFirst()
                .map(line -> "cuBLAS (libcublas.so.12) could not be loaded: "
                        + line.strip().replaceFirst("^java\\.lang\\.UnsatisfiedLinkError: ", "")
                        + "; install the CUDA 12 cuBLAS library (CUDA toolkit, or the nvidia-cublas-cu12 wheel) "
                        + "and put its directory on LD_LIBRARY_PATH to use it")
                .orElseGet(() -> "JCublas' native library could not be loaded: " + firstLine(e)
                        + "; put org.jcuda:jcublas-natives for this platform on the class path (JCuda may not "
                        + "support this operating system or architecture)");
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        return message.strip().lines().findFirst().orElse(message);
    }
}
