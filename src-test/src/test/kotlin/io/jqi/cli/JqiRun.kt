package io.jqi.cli

import java.io.PrintWriter
import java.io.StringWriter

/** What one in-process run of the `jqi` command returned and printed. */
data class JqiResult(val code: Int, val out: String, val err: String)

/** Runs the `jqi` command in this JVM with [args], capturing standard output and standard error. */
fun jqi(vararg args: String): JqiResult {
    val out = StringWriter()
    val err = StringWriter()
    val code = Jqi.run(arrayOf(*args), PrintWriter(out), PrintWriter(err))
    return JqiResult(code, out.toString(), err.toString())
}
