package io.jqi.modelfile

import com.tngtech.archunit.core.domain.JavaModifier
import com.tngtech.archunit.core.importer.ClassFileImporter
import com.tngtech.archunit.core.importer.ImportOption
import io.jqi.nn.LayerSamples
import io.jqi.nn.Module
import io.jqi.ptq.Ptq
import io.jqi.ptq.PtqConfig
import io.jqi.ptq.TargetPlatform
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer
import io.jqi.quant.wrap.ActivationQuantizationHolder
import io.jqi.quant.wrap.QuantizationWrapper
import io.jqi.nn.Add
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.random.Random

/**
 * Every module type of jqi's main code has a codec (or nothing could be saved that holds it), and every one saves and
 * loads to a module that computes the same bits with the same state: the layer samples of core and the quantizer
 * hosts, plain and positional.
 */
class EveryModuleTypeSpec : FunSpec({

    test("every concrete module type of the main code has a codec") {
        // Main code only: test classes, including those of other modules' test jars, are no jqi module types.
        val types = ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption { !it.contains("-tests.jar") }
            .importPackages("io.jqi")
            .filter { it.isAssignableTo(Module::class.java) && JavaModifier.ABSTRACT !in it.modifiers }
        types.map { it.simpleName }.filter { LayerCodecs.forName(it) == null }.shouldBeEmpty()
        types.size shouldBe LayerCodecs.ALL.size
    }

    val samples: Map<String, Pair<Module, Array<Tensor>>> = buildMap {
        LayerSamples.all().values.forEach { put(it.toString(), it.layer() to it.inputs(3)) }
        val random = java.util.Random(5)
        val cnn = ModelFiles.cnn(random)
        val data = listOf(ModelFiles.cnnInput(random), ModelFiles.cnnInput(random))
        put("QuantizationWrapper and ActivationQuantizationHolder",
            Ptq.quantize(cnn, data, TargetPlatform.defaultPlatform(), PtqConfig.defaults()) to
                arrayOf(ModelFiles.cnnInput(random)))
        val positional = QuantizationWrapper.positional(Add(), mapOf(1 to Tensor.randn(random, 2, 5)),
            mapOf(1 to WeightsSymmetricInferableQuantizer.perTensor(4, 2f)))
        put("QuantizationWrapper of a positional weight", positional to arrayOf(Tensor.randn(random, 2, 5)))
        put("ActivationQuantizationHolder", ActivationQuantizationHolder(
            io.jqi.quant.inferable.ActivationPOTInferableQuantizer.of(8, 4f, true)) to arrayOf(Tensor.randn(random, 3, 4)))
    }

    for ((name, sample) in samples) {
        test("$name saves and loads to the same state and the same outputs") {
            val (module, inputs) = sample
            module.eval()
            val loaded = ModelFile.fromBytes(ModelFile.toBytes(module)).model
            loaded.javaClass shouldBe module.javaClass
            ModelFiles.bits(loaded.stateDict()) shouldBe ModelFiles.bits(module.stateDict())
            ModelFiles.outputs(loaded, *inputs) shouldBe ModelFiles.outputs(module, *inputs)
        }
    }

    test("a module type jqi does not know is refused by name") {
        val custom = object : Module() {
            override fun forward(vararg inputs: Tensor) = inputs[0]
        }
        shouldThrow<IllegalArgumentException> { ModelFile.toBytes(custom) }.message!! shouldContain
            "is not one of jqi's built-in modules"
    }
})
