#!/usr/bin/python3
"""PyTorch's side of firmnet's network benchmarks, run in the same invocation as firmnet_bench.

For each net (the MLP 784-128-10 and the two convolutional nets of the convolution issue), on
28x28x1 inputs, float32: the median time of a training step (forward, softmax cross-entropy,
backward, SGD update) at batch 64 with 1 and 2 threads, and of batch-1 inference with 1 thread.
Prints JSON: {"torch": version, "oneDNN": ..., "results": {name: {"train_1t_ms", "train_2t_ms",
"infer_1t_us"}}}. --threads 1 measures only the 1-thread figures, --threads 2 only the 2-thread
step (bench/compare_nets pins each to its CPUs). Usage: bench/torch_peer.py [--reps N]
[--min-time S] [--threads 1|2] [--only NET] (Debian's python3-torch, /usr/bin/python3).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


def nets():
    return {
        "mlp_784_128_10": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)),
        "cnn_small": lambda: nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10)),
        "cnn_3x3": lambda: nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10)),
        "cnn_5x5": lambda: nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10)),
    }


def median_seconds(fn, reps, min_time=0.3):
    fn()  # warm up
    samples = []
    for _ in range(reps):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        samples.append(elapsed / n)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.3)
    parser.add_argument("--threads", type=int, choices=(1, 2), default=None)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    torch.manual_seed(0)
    results = {}
    for name, make in nets().items():
        if args.only and args.only not in name:
            continue
        model = make()
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.randn(64, 1, 28, 28)
        y = torch.randint(0, 10, (64,))

        def step():
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()

        r = {}
        for threads in (1, 2) if args.threads is None else (args.threads,):
            torch.set_num_threads(threads)
            r[f"train_{threads}t_ms"] = 1e3 * median_seconds(step, args.reps, args.min_time)
        if args.threads != 2:
            torch.set_num_threads(1)
            x1 = torch.randn(1, 1, 28, 28)
            model.eval()
            with torch.no_grad():
                r["infer_1t_us"] = 1e6 * median_seconds(lambda: model(x1), args.reps, args.min_time)
        results[name] = r
    print(json.dumps({"torch": torch.__version__, "config": torch.__config__.parallel_info().splitlines()[0] if hasattr(torch, "__config__") else "",
                      "results": results}, indent=1))


if __name__ == "__main__":
    main()
