package io.jqi.json

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject

/** The parser every jqi JSON format reads through. */
class JsonTextSpec : FunSpec({

    fun error(text: String) = shouldThrow<JsonFormatException> { JsonText.parse(text, "f.json") }.message!!

    test("kotlinx.serialization alone keeps the last value of a repeated key, which is why jqi checks for one") {
        Json.parseToJsonElement("""{"a": 1, "a": 2}""").jsonObject shouldBe mapOf("a" to JsonPrimitive(2))
    }

    test("a repeated key is an error naming the key, the object's path and where the repeat is") {
        error("{\"a\": [{\"b\": 1}, {\"c\": {\"d\": 1,\n \"d\": 2}}]}") shouldBe
            "f.json: key 'd' is given twice in \$.a[1].c (again at line 2, column 2); keep one"
    }

    test("a repeated key at the top level is named at the path $") {
        error("""{"a": 1, "a": 1}""") shouldBe
            "f.json: key 'a' is given twice in \$ (again at line 1, column 10); keep one"
    }

    test("an escaped key is the same key as its plain spelling") {
        error("""{"a": 1, "\u0061": 2}""") shouldBe
            "f.json: key 'a' is given twice in \$ (again at line 1, column 10); keep one"
    }

    test("the same key in different objects, and strings equal to a key, are not repeats") {
        val text = """{"x": "x", "a": {"x": 1}, "b": [{"x": 1}, {"x": ["x", "x"]}], "c": {}, "d": [[], {}]}"""
        JsonText.parse(text, "f.json") shouldBe Json.parseToJsonElement(text)
    }

    test("quotes, brackets and commas inside strings are not structure") {
        val text = """{"k\"}": "{\"k\\\"}\": 1, [", "k": ",]}"}"""
        JsonText.parse(text, "f.json") shouldBe Json.parseToJsonElement(text)
    }

    test("kotlinx.serialization alone reads a value after a closing bracket as the array's next element") {
        Json.parseToJsonElement("""{"a": [1]2]}""") shouldBe Json.parseToJsonElement("""{"a": [1, 2]}""")
    }

    test("a value after a closing bracket is an error saying where, at any depth") {
        error("""{"a": [1]2]}""") shouldBe
            "f.json is not valid JSON at line 1, column 10: a value follows a closing bracket without a comma"
        error("[0.3]6023, 0.2]") shouldBe
            "f.json is not valid JSON at line 1, column 6: a value follows a closing bracket without a comma"
        error("""{"a": [1]{"k": 1}]}""") shouldBe
            "f.json is not valid JSON at line 1, column 10: a value follows a closing bracket without a comma"
        error("{\"a\": [1]\n  \"x\"]}") shouldBe
            "f.json is not valid JSON at line 2, column 3: a value follows a closing bracket without a comma"
    }

    test("closing brackets followed by commas, brackets, white space or the end are valid") {
        val text = "{\"a\": [[1], [2] ], \"b\": {\"c\": [] } }\n"
        JsonText.parse(text, "f.json") shouldBe Json.parseToJsonElement(text)
    }

    test("every format reads through it: a target platform with a repeated key is rejected") {
        shouldThrow<JsonFormatException> {
            TargetPlatformJson.read("""{"format_version": 1, "name": "a", "name": "b"}""", "tp.json")
        }.message shouldBe "tp.json: key 'name' is given twice in \$ (again at line 1, column 36); keep one"
    }
})
