package io.jqi.dsl

import io.jqi.qat.QatConfig
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.string.shouldContain
import org.jetbrains.kotlin.cli.common.messages.MessageRenderer
import org.jetbrains.kotlin.cli.jvm.K2JVMCompiler
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Paths

/**
 * Illegal nesting must not compile: these snippets go through the Kotlin compiler in-process, against the classes
 * under test, and each illegal one must fail with the expected diagnostic while the legal one compiles. All
 * snippets compile in one invocation (a few seconds), each in its own file and package so its errors are its own.
 */
class DslScopeSpec : FunSpec({

    val prelude = """
        import io.jqi.dsl.*
        import io.jqi.nn.Conv2D
        val conv = Conv2D(2, 3, 3, 1, 1, java.util.Random(0))
    """.trimIndent()

    val snippets = mapOf(
        "legal" to """
            val config = qat {
                weights { training = LSQ; symmetric(bits = 4) { perChannel() } }
                activations { powerOfTwo(bits = 8) { signed() } }
                layer("classifier") { weights { uniform(bits = 8) } }
                skip("stem.conv")
                ptq { biasCorrection = false }
            }
            val wrapped = wrap(conv) { weight("weight") { symmetric(bits = 8) { perChannel(axis = 0); threshold(1f, 1f, 1f) } } }
            val held = holder { powerOfTwo(bits = 8) { threshold(2f); signed() } }
        """,
        "skipInsideWeights" to """val c = qat { weights { skip("x") } }""",
        "activationsInsideWeights" to """val c = qat { weights { activations { } } }""",
        "layerInsideLayer" to """val c = qat { layer("a") { layer("b") { } } }""",
        "trainingInsideGrid" to """val c = qat { weights { symmetric(bits = 4) { training = LSQ } } }""",
        "gridInsideGrid" to """val c = qat { weights { symmetric(bits = 4) { uniform(bits = 8) } } }""",
        "perChannelInsideActivations" to """val c = qat { activations { powerOfTwo(bits = 8) { perChannel() } } }""",
        "signedInsideWeights" to """val c = qat { weights { symmetric(bits = 8) { signed() } } }""",
        "signedInsideWrappedWeight" to
            """val w = wrap(conv) { weight("weight") { symmetric(bits = 8) { threshold(1f); signed() } } }""",
        "weightInsideWeight" to
            """val w = wrap(conv) { weight("weight") { symmetric(bits = 8) { weight("bias") { } } } }""",
        "fromWeightsInsideHolder" to """val h = holder { powerOfTwo(bits = 8) { fromWeights(); signed() } }""",
        "thresholdOnUniform" to """val h = holder { uniform(bits = 8) { threshold(1f) } }""",
    )

    fun jarOf(type: Class<*>) = Paths.get(type.protectionDomain.codeSource.location.toURI()).toString()

    /** Each snippet's error lines, keyed by its name. */
    val errors: Map<String, List<String>> by lazy {
        val dir = Files.createTempDirectory("jqi-dsl-snippets").toFile()
        val files = snippets.map { (name, body) ->
            File(dir, "$name.kt").apply { writeText("package $name\n$prelude\n$body\n") }
        }
        val classpath = listOf(KotlinVersion::class.java, QatConfig::class.java, QatScope::class.java)
            .map(::jarOf).distinct().joinToString(File.pathSeparator)
        val out = ByteArrayOutputStream()
        K2JVMCompiler().exec(PrintStream(out, true, Charsets.UTF_8), MessageRenderer.PLAIN_FULL_PATHS,
            "-no-stdlib", "-no-reflect", "-nowarn", "-jvm-target", "17", "-classpath", classpath,
            "-d", File(dir, "out").path, *files.map { it.path }.toTypedArray())
        val lines = out.toString(Charsets.UTF_8).lines().filter { ": error: " in it }
        dir.deleteRecursively()
        snippets.keys.associateWith { name -> lines.filter { "/$name.kt:" in it } }
    }

    test("the legal snippet compiles") {
        errors.getValue("legal").shouldBeEmpty()
    }

    test("an outer block's functions cannot be called from an inner block") {
        for (name in listOf("skipInsideWeights", "activationsInsideWeights", "layerInsideLayer", "trainingInsideGrid",
            "gridInsideGrid", "weightInsideWeight")) {
            errors.getValue(name) shouldHaveSize 1
            errors.getValue(name).single() shouldContain "cannot be called in this context with an implicit receiver"
        }
    }

    test("per-channel and fromWeights() exist only in weight grids, signedness only in activation grids") {
        errors.getValue("perChannelInsideActivations").single() shouldContain "unresolved reference 'perChannel'"
        errors.getValue("signedInsideWeights").single() shouldContain "unresolved reference 'signed'"
        errors.getValue("signedInsideWrappedWeight").single() shouldContain "unresolved reference 'signed'"
        errors.getValue("fromWeightsInsideHolder").single() shouldContain "unresolved reference 'fromWeights'"
    }

    test("a uniform grid takes a range, not a threshold") {
        errors.getValue("thresholdOnUniform").single() shouldContain "unresolved reference 'threshold'"
    }
})
