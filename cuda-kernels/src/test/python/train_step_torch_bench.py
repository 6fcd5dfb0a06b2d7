#!/usr/bin/env python3
"""One training step of jqi's built-in `cnn` in PyTorch on the same GPU, for TrainStepGpuBench's table.

The network is io.jqi.models.BuiltInModels.cnn layer for layer: conv3x3(1->16, stride 2, pad 1, no bias), BN,
ReLU, conv3x3(16->32, stride 2, pad 1, no bias), BN, ReLU, flatten, dense(32*7*7 -> 128), ReLU, dense(128 -> 10),
on [batch, 1, 28, 28] input (check BuiltInModels.cnn if it changes). A step is forward, cross-entropy, backward and
Adam, timed with CUDA events, float and with torch.ao.quantization fake quantization (QAT, 8-bit weights per
tensor symmetric and 8-bit activations, the default qconfig's observers and fake-quant modules).

Usage: python3 train_step_torch_bench.py [RESULTS_DIR] [--batch 256] [--steps 20] [--warmup 5]
"""
import argparse

import torch
import torch.nn as nn


def downsampled(size):
    return (size - 1) // 2 + 1


def cnn(classes=10, height=28, width=28):
    h, w = downsampled(downsampled(height)), downsampled(downsampled(width))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * h * w, 128), nn.ReLU(), nn.Linear(128, classes))


def conv_bn(cin, cout, kernel, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False), nn.BatchNorm2d(cout))


class Block(nn.Module):
    """BuiltInModels' residual block: two 3x3 conv-bn pairs, a 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(conv_bn(cin, cout, 3, stride), nn.ReLU(), conv_bn(cout, cout, 3, 1))
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


def resnet(classes=10):
    return nn.Sequential(conv_bn(1, 16, 3, 1), nn.ReLU(), Block(16, 16, 1), Block(16, 32, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, classes))


class QuantStubbed(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.body = body
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.body(self.quant(x)))


def qat(model):
    wrapped = QuantStubbed(model).train()
    wrapped.qconfig = torch.ao.quantization.get_default_qat_qconfig("x86")
    return torch.ao.quantization.prepare_qat(wrapped)


def time_steps(model, batch, steps, warmup, device):
    model = model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(7)

    def step(read_loss):
        x = torch.rand(batch, 1, 28, 28, generator=generator).to(device)
        y = torch.randint(0, 10, (batch,), generator=generator).to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if read_loss:
            loss.item()

    for _ in range(warmup):
        step(True)
    results = []
    for read_loss in (False, True):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        for _ in range(steps):
            step(read_loss)
        end.record()
        end.synchronize()
        results.append(start.elapsed_time(end) / steps)
    return results


def main():
    parser = argparse.ArgumentParser()
    # run-bench.sh passes its results directory; this script prints its table, which the runner saves there.
    parser.add_argument("results", nargs="?")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("CUDA is unavailable to PyTorch")
    # Same arithmetic rules as jqi's GPU path as far as PyTorch allows: no TF32 in matmuls and convolutions.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")
    print(f"PyTorch {torch.__version__} training step, batch {args.batch}, input 1x28x28, "
          f"GPU {torch.cuda.get_device_name(0)}")
    print("| model | GPU ms/step | GPU ms/step, loss read each step | GPU images/s |")
    print("| --- | --- | --- | --- |")
    models = (("cnn float (PyTorch)", cnn()), ("cnn QAT w8a8 (torch.ao fake quant)", qat(cnn())),
              ("resnet float (PyTorch)", resnet()), ("resnet QAT w8a8 (torch.ao fake quant)", qat(resnet())))
    for name, model in models:
        ms, ms_read = time_steps(model, args.batch, args.steps, args.warmup, device)
        print(f"| {name} | {ms:.2f} | {ms_read:.2f} | {args.batch * 1000 / ms:.0f} |")


if __name__ == "__main__":
    main()
