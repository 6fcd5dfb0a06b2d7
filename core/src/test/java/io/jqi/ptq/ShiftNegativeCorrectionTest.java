package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Add;
import io.jqi.nn.AddConstant;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.GraphModel;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.Module;
import io.jqi.nn.Pad;
import io.jqi.nn.Sequential;
import io.jqi.nn.SiLU;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shift-negative correction (docs/quantizer-contract.md#shift-negative-correction) in PTQ. */
class ShiftNegativeCorrectionTest {
    private static final PtqConfig SNC = PtqConfig.defaults().withShiftNegativeCorrection(true);
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();

    /**
     * LeakyReLU(0.01) keeps a negative tail of about 1% of the positive range, well inside the 5% ratio: one feeds a
     * padded convolution without a bias, the other a dense layer through pooling and flattening.
     */
    private static Sequential model() {
        Random random = new Random(4);
        return new Sequential(new Conv2D(1, 6, 3, 1, 0, random), new LeakyReLU(0.01f),
                new Conv2D(6, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false,
                        random),
                new LeakyReLU(0.01f), new GlobalAvgPool2D(), new Flatten(), new Dense(6, 3, true, random));
    }

    private static List<Tensor> data() {
        Random random = new Random(7);
        return List.of(Tensor.randn(random, 8, 1, 10, 10).mul(3f), Tensor.randn(random, 8, 1, 10, 10).mul(3f));
    }

    private static Map<String, Module> nodes(GraphModel model) {
        Map<String, Module> nodes = new LinkedHashMap<>();
        model.nodeNames().forEach(n -> nodes.put(n, model.node(n)));
        return nodes;
    }

    @Test
    void theShiftIsTheSmallestUnsignedGridPointAtLeastTheNegativeMinimum() {
        // The contract's worked example T20: SiLU's minimum -0.279, threshold 8, 8 bits: 9 steps of 2^-5.
        assertEquals(0.28125f, ShiftNegativeCorrection.shift(-0.279f, 8f, 8));
        assertEquals(0.0625f, ShiftNegativeCorrection.shift(-0.0625f, 8f, 8), "a minimum on the grid is the shift");
    }

    @Test
    void theParameterSearchTakesTheShiftAndThresholdOfLeastHistogramError() {
        // A LeakyReLU-like histogram; the search against every candidate scored here with plain loops.
        Random random = new Random(3);
        float[] values = new float[5000];
        for (int i = 0; i < values.length; i++) {
            double v = random.nextGaussian() * 2;
            values[i] = (float) (v < 0 ? 0.05 * v : v);
        }
        Histogram h = Histogram.of(values);
        double[] edges = h.edges();
        double[] counts = h.counts();
        float threshold = 4f;
        int bits = 4;
        double least = Double.POSITIVE_INFINITY;
        ShiftNegativeCorrection.Choice expected = null;
        for (float t : new float[] {threshold, 2 * threshold}) {
            float step = t / 16f;
            for (int k = 0; k < 16; k++) {
                float shift = (float) (k * (t / 16.0));
                double sum = 0;
                for (int b = 0; b < counts.length; b++) {
                    float e = (float) edges[b] + shift;
                    float q = Math.min(Math.max((float) Math.rint(e / step), 0f), 15f) * step;
                    sum += counts[b] * ((double) q - e) * ((double) q - e);
                }
                if (sum / h.total() < least) {
                    least = sum / h.total();
                    expected = new ShiftNegativeCorrection.Choice(shift, t);
                }
            }
        }

        assertEquals(expected, ShiftNegativeCorrection.searched(h, threshold, bits));
    }

    @Test
    void theParameterSearchNeedsTheCorrectionItSearches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PtqConfig.defaults().withShiftNegativeParamsSearch(true));
        assertTrue(e.getMessage().contains("shift_negative_correction"), e.getMessage());
        assertFalse(SNC.withShiftNegativeParamsSearch(true).withShiftNegativeCorrection(false)
                .shiftNegativeParamsSearch(), "turning the correction off turns its search off");
    }

    @Test
    void ptqWithTheSearchShiftsByTheSearchedPointAndQuantizesAtTheSearchedThreshold() {
        // Without the search, the shift's grid keeps the non-linearity's threshold T: the search starts from it.
        float t = ((ActivationPOTInferableQuantizer) ((ActivationQuantizationHolder) Ptq.quantize(model(), data(),
                PLATFORM, SNC).node("1_shift" + QuantizationPlan.HOLDER_SUFFIX)).quantizer()).threshold();
        FlatGraph graph = FlatGraph.of(model());
        ValueStatistics leaky = new ValueStatistics("1", true);
        for (Tensor x : data()) {
            graph.run(new Tensor[] {x}, (name, v) -> {
                if (name.equals("1")) {
                    leaky.add(leaky.summarize(v));
                }
            });
        }
        ShiftNegativeCorrection.Choice expected = ShiftNegativeCorrection.searched(leaky.histogram(), t, 8);

        GraphModel searched = Ptq.quantize(model(), data(), PLATFORM, SNC.withShiftNegativeParamsSearch(true));
        var grid = (ActivationPOTInferableQuantizer) ((ActivationQuantizationHolder)
                searched.node("1_shift" + QuantizationPlan.HOLDER_SUFFIX)).quantizer();
        assertEquals(expected.shift(), ((AddConstant) searched.node("1_shift")).constant().item());
        assertEquals(expected.threshold(), grid.threshold());
    }

    @Test
    void theCorrectedGraphComputesTheSameFunctionInFloat() {
        FlatGraph graph = FlatGraph.of(model());
        Tensor x = data().get(0);
        List<float[]> before = new ArrayList<>();
        graph.run(new Tensor[] {x}, (name, v) -> {
            if (graph.outputs.contains(name)) {
                before.add(v.toFloatArray());
            }
        });
        Map<String, NodeRef> refs = new LinkedHashMap<>();
        Map<String, OpQuantization> ops = new LinkedHashMap<>();
        Map<String, ValueStatistics> stats = new LinkedHashMap<>();
        ActivationQuantization a8 = ActivationQuantization.of(io.jqi.quant.QuantizationMethod.POWER_OF_TWO, 8);
        graph.nodes.values().forEach(n -> {
            refs.put(n.name, new NodeRef(n.name, n.path, n.kind()));
            ops.put(n.name, OpQuantization.activationOnly(a8));
            stats.put(n.name, new ValueStatistics(n.name, true));
        });
        stats.put("input", new ValueStatistics("input", true));
        graph.run(new Tensor[] {x}, (name, v) -> stats.get(name).add(stats.get(name).summarize(v)));

        List<ShiftNegativeCorrection.Shift> shifts = ShiftNegativeCorrection.correct(graph, refs, ops, stats,
                name -> 8.0, false);

        assertEquals(List.of("1_shift", "3_shift"), shifts.stream().map(ShiftNegativeCorrection.Shift::node).toList());
        assertInstanceOf(Pad.class, graph.nodes.get("2_pad").module, "the padded convolution pads with the shift");
        assertEquals(16, ops.get("1").activation().bits(), "the non-linearity itself goes to 16 bits");
        assertEquals(Signedness.UNSIGNED, ops.get("1_shift").activation().signedness());
        List<float[]> after = new ArrayList<>();
        graph.run(new Tensor[] {x}, (name, v) -> {
            if (graph.outputs.contains(name)) {
                after.add(v.toFloatArray());
            }
        });
        for (int i = 0; i < before.get(0).length; i++) {
            assertEquals(before.get(0)[i], after.get(0)[i], 1e-4f, "output " + i);
        }
    }

    @Test
    void ptqQuantizesTheShiftUnsignedAtTheNonLinearitysThresholdAndTheNonLinearityAt16Bits() {
        GraphModel plain = Ptq.quantize(model(), data(), PLATFORM, PtqConfig.defaults());
        GraphModel corrected = Ptq.quantize(model(), data(), PLATFORM, SNC);
        Map<String, Module> nodes = nodes(corrected);

        assertFalse(nodes(plain).values().stream().anyMatch(m -> m instanceof AddConstant), "off by default");
        assertInstanceOf(AddConstant.class, nodes.get("1_shift"));
        var relu = (ActivationPOTInferableQuantizer) ((ActivationQuantizationHolder)
                nodes.get("1" + QuantizationPlan.HOLDER_SUFFIX)).quantizer();
        var shift = (ActivationPOTInferableQuantizer) ((ActivationQuantizationHolder)
                nodes.get("1_shift" + QuantizationPlan.HOLDER_SUFFIX)).quantizer();
        assertEquals(16, relu.numBits());
        assertEquals(8, shift.numBits());
        assertFalse(shift.signed());
        assertTrue(relu.signed());
    }

    @Test
    void qatStartsFromTheCorrectedModelAndFinalizesToIt() {
        io.jqi.qat.QatConfig config = io.jqi.qat.QatConfig.builder().ptq(SNC).build();
        GraphModel qat = io.jqi.qat.Qat.init(model(), data(), config, PLATFORM);
        GraphModel ptq = io.jqi.qat.Qat.ptq(model(), data(), config, PLATFORM);
        Tensor x = data().get(1);
        qat.eval();
        ptq.eval();
        try (var ignored = Tensor.noGrad()) {
            float[] expected = ptq.forward(x).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, qat.forward(x).toFloatArray());
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected,
                    io.jqi.qat.Qat.finalize(qat).forward(x).toFloatArray());
        }
        assertInstanceOf(AddConstant.class, nodes(qat).get("3_shift"));
    }

    @Test
    void aTailAbove5PercentOfTheThresholdOrANonLinearConsumerIsLeftAlone() {
        Random random = new Random(2);
        // SiLU's minimum is -0.278; inputs within +-3 give a threshold of 4, a ratio of 0.07.
        Module wide = new Sequential(new Dense(4, 4, true, random), new SiLU(), new Dense(4, 2, true, random));
        List<Tensor> small = List.of(Tensor.uniform(random, -3f, 3f, 64, 4));
        assertFalse(nodes(Ptq.quantize(wide, small, PLATFORM, SNC)).values().stream()
                .anyMatch(m -> m instanceof AddConstant));
        List<Tensor> large = List.of(small.get(0).mul(20f));    // a threshold of 32 or more: corrected
        assertTrue(nodes(Ptq.quantize(wide, large, PLATFORM, SNC)).values().stream()
                .anyMatch(m -> m instanceof AddConstant));

        GraphModel branch = GraphModel.builder().input("x")
                .node("a", new Dense(4, 4, true, random), "x")
                .node("act", new LeakyReLU(0.01f), "a")
                .node("sum", new Add(), "act", "a")
                .output("sum").build();
        assertFalse(nodes(Ptq.quantize(branch, small, PLATFORM, SNC)).values().stream()
                .anyMatch(m -> m instanceof AddConstant), "the shift must reach a linear layer");
    }
}
