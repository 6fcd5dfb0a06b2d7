package io.jqi.cli.qat

import io.jqi.cuda.CudaProbe
import io.jqi.nn.Module
import io.jqi.tensor.Device
import java.io.PrintWriter

/** `--device`: where training runs. */
object Devices {
    /**
     * `cpu`; `cuda`, an error naming the reason where CUDA cannot run; `auto`, CUDA where the probe finds it, else
     * the CPU with one line saying why.
     */
    fun resolve(option: String, console: PrintWriter): Device = when (option) {
        "cpu" -> Device.CPU
        "cuda" -> {
            val cuda = CudaProbe.probe()
            require(cuda.available()) { "--device cuda: CUDA is unavailable: ${cuda.reason()}; use --device cpu (or auto)" }
            Device.CUDA
        }
        "auto" -> {
            val cuda = CudaProbe.probe()
            if (cuda.available()) {
                Device.CUDA
            } else {
                console.println("  training on the CPU: ${cuda.reason()}")
                Device.CPU
            }
        }
        else -> throw IllegalArgumentException("--device must be auto, cpu or cuda, got '$option'")
    }

    /** The device of [model]'s parameters (the CPU for a model without any). */
    fun of(model: Module): Device = model.parameters().firstOrNull()?.device() ?: Device.CPU
}
