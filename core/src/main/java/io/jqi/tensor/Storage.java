package io.jqi.tensor;

/**
 * The memory behind a tensor: a flat run of float32 values on one device. The tensor facade owns the shape;
 * storage knows only its length and device, so a device backend plugs in by implementing this interface.
 */
public interface Storage {
    Device device();

    int size();

    /** Copies the values to a new host array (a device-to-host transfer for device storage). */
    float[] toHostArray();
}
