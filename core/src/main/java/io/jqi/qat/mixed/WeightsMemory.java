package io.jqi.qat.mixed;

import io.jqi.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory a model's quantized kernels take at the widths they have, counted from its quantizers: what a
 * {@link WeightsMemoryBudget} limits. Biases and float layers are outside it, as in the budget.
 *
 * @param bits the kernels' memory, in bits: the sum of each kernel's values times its width
 * @param eightBitBits the same kernels' memory at 8 bits
 * @param bitsPerLayer each quantized kernel's width, keyed by layer (and {@code layer:attribute} for a second kernel
 *     of one layer), in the model's order
 */
public record WeightsMemory(long bits, long eightBitBits, Map<String, Integer> bitsPerLayer) {
    public WeightsMemory {
        bitsPerLayer = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bitsPerLayer));
    }

    /**
     * Counts the quantized kernels of {@code model}, a finalized or a QAT model; a quantizer that learns its width
     * counts at the width it would finalize to now.
     */
    public static WeightsMemory of(Module model) {
        long bits = 0;
        long weights = 0;
        Map<String, Integer> perLayer = new LinkedHashMap<>();
        for (QuantizedKernel k : QuantizedKernel.of(model)) {
            int b = k.bits();
            bits += k.weights() * b;
            weights += k.weights();
            perLayer.put(perLayer.containsKey(k.layer()) ? k.layer() + ":" + k.attribute() : k.layer(), b);
        }
        return new WeightsMemory(bits, weights * 8, perLayer);
    }

    /** The memory as a fraction of the 8-bit memory, the unit of {@link WeightsMemoryBudget#relativeTo8Bits}. */
    public double relativeTo8Bits() {
        return eightBitBits == 0 ? 0 : (double) bits / eightBitBits;
    }

    /** Whether the kernels fit {@code budget}. */
    public boolean fits(WeightsMemoryBudget budget) {
        return bits <= budget.bits(eightBitBits / 8);
    }
}
