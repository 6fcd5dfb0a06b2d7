package io.jqi.modelfile

import io.jqi.json.ConfigReader
import io.jqi.json.JsonText
import io.jqi.nn.GraphModel
import io.jqi.nn.Sequential
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.addJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray

/** Sequential: `children`, a list of `{name, module}` in order. */
internal object SequentialCodec : LayerCodec<Sequential>(Sequential::class.java) {
    override fun write(layer: Sequential, out: JsonObjectBuilder, context: WriteContext) {
        out.putJsonArray("children") {
            layer.namedChildren().forEach { (name, child) ->
                addJsonObject {
                    put("name", name)
                    put("module", context.child(child, name))
                }
            }
        }
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val items = config.objects("children", "a Sequential child")
        if (items.isEmpty() || items.size > ModelFile.MAX_CHILDREN) {
            throw context.fail("${config.path}.children must list 1 to ${ModelFile.MAX_CHILDREN} layers, found "
                + items.size)
        }
        val seen = HashSet<String>()
        val children = items.map { item ->
            val name = context.name(item, "name")
            if (!seen.add(name)) throw context.fail("${item.path}.name: the Sequential has two children named '$name'")
            val spec = context.module(item.obj("module"), "${item.path}.module")
            item.finish()
            name to spec
        }
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) =
                children.forEach { (name, spec) -> spec.expect("$prefix$name.", out) }

            override fun build() = Sequential(children.associateTo(LinkedHashMap()) { (name, spec) -> name to spec.build() })
        }
    }
}

/**
 * GraphModel: `inputs`, `nodes` (`{name, inputs, module}` in execution order, each reading only graph inputs and
 * nodes listed before it) and `outputs`.
 */
internal object GraphModelCodec : LayerCodec<GraphModel>(GraphModel::class.java) {
    private class Node(val name: String, val inputs: List<String>, val spec: ModuleSpec)

    override fun write(layer: GraphModel, out: JsonObjectBuilder, context: WriteContext) {
        out.strings("inputs", layer.inputNames())
        out.putJsonArray("nodes") {
            layer.nodeNames().forEach { name ->
                addJsonObject {
                    put("name", name)
                    strings("inputs", layer.nodeInputs(name))
                    put("module", context.child(layer.node(name), name))
                }
            }
        }
        out.strings("outputs", layer.outputNames())
    }

    override fun read(config: ConfigReader, context: ReadContext): ModuleSpec {
        val inputs = names(config, "inputs", context)
        val defined = HashSet<String>()
        for (input in inputs) {
            if (!defined.add(input)) throw context.fail("${config.path}.inputs names '$input' twice")
        }
        val items = config.objects("nodes", "a graph node")
        if (items.size > ModelFile.MAX_CHILDREN) {
            throw context.fail("${config.path}.nodes lists ${items.size} nodes; at most ${ModelFile.MAX_CHILDREN}")
        }
        val nodes = items.map { item ->
            val name = context.name(item, "name")
            val args = item.strings("inputs")
            args.forEachIndexed { i, arg ->
                if (arg !in defined) {
                    throw context.fail("${item.path}.inputs[$i]: node '$name' reads '${JsonText.clip(arg)}', which is "
                        + "neither a graph input nor a node listed before it (nodes are stored in execution order, "
                        + "so this is a cycle, a dangling name or a corrupt file)")
                }
            }
            val spec = context.module(item.obj("module"), "${item.path}.module")
            item.finish()
            if (!defined.add(name)) throw context.fail("${item.path}.name: '$name' is already a graph input or node")
            Node(name, args, spec)
        }
        val outputs = names(config, "outputs", context)
        outputs.forEachIndexed { i, out ->
            if (out !in defined) throw context.fail("${config.path}.outputs[$i] '$out' is neither a graph input nor a node")
        }
        return object : ModuleSpec() {
            override fun expect(prefix: String, out: MutableMap<String, IntArray>) =
                nodes.forEach { it.spec.expect("$prefix${it.name}.", out) }

            override fun build(): GraphModel {
                val b = GraphModel.builder()
                inputs.forEach { b.input(it) }
                nodes.forEach { b.node(it.name, it.spec.build(), *it.inputs.toTypedArray()) }
                b.output(*outputs.toTypedArray())
                return b.build()
            }
        }
    }

    private fun names(c: ConfigReader, key: String, context: ReadContext): List<String> {
        val names = c.strings(key)
        if (names.isEmpty() || names.size > ModelFile.MAX_CHILDREN) {
            throw context.fail("${c.path}.$key must list 1 to ${ModelFile.MAX_CHILDREN} names, found ${names.size}")
        }
        names.forEach { context.checkName(it, "${c.path}.$key") }
        return names
    }
}
