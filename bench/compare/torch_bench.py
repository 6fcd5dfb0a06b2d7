#!/usr/bin/env python3
"""The PyTorch side of bench/compare: the models of io.jqi.bench.TrainStepBench, timed the same way.

Each workload is a training step (forward, cross-entropy, backward, Adam) or an inference batch (eval mode,
no_grad) on a batch of 64 single-channel 28x28 images:

  cnn       conv3x3(1->16)-ReLU-maxpool2, conv3x3(16->32)-ReLU-maxpool2, dense(32*7*7 -> 10), all with bias:
            TrainStepBench's cnn layer for layer.
  resnet18  torchvision's ResNet-18 with the CIFAR-style stem (conv3x3 stride 1 from 1 channel, no max pool),
            10 classes; the same network is exported to ONNX (--export) for jqi to import.

and quantization-aware variants that compute what jqi's do:
  qat_ste   w8a8: weights fake_quantize_per_channel_affine (symmetric, 8 bits, scale max|w|/127), activations
            fake_quantize_per_tensor_affine (unsigned, 8 bits, scale 4/256) after every ReLU; ResNet-18 with its
            batch norms folded into the convolutions first, as jqi's Qat.init folds them.
  qat_lsq   w4a4 LSQ: _fake_quantize_learnable_per_channel_affine weights, _fake_quantize_learnable_per_tensor_affine
            activations after every ReLU, scales trained.

Prints one line per timed repeat: "RESULT <workload> <ops per second>", where an op is one step or one batch.
With --memory STEPS it runs STEPS steps of each workload instead and prints
"MEMORY <workload> <steps> <peak resident bytes> <resident bytes before the first step>".

    python3 torch_bench.py [--threads 2] [--repeats 3] [--seconds 3] [--export resnet18.onnx] [--memory STEPS]
                           [workload ...]
"""
import argparse
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

BATCH = 64


def cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def resnet18():
    model = torchvision.models.resnet18(weights=None, num_classes=10)
    model.conv1 = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    return model


def folded(model):
    """The model with every batch norm folded into the convolution before it (eval-mode statistics)."""
    fuse = torch.nn.utils.fusion.fuse_conv_bn_eval
    model.eval()
    for module in list(model.modules()):
        for conv, bn in (("conv1", "bn1"), ("conv2", "bn2")):
            if isinstance(getattr(module, bn, None), nn.BatchNorm2d):
                setattr(module, conv, fuse(getattr(module, conv), getattr(module, bn)))
                setattr(module, bn, nn.Identity())
        if isinstance(module, nn.Sequential) and len(module) == 2 and isinstance(module[1], nn.BatchNorm2d):
            module[0] = fuse(module[0], module[1])
            module[1] = nn.Identity()
    return model.train()


class SteWeights(nn.Module):
    def forward(self, w):
        scale = (w.detach().abs().flatten(1).amax(1) / 127).clamp_min(1e-8)
        return torch.fake_quantize_per_channel_affine(w, scale, torch.zeros_like(scale, dtype=torch.int32), 0,
                                                      -128, 127)


class SteActivations(nn.Module):
    def forward(self, x):
        return torch.fake_quantize_per_tensor_affine(x, 4.0 / 256, 0, 0, 255)


class LsqWeights(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.scale = nn.Parameter((w.detach().abs().flatten(1).amax(1) / 7).clamp_min(1e-8))
        self.zero = nn.Parameter(torch.zeros_like(self.scale), requires_grad=False)
        self.grad_factor = 1.0 / (w[0].numel() * 7) ** 0.5

    def forward(self, w):
        return torch._fake_quantize_learnable_per_channel_affine(w, self.scale, self.zero, 0, -8, 7,
                                                                 self.grad_factor)


class LsqActivations(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor([4.0 / 16]))
        self.zero = nn.Parameter(torch.zeros(1), requires_grad=False)

    def forward(self, x):
        return torch._fake_quantize_learnable_per_tensor_affine(x, self.scale, self.zero, 0, 15,
                                                                1.0 / (x[0].numel() * 15) ** 0.5)


def quantization_aware(model, lsq):
    """Fake-quantizes every conv/dense weight and the output of every ReLU module, in place."""
    import torch.nn.utils.parametrize as parametrize
    for module in list(model.modules()):
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            parametrize.register_parametrization(module, "weight",
                                                 LsqWeights(module.weight) if lsq else SteWeights())
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.ReLU):
                setattr(parent, name, nn.Sequential(child, LsqActivations() if lsq else SteActivations()))
    return model


WORKLOADS = {
    "cnn.float.train": lambda: (cnn(), True),
    "cnn.qat_ste.train": lambda: (quantization_aware(cnn(), False), True),
    "cnn.qat_lsq.train": lambda: (quantization_aware(cnn(), True), True),
    "cnn.float.eval": lambda: (cnn(), False),
    "resnet18.float.train": lambda: (resnet18(), True),
    "resnet18.qat_ste.train": lambda: (quantization_aware(folded(resnet18()), False), True),
    "resnet18.float.eval": lambda: (resnet18(), False),
}


def timed(workload, repeats, seconds):
    torch.manual_seed(0)
    model, train = WORKLOADS[workload]()
    generator = torch.Generator().manual_seed(7)
    x = torch.rand(BATCH, 1, 28, 28, generator=generator)
    y = torch.randint(0, 10, (BATCH,), generator=generator)
    if train:
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def op():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()
    else:
        model.eval()

        def op():
            with torch.no_grad():
                return model(x)[0, 0].item()
    warm_until = time.perf_counter() + seconds
    while time.perf_counter() < warm_until:
        op()
    for _ in range(repeats):
        count = 0
        start = time.perf_counter()
        while True:
            op()
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        print(f"RESULT {workload} {count / elapsed:.6g}", flush=True)


def resident(field):
    """A memory field of /proc/self/status (VmRSS, VmHWM) in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def memory(workload, steps):
    """Peak resident memory over `steps` steps of `workload`, and the resident memory before the first step."""
    torch.manual_seed(0)
    model, train = WORKLOADS[workload]()
    generator = torch.Generator().manual_seed(7)
    x = torch.rand(BATCH, 1, 28, 28, generator=generator)
    y = torch.randint(0, 10, (BATCH,), generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3) if train else None
    model.train(train)
    before = resident("VmRSS")
    for _ in range(steps):
        if train:
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        else:
            with torch.no_grad():
                model(x)
    print(f"MEMORY {workload} {steps} {resident('VmHWM')} {before}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--export", help="write the ResNet-18 as ONNX (batch norms kept) to this path and stop")
    parser.add_argument("--memory", type=int, metavar="STEPS",
                        help="instead of timing, run STEPS steps of each workload and print its peak resident memory")
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.export:
        torch.manual_seed(0)
        model = resnet18().eval()
        torch.onnx.export(model, torch.rand(BATCH, 1, 28, 28), args.export, opset_version=13,
                          do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                          input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        return 0
    print(f"# torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads",
          flush=True)
    for workload in args.workloads:
        if workload not in WORKLOADS:
            sys.exit(f"unknown workload {workload}; choose from {', '.join(WORKLOADS)}")
        if args.memory:
            memory(workload, args.memory)
        else:
            timed(workload, args.repeats, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
