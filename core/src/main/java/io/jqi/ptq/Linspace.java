package io.jqi.ptq;

/** numpy's {@code linspace}, which the reference uses for histogram edges and search candidates. */
final class Linspace {
    private Linspace() {
    }

    /** {@code points} values {@code start + k * step}, the last exactly {@code stop} (at least two points). */
    static double[] of(double start, double stop, int points) {
        double[] out = new double[points];
        double step = (stop - start) / (points - 1);
        for (int k = 0; k < points; k++) {
            out[k] = start + k * step;
        }
        out[points - 1] = stop;
        return out;
    }
}
