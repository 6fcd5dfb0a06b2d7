package io.jqi.cuda;

import java.util.Objects;

/**
 * Whether jqi can run its CUDA kernels in this JVM, and why not when it cannot.
 *
 * @param available   true when the jar bundles PTX and the CUDA driver sees at least one device
 * @param reason      one line for people: what was found, or what is missing and what to change
 * @param deviceCount the CUDA devices the driver reports; 0 when unavailable
 */
public record CudaAvailability(boolean available, String reason, int deviceCount) {

    public CudaAvailability {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a CUDA availability needs a non-blank reason");
        }
        if (available != deviceCount > 0) {
            throw new IllegalArgumentException("available=" + available + " contradicts deviceCount=" + deviceCount);
        }
    }

    static CudaAvailability withDevices(int deviceCount) {
        return new CudaAvailability(true, deviceCount + " CUDA device(s) visible", deviceCount);
    }

    static CudaAvailability unavailable(String reason) {
        return new CudaAvailability(false, reason, 0);
    }
}
