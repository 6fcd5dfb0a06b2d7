package io.jqi.ptq;

/**
 * The smallest and largest finite values of an array and how many are not finite (with one of them, for messages),
 * found by scanning {@link Chunks} in parallel: min, max and a count do not depend on the order.
 */
record ValueRange(float min, float max, int nonFinite, float oneNonFinite) {
    static ValueRange of(float[] values) {
        int n = values.length;
        int chunks = Chunks.count(n);
        ValueRange[] parts = new ValueRange[chunks];
        Chunks.forEach(chunks, n, k -> {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            int bad = 0;
            float example = 0f;
            for (int i = k * Chunks.SIZE, end = Math.min(n, i + Chunks.SIZE); i < end; i++) {
                float v = values[i];
                if (Float.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                } else {
                    bad++;
                    example = v;
                }
            }
            parts[k] = new ValueRange(lo, hi, bad, example);
        });
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        int bad = 0;
        float example = 0f;
        for (ValueRange part : parts) {
            lo = Math.min(lo, part.min);
            hi = Math.max(hi, part.max);
            if (part.nonFinite > 0 && bad == 0) {
                example = part.oneNonFinite;
            }
            bad += part.nonFinite;
        }
        return new ValueRange(lo, hi, bad, example);
    }
}
