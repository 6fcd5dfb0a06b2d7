package io.jqi.ptq;

import io.jqi.nn.GraphModel;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How much each quantized kernel of a plan, alone at each candidate bit width, moves the model's outputs: the input of
 * a mixed-precision search. For layer {@code l} and bits {@code b}, the plan is built with only {@code l}'s kernel
 * quantized (its grid and granularity from the plan, its parameters chosen by PTQ's rules at {@code b} bits) and
 * everything else float, batch norms folded as in the plan; the sensitivity is the mean squared difference between its
 * outputs and the all-float outputs over the representative batches.
 *
 * <p>Why this measure: it scores what a user keeps (the outputs), needs only forward passes, and treats layers as
 * independent, so the search can add their scores; that additivity is the usual assumption of mixed-precision searches
 * (MCT's own sensitivity is a distance on chosen intermediate outputs, weighted by Hessian estimates). It costs one
 * forward pass over the batches per layer and candidate.
 */
public final class WeightSensitivity {
    private WeightSensitivity() {
    }

    /**
     * One quantized kernel: its layer, its number of weights, {@code errors[i]} for {@code bits[i]}, and what its bit
     * operations are made of.
     *
     * @param layer the node's name in the plan (and in the models it builds)
     * @param weights the kernel's element count
     * @param bits the candidates, as given
     * @param errors the sensitivity per candidate
     * @param macs the layer's multiply-accumulates per example
     * @param inputBits the bits of the activation it reads, 32 when that stays float
     */
    public record Layer(String layer, long weights, int[] bits, double[] errors, long macs, int inputBits) {
        /** A kernel whose bit operations are not counted. */
        public Layer(String layer, long weights, int[] bits, double[] errors) {
            this(layer, weights, bits, errors, 0, 0);
        }

        /** Bit operations per example at candidate {@code c}: {@code macs * bits[c] * inputBits}. */
        public long bitOps(int c) {
            return macs * bits[c] * inputBits;
        }
    }

    /**
     * The sensitivity of every quantized kernel of {@code plan} at every width of {@code bits}, in the plan's order;
     * with no {@code bits}, at the candidate widths its target platform declares for each kernel
     * ({@link WeightQuantization#candidateBits}).
     *
     * @throws IllegalArgumentException without data, without candidates, or with a width outside 1..16
     */
    public static List<Layer> measure(QuantizationPlan plan, Iterable<Tensor> data, PtqConfig config, int... bits) {
        return measure(plan, data, config, SensitivityProgress.NONE, bits);
    }

    /** {@link #measure(QuantizationPlan, Iterable, PtqConfig, int...)}, telling {@code progress} after every run. */
    public static List<Layer> measure(QuantizationPlan plan, Iterable<Tensor> data, PtqConfig config,
            SensitivityProgress progress, int... bits) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(config, "config");
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a sensitivity needs at least one representative batch");
        }
        GraphModel floatModel = plan.build(new Only(null, 0, config));
        List<float[]> reference = SensitivityRuns.outputs(floatModel, batches);
        Map<String, Tensor> values;
        try (var ignored = Tensor.noGrad()) {
            values = floatModel.forwardEveryNode(batches.get(0));
        }
        List<NodePlan> kernels = plan.nodes().stream().filter(NodePlan::quantizesWeights).toList();
        List<int[]> candidates = new ArrayList<>();
        for (NodePlan node : kernels) {
            int[] c = bits.length > 0 ? bits.clone()
                    : node.quantization().weights().candidateBits().stream().mapToInt(Integer::intValue).toArray();
            if (c.length == 0) {
                throw new IllegalArgumentException("layer " + node.ref() + ": the target platform declares no "
                        + "mixed-precision candidate widths for its kernel; give the candidates (candidate_bits)");
            }
            candidates.add(c);
        }
        int total = candidates.stream().mapToInt(c -> c.length).sum();
        int done = 0;
        List<Layer> layers = new ArrayList<>();
        for (int k = 0; k < kernels.size(); k++) {
            NodePlan node = kernels.get(k);
            int[] widths = candidates.get(k);
            double[] errors = new double[widths.length];
            long weights = 0;
            for (int i = 0; i < widths.length; i++) {
                Only source = new Only(node, widths[i], config);
                errors[i] = SensitivityRuns.meanSquaredDifference(reference,
                        SensitivityRuns.outputs(plan.build(source), batches));
                weights = source.weights;
                progress.measured("kernels", ++done, total);
            }
            // Each output value of a kernel layer takes one multiply-accumulate per kernel value of its channel.
            String name = node.ref().name();
            Tensor kernel = ((QuantizationWrapper) floatModel.node(name)).layer().namedParameters()
                    .get(node.quantization().kernelAttribute());
            Tensor out = values.get(name);
            long macs = out.numel() / out.shape().dim(0) * (kernel.numel() / kernel.shape().dim(0));
            int inputBits = plan.inputActivationBits(name);
            layers.add(new Layer(name, weights, widths, errors, macs, inputBits == 0 ? 32 : inputBits));
        }
        return layers;
    }

    /** Quantizes the kernel of {@code node} alone, at {@code bits}; every other quantizer passes values through. */
    private static final class Only implements QuantizerSource {
        private final NodePlan node;
        private final int bits;
        private final PtqConfig config;
        /** The kernel's element count, known once the built model has quantized it. */
        private long weights;

        Only(NodePlan node, int bits, PtqConfig config) {
            this.node = node;
            this.bits = bits;
            this.config = config;
        }

        @Override
        public FakeQuantizer weights(NodePlan n) {
            return n == node ? new Candidate() : new SensitivityRuns.PassThrough(QuantizationTarget.WEIGHTS);
        }

        @Override
        public FakeQuantizer activation(NodePlan n) {
            return new SensitivityRuns.PassThrough(QuantizationTarget.ACTIVATION);
        }

        /**
         * The node's kernel quantizer at {@code bits}: its parameters are chosen from the kernel it is first applied
         * to, which is the folded kernel of the built model.
         */
        private final class Candidate extends SensitivityRuns.PassThrough {
            private FakeQuantizer quantizer;

            Candidate() {
                super(QuantizationTarget.WEIGHTS);
            }

            @Override
            public Tensor apply(Tensor x, boolean training) {
                if (quantizer == null) {
                    WeightQuantization w = node.quantization().weights();
                    WeightQuantization at = w.withBits(bits);
                    NodePlan plan = new NodePlan(node.ref(), node.quantization().withWeights(at),
                            Ptq.weightParams(x, at, config, node.ref()), null);
                    quantizer = new InferableQuantizerSource().weights(plan);
                    weights = x.numel();
                }
                return quantizer.apply(x, training);
            }
        }
    }
}
