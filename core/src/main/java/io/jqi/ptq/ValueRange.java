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
            int start = k * Chunks.SIZE;
            int end = Math.min(n, start + Chunks.SIZE);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            // First without looking for non-finite values, which took twice as long: an infinity or NaN shows in
            // the ends (NaN wins Math.min and max), and only then is the chunk scanned again.
            for (int i = start; i < end; i++) {
                lo = Math.min(lo, values[i]);
                hi = Math.max(hi, values[i]);
            }
            if (Float.isFinite(lo) && Float.isFinite(hi)) {
                parts[k] = new ValueRange(lo, hi, 0, 0f);
                return;
            }
            lo = Float.POSITIVE_INFINITY;
            hi = Float.NEGATIVE_INFINITY;
            int bad = 0;
            float example = 0f;
            for (int i = start; i < end; i++) {
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
