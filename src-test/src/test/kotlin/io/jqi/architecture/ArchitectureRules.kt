package io.jqi.architecture

import com.tngtech.archunit.base.DescribedPredicate.not
import com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage
import com.tngtech.archunit.lang.ArchRule
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses
import com.tngtech.archunit.library.Architectures
import com.tngtech.archunit.library.Architectures.layeredArchitecture
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices

/**
 * jqi's package rules (docs/architecture.md), written over a root package so that ArchitectureSpec applies the very
 * same rules to main code (`io.jqi`) and to fixtures that break them.
 */
internal object ArchitectureRules {

    /** Every package is a slice; no two may reach each other. */
    fun noPackageCycles(root: String): ArchRule =
        slices().matching("$root.(**)").should().beFreeOfCycles()
            .because("a package cycle means two concepts cannot be understood, tested or moved apart")

    /** The quantization arithmetic imports nothing else of jqi. */
    fun gridIsALeaf(root: String): ArchRule =
        noClasses().that().resideInAPackage("$root.grid..")
            .should().dependOnClassesThat(resideInAPackage("$root..").and(not(resideInAPackage("$root.grid.."))))
            .because("grids, rounding and the checks are the leaf every layer reads")

    /** The device layer knows tensors, not quantizers. */
    fun tensorKnowsNoQuantizer(root: String): ArchRule =
        noClasses().that().resideInAPackage("$root.tensor..")
            .should().dependOnClassesThat().resideInAPackage("$root.quant..")
            .because("backends offer primitives; quantizer policy lives above them")

    /** Who may use whom, from the leaf arithmetic up to the command line. */
    fun layers(root: String): Architectures.LayeredArchitecture =
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
            .layer("Arithmetic").definedBy("$root.grid..", "$root.io..")
            .layer("Tensor").definedBy("$root.tensor..")
            .layer("Layers").definedBy("$root.nn..", "$root.data..", "$root.models..")
            .layer("Quantizers").definedBy("$root.quant..")
            .layer("Flows").definedBy("$root.ptq..", "$root.qat..", "$root.train..")
            .layer("Backends").definedBy("$root.cuda..")
            .layer("Formats").definedBy("$root.json..", "$root.modelfile..", "$root.onnx..")
            .layer("Dsl").definedBy("$root.dsl..")
            .layer("Distributed").definedBy("$root.spark..")
            .layer("Cli").definedBy("$root.cli..")
            .whereLayer("Arithmetic").mayNotAccessAnyLayer()
            .whereLayer("Tensor").mayOnlyAccessLayers("Arithmetic")
            .whereLayer("Layers").mayOnlyAccessLayers("Tensor", "Arithmetic")
            .whereLayer("Quantizers").mayOnlyAccessLayers("Layers", "Tensor", "Arithmetic")
            .whereLayer("Flows").mayOnlyAccessLayers("Quantizers", "Layers", "Tensor", "Arithmetic")
            .whereLayer("Backends").mayOnlyAccessLayers("Tensor", "Arithmetic")
            .whereLayer("Formats").mayOnlyAccessLayers("Flows", "Quantizers", "Layers", "Tensor", "Arithmetic")
            .whereLayer("Dsl").mayOnlyAccessLayers("Flows", "Quantizers", "Layers", "Tensor", "Arithmetic")
            .whereLayer("Distributed")
            .mayOnlyAccessLayers("Formats", "Flows", "Quantizers", "Layers", "Tensor", "Arithmetic")
            .ensureAllClassesAreContainedInArchitecture()
}
