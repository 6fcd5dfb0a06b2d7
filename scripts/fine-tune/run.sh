#!/usr/bin/env bash
# Fine-tunes torchvision models imported from ONNX on an RGB image folder, end to end, as a user would:
#   export from PyTorch -> jqi qat --model m.onnx --data images/ --float-epochs 0 -> model.jqi, model-qdq.onnx, report
#   -> jqi predict --images on image files.
# Needs Debian's python3-torch, python3-torchvision, python3-onnx, python3-pil and dataset-fashion-mnist.
#
#   scripts/fine-tune/run.sh [OUT]      (default target/fine-tune; about 10 minutes on 2 cores)
#
# The models have random weights (torchvision's pretrained weights cannot be downloaded here), so accuracies start
# near chance: the run shows the pipeline and its speed, not ImageNet transfer.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/target/fine-tune}
python=/usr/bin/python3
mkdir -p "$out"
if [ ! -d "$out/images/train" ]; then
  "$python" "$root/scripts/fine-tune/fashion_mnist_folder.py" "$out/images" 100 20
fi
if [ ! -f "$out/models/resnet18.onnx" ]; then
  # Opset 13, dynamic batch, 96x96 inputs. PyTorch's default export folds the batch norms into the convolutions;
  # --no-fold exports with TrainingMode.PRESERVE, which keeps them.
  "$python" "$root/onnx/src/test/python/torchvision_zoo.py" --out "$out/models" --opset 13 --dynamic-batch \
    mobilenet_v3_small resnet18
fi
if [ ! -f "$out/models-bn/resnet18.onnx" ]; then
  "$python" "$root/onnx/src/test/python/torchvision_zoo.py" --out "$out/models-bn" --opset 13 --dynamic-batch \
    --no-fold resnet18
fi
run() {
  local name=$1; shift
  rm -rf "$out/run-$name"
  /usr/bin/time -f "$name: %e s wall, %M KiB peak" "$root/jqi" qat "$@" --data "$out/images" --normalize imagenet \
    --out "$out/run-$name" 2>&1 | tee "$out/run-$name.log" | grep -v " batches), loss"
}
# QAT only, as from a pretrained model. The default QAT rate (--lr / 100 at w8a8) suits pretrained weights; random
# ones need more to move in two epochs.
run mobilenet_v3_small --model "$out/models/mobilenet_v3_small.onnx" --float-epochs 0 --qat-epochs 2 \
  --qat-lr 0.001 --eval-limit 100
# Float fine-tuning of a model whose batch norms were folded: jqi warns and starts at lr 0.001.
run resnet18-folded --model "$out/models/resnet18.onnx" --float-epochs 1 --qat-epochs 1 --eval-limit 100
# The same model exported with its batch norms kept trains at the default lr 0.01.
run resnet18-bn --model "$out/models-bn/resnet18.onnx" --float-epochs 1 --qat-epochs 1 --eval-limit 100
"$root/jqi" predict --model "$out/run-resnet18-bn/model.jqi" \
  --images "$out"/images/test/sandal/0.png "$out"/images/test/bag/1.jpg
