package io.jqi.json

import io.jqi.tensor.Shape
import io.jqi.tensor.Tensor
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.random.Random

class TensorJsonSpec : FunSpec({

    test("a bare number is a rank-0 tensor") {
        val t = TensorJson.read("2.5")
        t.shape() shouldBe Shape.scalar()
        t.item() shouldBe 2.5f
        TensorJson.write(t) shouldBe "2.5"
    }

    test("nested arrays give the shape from their nesting") {
        TensorJson.read("[[1, 2, 3], [4, 5, 6]]").shape() shouldBe Shape.of(2, 3)
        TensorJson.read("[[[[[[7]]]]]]").shape() shouldBe Shape.of(1, 1, 1, 1, 1, 1)
        TensorJson.read("[]").shape() shouldBe Shape.of(0)
        TensorJson.read("[[], []]").shape() shouldBe Shape.of(2, 0)
    }

    test("non-finite values are read and written as strings") {
        val t = TensorJson.read("""["NaN", "Infinity", "-Infinity", -0.0]""")
        t.toFloatArray()[0].isNaN() shouldBe true
        t.toFloatArray()[1] shouldBe Float.POSITIVE_INFINITY
        TensorJson.write(t) shouldBe """["NaN","Infinity","-Infinity",-0]"""
    }

    test("writing then reading gives back every float's bits") {
        val random = Random(9)
        val values = FloatArray(5000) { Float.fromBits(random.nextInt()) }
        val back = TensorJson.read(TensorJson.write(Tensor.of(values, 50, 100)))
        back.toFloatArray().zip(values.toList()).forEach { (a, b) ->
            if (b.isNaN()) a.isNaN() shouldBe true else a.toRawBits() shouldBe b.toRawBits()
        }
    }

    test("a number is rounded once to the nearest float32") {
        TensorJson.read("[0.1, 16777217]").toFloatArray().toList() shouldBe listOf(0.1f, 16777216f)
    }

    context("bad tensors are clear errors with the path of the offending element") {
        fun error(json: String) = shouldThrow<JsonFormatException> { TensorJson.read(json, "x.json") }.message!!

        test("ragged arrays") {
            error("[[1, 2], [3]]") shouldContain "expected an array of 2 elements at \$[1]"
            error("[[1, 2], 3]") shouldContain "expected an array of 2 elements at \$[1] (the shape is [2, 2] from the first elements), found '3'"
            error("[1, [2]]") shouldContain "expected a number at \$[1], found an array"
        }
        test("more than six dimensions") {
            error("[[[[[[[1]]]]]]]") shouldContain "deeper than rank 6"
        }
        test("values that are not numbers") {
            error("[1, true]") shouldContain "expected a number at \$[1], found a boolean"
            error("[1, null]") shouldContain "found null"
            error("[1, \"nan\"]") shouldContain "found the string \"nan\""
            error("{\"a\": 1}") shouldContain "expected a number at \$, found an object"
        }
        test("numbers beyond float32") {
            error("[1e39]") shouldContain "1e39 at \$[0] is outside the float32 range"
        }
        test("invalid JSON") {
            error("[1, 2") shouldContain "x.json is not valid JSON"
        }
    }
})
