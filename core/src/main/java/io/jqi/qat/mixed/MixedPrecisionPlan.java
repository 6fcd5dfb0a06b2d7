package io.jqi.qat.mixed;

import io.jqi.ptq.WeightSensitivity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a {@link MixedPrecision} search: the weight bits of every quantized kernel, the budgets and the
 * resources used, and the sensitivities the choice came from.
 *
 * @param bits the chosen width per layer, in the model's order
 * @param budgetBits the weights memory budget, in bits, or null without one
 * @param usedBits the chosen kernels' memory, in bits: {@code sum weights[l] * bits[l]}
 * @param bitOpsBudget the bit-operations budget per example, or null without one
 * @param usedBitOps the chosen widths' bit operations per example: {@code sum macs[l] * bits[l] * inputBits[l]}
 * @param layers the measured sensitivities, per layer and candidate
 */
public record MixedPrecisionPlan(Map<String, Integer> bits, Long budgetBits, long usedBits, Long bitOpsBudget,
        long usedBitOps, List<WeightSensitivity.Layer> layers) {
    public MixedPrecisionPlan {
        bits = Collections.unmodifiableMap(new LinkedHashMap<>(bits));
        layers = List.copyOf(layers);
    }

    /** The memory of the same kernels at 8 bits, in bits. */
    public long eightBitBits() {
        return layers.stream().mapToLong(l -> l.weights() * 8).sum();
    }

    /** The bit operations per example of the same layers with 8-bit weights and 8-bit activations. */
    public long eightBitOps() {
        return layers.stream().mapToLong(l -> l.macs() * 64).sum();
    }

    /** A table of the layers, their sizes, candidates' sensitivities and chosen bits, and the memory against the budget. */
    @Override
    public String toString() {
        if (layers.isEmpty()) {
            return "no quantized kernels";
        }
        // One column per width any layer may take, in first-seen order; "-" where a layer cannot take it.
        List<Integer> widths = layers.stream().flatMapToInt(l -> java.util.Arrays.stream(l.bits())).distinct().boxed()
                .toList();
        StringBuilder s = new StringBuilder("| layer | weights | bits |");
        for (int b : widths) {
            s.append(" sensitivity at ").append(b).append(" bits |");
        }
        s.append('\n');
        for (WeightSensitivity.Layer l : layers) {
            s.append("| ").append(l.layer()).append(" | ").append(l.weights()).append(" | ").append(bits.get(l.layer()))
                    .append(" |");
            for (int b : widths) {
                int i = java.util.stream.IntStream.range(0, l.bits().length).filter(c -> l.bits()[c] == b).findFirst()
                        .orElse(-1);
                s.append(' ').append(i < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3g", l.errors()[i]))
                        .append(" |");
            }
            s.append('\n');
        }
        s.append(String.format(java.util.Locale.ROOT, "weights memory %d bytes%s (%.3f of 8 bits)", (usedBits + 7) / 8,
                budgetBits == null ? "" : " of " + budgetBits / 8 + " allowed", usedBits / (double) eightBitBits()));
        if (bitOpsBudget != null) {
            s.append(String.format(java.util.Locale.ROOT, "; bit operations %d of %d allowed per example (%.3f of 8 "
                    + "bits)", usedBitOps, bitOpsBudget, usedBitOps / (double) eightBitOps()));
        }
        return s.toString();
    }
}
