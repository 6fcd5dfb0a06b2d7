#!/usr/bin/env python3
"""PyTorch's times for ConvBench's layers: ResNet-18's 3x3 stride-1 convolutions at batch 64, forward and backward.

    /usr/bin/python3 bench/compare/torch_layers.py [--threads T] [--repeats N]

Prints, per layer, the median [min-max] over N timed repeats (after 5 untimed) of the forward and of the backward to
the input and the weights, in ms, the figures docs/performance.md sets beside ConvBench's.
"""
import argparse
import statistics
import time

import torch

LAYERS = [(64, 28), (128, 14), (256, 7), (512, 4)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    for channels, size in LAYERS:
        batch = 64
        x = (torch.rand(batch, channels, size, size) * 2 - 1).requires_grad_(True)
        w = ((torch.rand(channels, channels, 3, 3) * 2 - 1) * 0.1).requires_grad_(True)
        g = torch.rand(batch, channels, size, size) * 2 - 1
        forward, backward = [], []
        for i in range(args.repeats + 5):
            x.grad = None
            w.grad = None
            t0 = time.perf_counter()
            y = torch.nn.functional.conv2d(x, w, None, 1, 1)
            t1 = time.perf_counter()
            y.backward(g)
            t2 = time.perf_counter()
            if i >= 5:
                forward.append((t1 - t0) * 1e3)
                backward.append((t2 - t1) * 1e3)
        print("%dx%dx%dx%d forward %.1f [%.1f-%.1f] ms, backward %.1f [%.1f-%.1f] ms" % (
            batch, channels, channels, size, statistics.median(forward), min(forward), max(forward),
            statistics.median(backward), min(backward), max(backward)))


if __name__ == "__main__":
    main()
