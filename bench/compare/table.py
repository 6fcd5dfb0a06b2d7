#!/usr/bin/env python3
"""Prints bench/compare's table from a results directory: torch-N.txt (torch_bench.py's RESULT lines) and
jqi-N.json (JMH's JSON) for rounds N = 1, 2, ...

Each cell is the median over all timed repeats of all rounds, with [min-max]. A ratio is jqi over PyTorch in speed
(above 1: jqi is faster), computed per round from the two medians of that round; the cell gives the median of those
per-round ratios and their [min-max]. Bandwidth rows are GB/s (bytes the operation must read and write) and their
ratio to the two-thread copy of the same round.
"""
import glob
import json
import os
import re
import statistics
import sys

BATCH = 64
ELEMENTS = 4096 * 4096
BANDWIDTH = {  # benchmark -> (bytes per op, label)
    "ElementwiseBench.copy": (8 * ELEMENTS, "memory copy, 1 thread (System.arraycopy)"),
    "ElementwiseBench.copyTwoThreads": (8 * ELEMENTS, "memory copy, 2 threads (the reference)"),
    "FakeQuantBench.activationsPerTensor": (8 * ELEMENTS, "inferable fake-quant forward, per tensor, 64 MiB"),
    "FakeQuantBench.weightsPerChannel": (8 * 256 * 4096, "inferable fake-quant forward, per channel, 4 MiB"),
    "FakeQuantBench.activationsForwardBackward": (20 * ELEMENTS, "trainable STE forward + fused backward, 64 MiB"),
}
LABELS = {
    "cnn.float.train": "cnn training step, float",
    "cnn.qat_ste.train": "cnn training step, QAT w8a8 STE",
    "cnn.qat_lsq.train": "cnn training step, QAT w4a4 LSQ",
    "cnn.float.eval": "cnn inference, float",
    "resnet18.float.train": "ResNet-18 training step, float",
    "resnet18.qat_ste.train": "ResNet-18 training step, QAT w8a8 STE",
    "resnet18.float.eval": "ResNet-18 inference, float",
    "resnet18.qat_init": "ResNet-18 PTQ phase (Qat.init, 512 images)",
}


def number(value):
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def spread(values, fmt=None):
    if not values:
        return "-"
    show = fmt.format if fmt else number
    return f"{show(statistics.median(values))} [{show(min(values))}-{show(max(values))}]"


def read(directory):
    # A round counts once JMH has written its JSON (it writes the file at the end of the run).
    rounds = sorted(int(m.group(1)) for f in glob.glob(os.path.join(directory, "jqi-*.json"))
                    if (m := re.search(r"jqi-(\d+)\.json$", f)) and os.path.getsize(f) > 0)
    torch, jqi = {}, {}  # name -> round -> [ops/s]
    for r in rounds:
        path = os.path.join(directory, f"torch-{r}.txt")
        if os.path.exists(path):
            for line in open(path):
                if line.startswith("RESULT "):
                    _, name, value = line.split()
                    torch.setdefault(name, {}).setdefault(r, []).append(float(value))
        for result in json.load(open(os.path.join(directory, f"jqi-{r}.json"))):
            bench = ".".join(result["benchmark"].split(".")[-2:])
            name = result.get("params", {}).get("workload", bench)
            raw = [v for fork in result["primaryMetric"]["rawData"] for v in fork]
            jqi.setdefault(name, {}).setdefault(r, []).extend(raw)
    return rounds, torch, jqi


def flat(per_round):
    return [v for values in per_round.values() for v in values]


def ratios(numerator, denominator):
    return [statistics.median(numerator[r]) / statistics.median(denominator[r])
            for r in numerator if r in denominator]


def main():
    directory = sys.argv[1]
    rounds, torch, jqi = read(directory)
    machine = os.path.join(directory, "machine.txt")
    if os.path.exists(machine):
        print(open(machine).read().rstrip())
    print(f"# {len(rounds)} rounds; median [min-max] over every timed repeat; ratio: per-round jqi/PyTorch speed")
    print()
    print("| workload | jqi images/s | PyTorch images/s | jqi / PyTorch |")
    print("| --- | --- | --- | --- |")
    for name, label in LABELS.items():
        if name not in jqi:
            continue
        if name == "resnet18.qat_init":
            print(f"| {label} | {spread([1 / v for v in flat(jqi[name])])} s | - | - |")
            continue
        images = {r: [v * BATCH for v in vs] for r, vs in jqi[name].items()}
        reference = {r: [v * BATCH for v in vs] for r, vs in torch.get(name, {}).items()}
        print(f"| {label} | {spread(flat(images))} | {spread(flat(reference))} | "
              f"{spread(ratios(images, reference), '{:.2f}')} |")
    for model in ("cnn", "resnet18"):
        for qat in ("qat_ste", "qat_lsq"):
            q, f = f"{model}.{qat}.train", f"{model}.float.train"
            if q in jqi and f in jqi:
                slow_jqi = [1 / x for x in ratios(jqi[q], jqi[f])]
                slow_torch = [1 / x for x in ratios(torch.get(q, {}), torch.get(f, {}))]
                print(f"| {model} {qat} step time / float step time | {spread(slow_jqi, '{:.2f}')} | "
                      f"{spread(slow_torch, '{:.2f}')} | |")
    copy = jqi.get("ElementwiseBench.copyTwoThreads")
    if copy:
        print()
        print("| operation | GB/s | ratio to the 2-thread copy |")
        print("| --- | --- | --- |")
        for bench, (size, label) in BANDWIDTH.items():
            if bench in jqi:
                rates = {r: [v * size / 1e9 for v in vs] for r, vs in jqi[bench].items()}
                copies = {r: [v * 8 * ELEMENTS / 1e9 for v in vs] for r, vs in copy.items()}
                print(f"| {label} | {spread(flat(rates), '{:.1f}')} | {spread(ratios(rates, copies), '{:.2f}')} |")


if __name__ == "__main__":
    main()
