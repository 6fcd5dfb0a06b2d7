package io.jqi.architecture

import com.tngtech.archunit.core.domain.JavaClasses
import com.tngtech.archunit.core.importer.ClassFileImporter
import com.tngtech.archunit.core.importer.ImportOption
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.string.shouldContain

/**
 * The package structure of docs/architecture.md holds for the main code of every module, and each rule is shown to
 * catch a fixture that breaks it (a rule that cannot fail proves nothing).
 */
class ArchitectureSpec : FunSpec({
    val main: JavaClasses = ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TEST_FIXTURES)
        .withImportOption { location -> !location.contains("-tests.jar") }
        .importPackages("io.jqi")
    val fixtures = "io.jqi.architecture.fixture"

    test("the import sees the main code of every module") {
        val packages = main.map { it.packageName }.toSet()
        packages.shouldContainAll(
            "io.jqi.grid", "io.jqi.tensor", "io.jqi.nn", "io.jqi.quant", "io.jqi.ptq", "io.jqi.qat",
            "io.jqi.json", "io.jqi.modelfile", "io.jqi.dsl", "io.jqi.onnx", "io.jqi.cuda", "io.jqi.cli",
            "io.jqi.spark",
        )
        packages.none { it.startsWith(fixtures) }.shouldBeTrue()
    }

    test("main code has no package cycle") {
        ArchitectureRules.noPackageCycles("io.jqi").check(main)
    }

    test("the grid package imports nothing else of jqi") {
        ArchitectureRules.gridIsALeaf("io.jqi").check(main)
    }

    test("the tensor package does not depend on quantizers") {
        ArchitectureRules.tensorKnowsNoQuantizer("io.jqi").check(main)
    }

    test("packages use only the layers below them") {
        ArchitectureRules.layers("io.jqi").check(main)
    }

    context("each rule reports a fixture that breaks it") {
        val broken = ClassFileImporter().importPackages(fixtures)

        test("a cycle between two packages") {
            val result = ArchitectureRules.noPackageCycles("$fixtures.cycle").evaluate(broken)
            result.hasViolation().shouldBeTrue()
            result.failureReport.toString() shouldContain "Cycle detected"
        }

        test("a grid class that reaches up") {
            ArchitectureRules.gridIsALeaf("$fixtures.layers").evaluate(broken).hasViolation().shouldBeTrue()
        }

        test("a tensor class that knows a quantizer") {
            val rule = ArchitectureRules.tensorKnowsNoQuantizer("$fixtures.layers")
            rule.evaluate(broken).hasViolation().shouldBeTrue()
            ArchitectureRules.layers("$fixtures.layers").evaluate(broken).failureReport.toString() shouldContain
                "FixtureTensor"
        }

        test("classes of a package outside every layer") {
            val report = ArchitectureRules.layers("$fixtures.layers").evaluate(broken).failureReport.toString()
            report shouldContain "not contained in architecture"
        }

        test("fixtures without a violation pass") {
            ArchitectureRules.noPackageCycles("$fixtures.layers").evaluate(broken).hasViolation().shouldBeFalse()
        }
    }
})
