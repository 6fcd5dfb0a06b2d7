package io.jqi.cli.report

import io.jqi.nn.GraphModel
import io.jqi.nn.ReLU
import io.jqi.ptq.QuantizationPlan.HOLDER_SUFFIX
import io.jqi.ptq.TargetPlatform
import io.jqi.quant.FakeQuantizer
import io.jqi.quant.QuantizationTarget
import io.jqi.grid.RoundingMode
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer
import io.jqi.quant.QuantizerHost
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.tensor.Tensor
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import java.util.Random

class LayerRecordsSpec : FunSpec({

    test("a w2a3 PTQ model: one record per quantized node, thresholds equal to the quantizers'") {
        val model = Fixtures.quantize(Fixtures.cnn(Random(1)), Fixtures.w2a3Platform())
        val records = LayerRecords.of(model)

        // The input holder is its own record; the ReLUs' holders attach to the ReLUs; kernels to their wrappers
        // (Conv2D and Dense are fused with the following ReLU, so their own outputs are not quantized).
        records.map { it.name } shouldContainExactly listOf("input", "0", "1", "2", "3", "5", "6", "7")
        records.map { it.kind } shouldContainExactly
            listOf("input", "Conv2D", "ReLU", "Conv2D", "ReLU", "Dense", "ReLU", "Dense")

        for (r in records.filter { it.weights != null }) {
            val wrapper = model.node(r.name) as QuantizationWrapper
            val q = wrapper.weightQuantizers()["weight"] as WeightsSymmetricInferableQuantizer
            val w = r.weights!!
            w.thresholds shouldBe q.threshold().toList()
            w.bits shouldBe q.numBits()
            w.perChannel shouldBe q.perChannel()
            w.method shouldBe q.method().name
            w.rangeMin.shouldBeNull()
            val h = w.histogram.shouldNotBeNull()
            h.counts.size shouldBe LayerRecords.HISTOGRAM_BINS
            h.counts.sum() shouldBe wrapper.layer().namedParameters()["weight"]!!.numel().toLong()
        }
        val conv = records[1].weights!!
        conv.method shouldBe "SYMMETRIC"
        conv.bits shouldBe 2
        conv.perChannel shouldBe true
        conv.channelAxis shouldBe 0
        conv.thresholds!!.size shouldBe 8
        val dense = records[5].weights!!
        dense.method shouldBe "POWER_OF_TWO"
        dense.bits shouldBe 4
        dense.perChannel shouldBe false
        dense.channelAxis.shouldBeNull()
        (model.node("5") as QuantizationWrapper).weightQuantizers()["weight"]
            .let { it is WeightsPOTInferableQuantizer } shouldBe true

        for (r in records.filter { it.activation != null }) {
            val holder = model.node(r.name + HOLDER_SUFFIX) as ActivationQuantizationHolder
            val q = holder.quantizer() as ActivationPOTInferableQuantizer
            r.activation shouldBe ActivationRecord("POWER_OF_TWO", 3, signed = q.signed(), threshold = q.threshold())
        }
        records[0].activation!!.signed shouldBe false  // inputs in [0, 1)
        records[0].weights.shouldBeNull()
        records[1].activation.shouldBeNull()           // fused with the ReLU after it
    }

    test("uniform weights and activations are recorded as ranges") {
        val model = Fixtures.quantize(Fixtures.mlp(Random(2)), Fixtures.uniformPlatform())
        val records = LayerRecords.of(model)
        val dense = records.first { it.kind == "Dense" }
        val q = (model.node(dense.name) as QuantizationWrapper).weightQuantizers()["weight"]
            as WeightsUniformInferableQuantizer
        dense.weights!!.method shouldBe "UNIFORM"
        dense.weights.rangeMin shouldBe q.minRange().toList()
        dense.weights.rangeMax shouldBe q.maxRange().toList()
        dense.weights.thresholds.shouldBeNull()
        val act = records.first { it.activation != null }
        val aq = (model.node(act.name + HOLDER_SUFFIX) as ActivationQuantizationHolder).quantizer()
            as ActivationUniformInferableQuantizer
        act.activation shouldBe ActivationRecord("UNIFORM", 8, rangeMin = aq.minRange(), rangeMax = aq.maxRange())
    }

    test("the default platform's 8-bit model is read too") {
        val model = Fixtures.quantize(Fixtures.cnn(Random(3)), TargetPlatform.defaultPlatform())
        LayerRecords.of(model).filter { it.weights != null }.map { it.weights!!.bits } shouldContainExactly
            listOf(8, 8, 8, 8)
    }

    test("LUT weights are recorded with their thresholds, channels and bits") {
        val lut = floatArrayOf(-96f, -32f, 0f, 32f, 96f)
        val quantizers = listOf(
            WeightsLUTSymmetricInferableQuantizer(3, lut, floatArrayOf(0.3f, 0.7f, 0.5f), true, 0, 2, 8, 1e-8f),
            WeightsLUTPOTInferableQuantizer(3, lut, floatArrayOf(0.25f), false, null, null, 8, 1e-8f),
        )
        for (q in quantizers) {
            Fixtures.weightRecordOf(q).copy(grid = null, histogram = null) shouldBe WeightRecord(q.method().name,
                q.numBits(), q.perChannel(), q.channelAxis().let { if (it.isPresent) it.asInt else null },
                thresholds = q.threshold().toList())
        }
    }

    test("symmetric and LUT activations are recorded with their threshold and sign") {
        val symmetric = ActivationSymmetricInferableQuantizer(5, floatArrayOf(1.5f), true, RoundingMode.HALF_EVEN)
        val lut = ActivationLutPOTInferableQuantizer(2, floatArrayOf(0f, 40f, 90f, 200f), floatArrayOf(2f), false, 8,
            1e-8f)
        Fixtures.activationRecordOf(symmetric) shouldBe ActivationRecord("SYMMETRIC", 5, signed = true, threshold = 1.5f)
        Fixtures.activationRecordOf(lut) shouldBe ActivationRecord("LUT_POT", 2, signed = false, threshold = 2f)
    }

    test("a user's own inferable quantizer is recorded from its spec, its configuration and its grid") {
        Fixtures.weightRecordOf(TernaryWeights(floatArrayOf(0.2f, 0.8f, 0.4f))).copy(histogram = null) shouldBe
            WeightRecord("SYMMETRIC", 2, perChannel = true, channelAxis = 0, thresholds = listOf(0.2f, 0.8f, 0.4f),
                grid = GridRecord(channel = 2, levels = 3, values = listOf(-0.4f, 0f, 0.4f)))
    }

    test("a quantizer that is neither inferable nor trainable is recorded by class name with null parameters") {
        val model = GraphModel.builder().input("x")
            .node("relu", ReLU(), "x")
            .node("relu" + HOLDER_SUFFIX, ActivationQuantizationHolder(OddQuantizer), "relu")
            .output("relu" + HOLDER_SUFFIX).build()
        LayerRecords.of(model) shouldContainExactly
            listOf(LayerRecord("relu", "ReLU", activation = ActivationRecord(OddQuantizer.javaClass.name)))
    }

    test("histograms: equal bins over the finite values, a constant widened, nothing for no values") {
        val h = LayerRecords.histogram(floatArrayOf(0f, 1f, 2f, 3f, 4f, Float.NaN), bins = 4)!!
        h.edges shouldContainExactly listOf(0f, 1f, 2f, 3f, 4f)
        h.counts shouldContainExactly listOf(1L, 1L, 1L, 2L)
        LayerRecords.histogram(floatArrayOf(2f, 2f), bins = 2)!!.edges shouldContainExactly listOf(1.5f, 2f, 2.5f)
        LayerRecords.histogram(floatArrayOf(Float.NaN)).shouldBeNull()
    }
})

/** An activation quantizer that is neither inferable nor trainable. */
private object OddQuantizer : FakeQuantizer {
    override fun target() = QuantizationTarget.ACTIVATION
    override fun initializeQuantization(shape: io.jqi.tensor.Shape?, name: String?, host: QuantizerHost?) {}
    override fun apply(x: Tensor, training: Boolean) = x
}
