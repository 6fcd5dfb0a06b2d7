package io.jqi.tensor;

/** Where a tensor's storage lives. Backends other than the CPU are found at run time. */
public enum Device {
    CPU,
    CUDA
}
