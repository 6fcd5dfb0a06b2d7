package io.jqi.qat.mixed;

import io.jqi.ptq.ActivationSensitivity;
import io.jqi.ptq.WeightSensitivity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The outcome of a {@link MixedPrecision} search: the widths of every quantized kernel and activation it chose, the
 * budgets and the resources used, and the sensitivities the choice came from.
 *
 * @param bits the chosen width per kernel's layer, in the model's order; empty when the search kept the kernels' widths
 * @param activationBits the chosen width per quantized activation (keyed by the node whose output it is, or the model
 *     input), in the model's order; empty when the search kept the activations' widths
 * @param resources the budgets and what the chosen widths use
 * @param layers the kernels' measured sensitivities, per layer and candidate
 * @param activations the activations' measured sensitivities, per value and candidate
 */
public record MixedPrecisionPlan(Map<String, Integer> bits, Map<String, Integer> activationBits, Resources resources,
        List<WeightSensitivity.Layer> layers, List<ActivationSensitivity.Value> activations) {
    public MixedPrecisionPlan {
        bits = Collections.unmodifiableMap(new LinkedHashMap<>(bits));
        activationBits = Collections.unmodifiableMap(new LinkedHashMap<>(activationBits));
        layers = List.copyOf(layers);
        activations = List.copyOf(activations);
    }

    /**
     * The budgets (null where none was given) and what the chosen widths use. Memories are in bits, the activation
     * memory per example ({@link ActivationMemory}); bit operations are per example.
     *
     * @param weightsBudget the weights memory budget
     * @param weights the chosen kernels' memory: {@code sum weights[l] * bits[l]}
     * @param activationBudget the activation memory budget
     * @param activation the chosen activations' memory, the largest cut of values held at once; 0 when the search
     *     kept the activations' widths
     * @param eightBitActivation the same activations' memory at 8 bits
     * @param totalBudget the budget on both memories together ({@code weights + activation})
     * @param bitOpsBudget the bit-operations budget
     * @param bitOps the chosen widths' bit operations: {@code sum macs[l] * bits[l] * inputBits[l]}
     */
    public record Resources(Long weightsBudget, long weights, Long activationBudget, long activation,
            long eightBitActivation, Long totalBudget, Long bitOpsBudget, long bitOps) {
    }

    /** The memory of the same kernels at 8 bits, in bits. */
    public long eightBitBits() {
        return layers.stream().mapToLong(l -> l.weights() * 8).sum();
    }

    /** The bit operations per example of the same layers with 8-bit weights and 8-bit activations. */
    public long eightBitOps() {
        return layers.stream().mapToLong(l -> l.macs() * 64).sum();
    }

    /** Tables of the kernels and activations, their candidates' sensitivities and chosen bits, and the resources. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (!layers.isEmpty()) {
            table(s, "layer | weights", layers.stream().map(l -> new Row(l.layer() + " | " + l.weights(),
                    bits.get(l.layer()), l.bits(), l.errors())).toList());
        }
        if (!activations.isEmpty()) {
            table(s, "activation", activations.stream().map(v -> new Row(v.value(), activationBits.get(v.value()),
                    v.bits(), v.errors())).toList());
        }
        Resources r = resources;
        if (!layers.isEmpty()) {
            s.append(String.format(Locale.ROOT, "weights memory %d bytes%s (%.3f of 8 bits)", (r.weights() + 7) / 8,
                    r.weightsBudget() == null ? "" : " of " + r.weightsBudget() / 8 + " allowed",
                    r.weights() / (double) eightBitBits()));
        }
        if (!activations.isEmpty()) {
            s.append(s.isEmpty() || s.charAt(s.length() - 1) == '\n' ? "" : "; ").append(String.format(Locale.ROOT,
                    "activation memory %d bytes per example%s (%.3f of 8 bits)", (r.activation() + 7) / 8,
                    r.activationBudget() == null ? "" : " of " + r.activationBudget() / 8 + " allowed",
                    r.activation() / (double) r.eightBitActivation()));
        }
        if (r.totalBudget() != null) {
            s.append(String.format(Locale.ROOT, "; total memory %d bytes of %d allowed",
                    (r.weights() + r.activation() + 7) / 8, r.totalBudget() / 8));
        }
        if (r.bitOpsBudget() != null) {
            s.append(String.format(Locale.ROOT, "; bit operations %d of %d allowed per example (%.3f of 8 bits)",
                    r.bitOps(), r.bitOpsBudget(), r.bitOps() / (double) eightBitOps()));
        }
        return s.toString();
    }

    private record Row(String head, Integer chosen, int[] bits, double[] errors) {
    }

    /** One table: a column per width any row may take, in first-seen order; "-" where a row cannot take it. */
    private static void table(StringBuilder s, String head, List<Row> rows) {
        List<Integer> widths = rows.stream().flatMapToInt(r -> java.util.Arrays.stream(r.bits())).distinct().boxed()
                .toList();
        s.append("| ").append(head).append(" | bits |");
        for (int b : widths) {
            s.append(" sensitivity at ").append(b).append(" bits |");
        }
        s.append('\n');
        for (Row r : rows) {
            s.append("| ").append(r.head()).append(" | ").append(r.chosen()).append(" |");
            for (int b : widths) {
                int i = IntStream.range(0, r.bits().length).filter(c -> r.bits()[c] == b).findFirst().orElse(-1);
                s.append(' ').append(i < 0 ? "-" : String.format(Locale.ROOT, "%.3g", r.errors()[i])).append(" |");
            }
            s.append('\n');
        }
    }
}
