package io.jqi.dsl

/**
 * Marks jqi's builder scopes. Inside a nested block only the innermost scope can be used without a receiver, so
 * `skip("x")` written inside `weights { }` is a compile error instead of a rule silently added to the outer config.
 */
@DslMarker
@Target(AnnotationTarget.CLASS)
annotation class QuantizationDsl
