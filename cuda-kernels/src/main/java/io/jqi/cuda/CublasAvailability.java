package io.jqi.cuda;

import java.util.Objects;

/**
 * Whether cuBLAS can run jqi's matrix products in this JVM, and why not when it cannot.
 *
 * @param available true when JCublas and {@code libcublas.so.12} load (and, once a context exists, a handle works)
 * @param reason    one line for people: the library version found, or what is missing and what to change
 */
record CublasAvailability(boolean available, String reason) {

    CublasAvailability {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a cuBLAS availability needs a non-blank reason");
        }
    }

    static CublasAvailability loaded(String reason) {
        return new CublasAvailability(true, reason);
    }

    static CublasAvailability unavailable(String reason) {
        return new CublasAvailability(false, reason);
    }
}
