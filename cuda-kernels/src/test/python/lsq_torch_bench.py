#!/usr/bin/env python3
"""PyTorch's learnable fake quantization, forward + backward, timed with CUDA events on the shapes of
io.jqi.cuda.bench.FakeQuantGpuBench, for its "PyTorch (ms)" and "jqi speed-up" columns.

Usage: python3 lsq_torch_bench.py [RESULTS_DIR]   (default: results)
Writes RESULTS_DIR/lsq_torch.csv (layout,elements,ms) and prints a markdown table. Run it before the Java bench.

The operation matches jqi's LSQ symmetric 8-bit quantizer: scale = T / 128 learned, zero point 0, integers
[-128, 127], gradient factor g; one step is y = fq(x), then y.backward(dy), which computes dx, dscale and dzero_point.
"""
import os
import sys

import torch

SIZES = [1 << 20, 16 << 20, 64 << 20]
WEIGHT_ROWS = 4096
ACTIVATION_CHANNELS = 64
ACTIVATION_PLANE = 32 * 32
TRIALS = 7


def shape_and_axis(layout, n):
    if layout == "per-tensor":
        return (n,), None
    if layout == "weights-axis0":
        return (WEIGHT_ROWS, n // WEIGHT_ROWS), 0
    return (n // (ACTIVATION_CHANNELS * ACTIVATION_PLANE), ACTIVATION_CHANNELS, 32, 32), 1


def step_function(layout, n, device):
    shape, axis = shape_and_axis(layout, n)
    generator = torch.Generator(device=device).manual_seed(n)
    x = (torch.rand(shape, device=device, generator=generator) * 4 - 2).requires_grad_(True)
    dy = torch.rand(shape, device=device, generator=generator) - 0.5
    channels = 1 if axis is None else shape[axis]
    scale = torch.full((channels,), 1.0 / 128, device=device, requires_grad=True)
    # PyTorch's learnable ops take a float zero point and also return its gradient.
    zero_point = torch.zeros((channels,), device=device, requires_grad=True)
    g = 0.01

    def step():
        x.grad = None
        scale.grad = None
        zero_point.grad = None
        if axis is None:
            y = torch._fake_quantize_learnable_per_tensor_affine(x, scale, zero_point, -128, 127, g)
        else:
            y = torch._fake_quantize_learnable_per_channel_affine(x, scale, zero_point, axis, -128, 127, g)
        y.backward(dy)

    return step


def millis(step, n):
    reps = 20 if n >= (16 << 20) else 200
    for _ in range(3):
        step()
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    trials = []
    for _ in range(TRIALS):
        start.record()
        for _ in range(reps):
            step()
        stop.record()
        stop.synchronize()
        trials.append(start.elapsed_time(stop) / reps)
    trials.sort()
    return trials[TRIALS // 2]


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "results"
    if not torch.cuda.is_available():
        print("lsq_torch_bench.py: torch.cuda is unavailable", file=sys.stderr)
        return 2
    os.makedirs(results, exist_ok=True)
    device = torch.device("cuda")
    rows = []
    for n in SIZES:
        for layout in ("per-tensor", "weights-axis0", "activations-axis1"):
            ms = millis(step_function(layout, n, device), n)
            rows.append((layout, n, ms))
            torch.cuda.empty_cache()
    with open(os.path.join(results, "lsq_torch.csv"), "w") as f:
        f.write("layout,elements,ms\n")
        for layout, n, ms in rows:
            f.write(f"{layout},{n},{ms:.6f}\n")
    print(f"PyTorch {torch.__version__}, {torch.cuda.get_device_name()}")
    print("| operation | layout | elements | time (ms) |")
    print("|---|---|---|---|")
    for layout, n, ms in rows:
        print(f"| torch learnable fake quant forward+backward | {layout} | {n >> 20}M | {ms:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
