package io.jqi.tensor;

/** Storage in a Java float array; only the CPU backend touches the array. */
final class CpuStorage implements Storage {
    private final float[] data;

    CpuStorage(float[] data) {
        this.data = data;
    }

    float[] data() {
        return data;
    }

    float get(int i) {
        return data[i];
    }

    @Override
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public float[] toHostArray() {
        return data.clone();
    }
}
