#!/usr/bin/env python3
"""Writes Fashion-MNIST (Debian's dataset-fashion-mnist) as an image folder, the layout users' photos come in.

    python3 fashion_mnist_folder.py OUT TRAIN_PER_CLASS TEST_PER_CLASS

OUT/train/<class>/<n>.png|jpg and OUT/test/<class>/<n>.png|jpg: the first images of each class from the training and
test files, as 3-channel RGB (the grey value in all three), alternately PNG and JPEG, named by class.
"""
import gzip
import os
import sys

import numpy as np
from PIL import Image

SOURCE = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def idx(name):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write(out, images, labels, per_class):
    counts = [0] * len(CLASSES)
    for image, label in zip(images, labels):
        if counts[label] == per_class:
            continue
        folder = os.path.join(out, CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        n = counts[label]
        rgb = Image.fromarray(np.stack([image] * 3, axis=-1), "RGB")
        rgb.save(os.path.join(folder, "%d.%s" % (n, "png" if n % 2 == 0 else "jpg")))
        counts[label] += 1


def main():
    out, train, test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    write(os.path.join(out, "train"), idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz"), train)
    write(os.path.join(out, "test"), idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz"), test)


if __name__ == "__main__":
    main()
