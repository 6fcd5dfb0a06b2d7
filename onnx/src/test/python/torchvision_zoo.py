#!/usr/bin/env python3
"""Exports torchvision image classifiers to ONNX with their PyTorch outputs, for TorchvisionZooTest.

For each family: the model with random weights (seeded), in eval mode, exported by torch.onnx.export at the given
opset, either as PyTorch does by default (TrainingMode.EVAL with constant folding, which folds every batch norm into
its convolution) or with --no-fold (TrainingMode.PRESERVE without folding, which keeps the BatchNormalization nodes;
TrainingMode.EVAL alone folds them even without constant folding), with or without a dynamic batch axis, plus the input it was run on and
PyTorch's output, as little-endian float32 files. manifest.tsv has a line per family: its name, "ok" and the input
shape (comma-separated), or "error" and the exporter's reason.

    python3 torchvision_zoo.py --out DIR --opset 13 [--no-fold] [--dynamic-batch] resnet18 mobilenet_v2 ...

Needs Debian's python3-torch, python3-torchvision and python3-onnx (torch 1.13, torchvision 0.14, onnx 1.12).
"""
import argparse
import os
import sys
import time

import torch
import torchvision

# The input side each family is exported at: the smallest that keeps its architecture (AlexNet's and VGG's adaptive
# pooling needs 224 to be a plain average pool in ONNX; Inception v3 needs 75 at least).
SIDE = {"alexnet": 224, "vgg11_bn": 224, "inception_v3": 299}
DEFAULT_SIDE = 96
# Constructor arguments that keep the exported graph to the inference path.
KWARGS = {"googlenet": {"aux_logits": False, "init_weights": True},
          "inception_v3": {"aux_logits": False, "init_weights": True}}


def export(name, out, opset, fold, dynamic):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None, **KWARGS.get(name, {})).eval()
    side = SIDE.get(name, DEFAULT_SIDE)
    x = torch.randn(1, 3, side, side)
    path = os.path.join(out, name + ".onnx")
    axes = {"x": {0: "batch"}, "y": {0: "batch"}} if dynamic else None
    mode = torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, x, path, opset_version=opset, do_constant_folding=fold,
                      training=mode, input_names=["x"], output_names=["y"],
                      dynamic_axes=axes)
    with torch.no_grad():
        start = time.perf_counter()
        y = model(x)
        seconds = time.perf_counter() - start
    x.numpy().astype("<f4").tofile(os.path.join(out, name + ".input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(out, name + ".output.bin"))
    return ",".join(str(d) for d in x.shape), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--no-fold", action="store_true", help="export without constant folding, batch norms kept")
    parser.add_argument("--dynamic-batch", action="store_true", help="export with a dynamic batch axis")
    parser.add_argument("families", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    lines = []
    for name in args.families:
        try:
            shape, seconds = export(name, args.out, args.opset, not args.no_fold, args.dynamic_batch)
            lines.append(f"{name}\tok\t{shape}\t{seconds:.6f}")
        except Exception as e:  # recorded, so that the test names the family and the exporter's reason
            reason = (type(e).__name__ + ": " + str(e)).splitlines()[0].replace("\t", " ")
            lines.append(f"{name}\terror\t{reason}\t")
    # Written last and atomically: its presence means the export run finished.
    tmp = os.path.join(args.out, "manifest.tsv.tmp")
    with open(tmp, "w") as f:
        f.write(f"# torch {torch.__version__}, torchvision {torchvision.__version__}, opset {args.opset}, "
                f"constant folding {not args.no_fold}, dynamic batch {args.dynamic_batch}\n")
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(args.out, "manifest.tsv"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
