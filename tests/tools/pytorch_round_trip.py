#!/usr/bin/python3
# PyTorch -> firmnet -> firmware, and firmnet -> PyTorch, with a real PyTorch (Debian's
# python3-torch 1.13 and python3-onnx; run by /usr/bin/python3). ctest: pytorch.round_trip.
#
# 1. Trains an MLP (mlp:128,64, an nn.Sequential) and a CNN (cnn:small, a Module with named layers
#    and x.view(x.size(0), -1)) for a few hundred Adam steps on Fashion-MNIST pixels/255.
# 2. Saves each as ONNX (torch.onnx.export), .npz (numpy.savez of the state_dict) and
#    safetensors (written by hand as the Rust writer lays it out: Debian has no Python package).
# 3. import reads each; evaluate --logits-file writes firmnet's float logits of the whole test set:
#    each image's largest |difference| over its largest |PyTorch logit| must be < 1e-4, and
#    firmnet's test accuracy within 0.1 point of PyTorch's. export --layout pytorch of each
#    imported model must give back the state_dict bit for bit.
#    The same with --input-mean/--input-std, against the model fed transforms.Normalize's input.
# 4. quantize turns the imported models into int8 headers; firmware_infer is compiled with each
#    (FIRMNET_FIRMWARE_CXX, the host; FIRMNET_M4_CC, the Cortex-M4 under qemu-system-arm when the
#    toolchain is there) and must reproduce the host's int8 logits bit for bit.
# 5. Reverse: a firmnet-trained MLP and CNN exported to .npz load into the printed nn.Sequential,
#    whose logits equal firmnet's (the same 1e-4).
# 6. Bad inputs (docs/bad-inputs.md): truncated and hostile files, ops, layouts and networks
#    firmnet does not have each end with exit status 1 (2 for flags) and a message naming the
#    file and the problem, never a crash.
#
# Usage: pytorch_round_trip.py BIN_DIR DATA_DIR WORK_DIR. Exit status 77 (ctest: skipped) when
# PyTorch, ONNX or the dataset is missing: scripts/deps pytorch data installs them.
import gzip
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import time

try:
    import numpy as np
    import onnx  # noqa: F401 (torch.onnx.export needs it)
    import torch
except ImportError as e:
    print("SKIP: %s: %s (Debian: scripts/deps pytorch, which installs python3-torch and python3-onnx)" % (sys.executable, e))
    raise SystemExit(77)

REL_TOL = 1e-4
ACC_TOL = 0.1  # percentage points

bin_dir, data_dir, work = sys.argv[1:4]
if not os.path.exists(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz")):
    print("SKIP: no Fashion-MNIST in %s (Debian: scripts/deps data, which installs dataset-fashion-mnist)" % data_dir)
    raise SystemExit(77)
torch.set_num_threads(1)  # two threads on a shared 2-core machine ran 10-30x slower
failures = []
t_start = time.time()


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(*args, expect=0):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if proc.returncode != expect:
        print(proc.stdout + proc.stderr)
        raise SystemExit("FAIL: %s exited %d, expected %d" % (" ".join(map(str, args)), proc.returncode, expect))
    return proc.stdout


def idx(name):
    with gzip.open(os.path.join(data_dir, name)) as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


train_x = torch.from_numpy(idx("train-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)  # (N, 1, 28, 28)
train_y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
test_y = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))


class SmallCnn(torch.nn.Module):  # cnn:small
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.view(x.size(0), -1))


def train(model, steps):
    # Only the first 50000 images: firmnet keeps the last 10000 for validation.
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(0)
    for _ in range(steps):
        i = torch.randint(0, 50000, (64,), generator=g)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(train_x[i]), train_y[i]).backward()
        opt.step()
    return model.eval()


def logits_of(model, x):
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)]).numpy()


def save_safetensors(path, state):
    # The Rust writer's layout: __metadata__ first, tensors by name, compact JSON padded to 8 bytes.
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name in sorted(state):
        raw = state[name].astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(state[name].shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def relative_error(got, want):
    # Per image: the largest |difference| over the largest |logit|; the worst image.
    return float(np.max(np.max(np.abs(got - want), axis=1) / np.max(np.abs(want), axis=1)))


def accuracy(logits):
    return 100.0 * float(np.mean(np.argmax(logits, axis=1) == test_y.numpy()))


def evaluate(checkpoint, name):
    logits_file = os.path.join(work, name + "_logits.npy")
    log = run(os.path.join(bin_dir, "evaluate"), "--checkpoint-file", checkpoint, "--data-dir", data_dir,
              "--logits-file", logits_file)
    return float(re.search(r"^Test: ([0-9.]+)$", log, re.M).group(1)), np.load(logits_file)


def firmware(header, name):
    for env, runner in (("FIRMNET_FIRMWARE_CXX", []), ("FIRMNET_M4_CC", shlex.split(os.environ.get("FIRMNET_M4_RUN", "")))):
        if not os.environ.get(env):
            print("skip: %s is not set: no %s firmware run" % (env, name))
            continue
        binary = os.path.join(work, name + ("_host" if not runner else "_m4.elf"))
        cmd = shlex.split(os.environ[env]) + ['-DFIRMNET_FIRMWARE_MODEL_HEADER="%s"' % header, "-o", binary]
        subprocess.run(cmd, check=True)
        proc = subprocess.run(runner + [binary], capture_output=True, text=True, timeout=300)
        log = proc.stdout + proc.stderr  # qemu prints the semihosting console on stderr
        passed = proc.returncode == 0 and re.search(r"^PASS: 16 of 16 images give the host's logits", log, re.M)
        check(bool(passed), "firmware_infer (%s) runs the imported %s: %s" %
              ("Cortex-M4, qemu" if runner else "host", name, (log.strip().splitlines() or ["no output"])[-1]))


# ---- PyTorch -> firmnet --------------------------------------------------------------------
torch.manual_seed(0)
models = {
    "mlp": ("mlp:128,64", torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                              torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)), 400),
    "cnn": ("cnn:small", SmallCnn(), 300),
}
for name, (spec, model, steps) in models.items():
    t0 = time.time()
    train(model, steps)
    want = logits_of(model, test_x)
    torch_acc = accuracy(want)
    print("%s: PyTorch trained %d steps in %.1f s, test accuracy %.2f %%" % (name, steps, time.time() - t0, torch_acc))
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    files = {"onnx": os.path.join(work, name + ".onnx"), "npz": os.path.join(work, name + ".npz"),
             "safetensors": os.path.join(work, name + ".safetensors")}
    torch.onnx.export(model, test_x[:1], files["onnx"], input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    np.savez(files["npz"], **state)
    save_safetensors(files["safetensors"], state)
    for fmt, path in files.items():
        checkpoint = os.path.join(work, "%s_%s.fnck" % (name, fmt))
        source = ["--onnx", path] if fmt == "onnx" else ["--weights", path, "--model", spec]
        run(os.path.join(bin_dir, "import"), *source, "--out", checkpoint, "--data-dir", data_dir)
        firmnet_acc, got = evaluate(checkpoint, "%s_%s" % (name, fmt))
        err = relative_error(got, want)
        check(err < REL_TOL, "%s from %s: float logits of %d test images within %.1e relative of PyTorch's (%.2e)" %
              (name, fmt, len(got), REL_TOL, err))
        check(abs(firmnet_acc - torch_acc) <= ACC_TOL, "%s from %s: test accuracy %.2f %%, PyTorch %.2f %%" %
              (name, fmt, firmnet_acc, torch_acc))
        back = os.path.join(work, "%s_%s_back.npz" % (name, fmt))
        run(os.path.join(bin_dir, "export"), "--checkpoint-file", checkpoint, "--npz", back)
        exported = dict(np.load(back))
        mean = exported.pop("input_mean")
        same = len(exported) == len(state) and all(
            np.array_equal(a, b) for a, b in zip(exported.values(), state.values()))  # both in layer order
        check(same and not mean.any(), "%s from %s: export --layout pytorch gives the state_dict back bit for bit" % (name, fmt))
    # The same weights as a model trained on transforms.Normalize(0.25, 0.375): its input is
    # (pixel/255 - 0.25)/0.375, which import folds into the input mean and the first layer.
    checkpoint = os.path.join(work, name + "_normalized.fnck")
    run(os.path.join(bin_dir, "import"), "--weights", files["npz"], "--model", spec, "--input-mean", 0.25, "--input-std",
        0.375, "--out", checkpoint, "--data-dir", data_dir)
    _, got = evaluate(checkpoint, name + "_normalized")
    err = relative_error(got, logits_of(model, (test_x - 0.25) / 0.375))
    check(err < REL_TOL, "%s with --input-mean 0.25 --input-std 0.375: logits within %.1e relative of PyTorch's on "
          "normalised images (%.2e)" % (name, REL_TOL, err))
    # The ONNX import goes on to int8 and firmware.
    checkpoint = os.path.join(work, name + "_onnx.fnck")
    header = os.path.join(work, name + "_int8.hpp")
    log = run(os.path.join(bin_dir, "quantize"), "--checkpoint-file", checkpoint, "--data-dir", data_dir,
              "--output-file", os.path.join(work, name + ".fnq"), "--header-file", header)
    int8_acc = float(re.search(r"^int8 test accuracy: ([0-9.]+)$", log, re.M).group(1))
    check(abs(int8_acc - torch_acc) < 2.0, "%s: int8 test accuracy %.2f %% (float %.2f %%)" % (name, int8_acc, torch_acc))
    firmware(header, name)

# ---- firmnet -> PyTorch --------------------------------------------------------------------
for name, model_name, epochs in (("firmnet_mlp", "mlp:128,64", 1), ("firmnet_cnn", "cnn:small", 1)):
    checkpoint = os.path.join(work, name + ".fnck")
    run(os.path.join(bin_dir, "train"), "--model", model_name, "--epochs", epochs, "--num-train", 5000,
        "--data-dir", data_dir, "--checkpoint-file", checkpoint, "--plot-file", os.path.join(work, name + ".svg"))
    _, want = evaluate(checkpoint, name)
    npz = os.path.join(work, name + ".npz")
    log = run(os.path.join(bin_dir, "export"), "--checkpoint-file", checkpoint, "--npz", npz)
    module = re.search(r"^PyTorch module: (.*)$", log, re.M).group(1)
    model = eval(module, {"torch": torch}).eval()  # the Sequential export printed
    state = dict(np.load(npz))
    mean = torch.from_numpy(state.pop("input_mean"))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    got = logits_of(model, test_x - mean)  # firmnet's input: pixel/255 - input_mean
    err = relative_error(got, want)
    check(err < REL_TOL, "%s (%s) exported to .npz: PyTorch's logits within %.1e relative of firmnet's (%.2e)" %
          (name, model_name, REL_TOL, err))
    check(abs(accuracy(got) - accuracy(want)) <= ACC_TOL, "%s in PyTorch: test accuracy %.2f %%, firmnet %.2f %%" %
          (name, accuracy(got), accuracy(want)))

# ---- bad inputs ----------------------------------------------------------------------------
def refused(args, status, *patterns):
    proc = subprocess.run([os.path.join(bin_dir, args[0])] + [str(a) for a in args[1:]], capture_output=True, text=True)
    message = proc.stderr.strip()
    ok = proc.returncode == status and all(p in message for p in patterns)
    check(ok, "%s -> exit %d: %s" % (" ".join(os.path.basename(str(a)) for a in args), proc.returncode, message))


def damaged(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def exported(name, model):
    path = os.path.join(work, name + ".onnx")
    torch.onnx.export(model.eval(), test_x[:1], path, input_names=["image"], output_names=["out"])
    return path


out = ["--out", os.path.join(work, "bad.fnck"), "--data-dir", data_dir]
with open(os.path.join(work, "mlp.onnx"), "rb") as f:
    onnx_bytes = f.read()
with open(os.path.join(work, "mlp.npz"), "rb") as f:
    npz_bytes = f.read()
with open(os.path.join(work, "mlp.safetensors"), "rb") as f:
    st_bytes = f.read()
path = damaged("cut.onnx", onnx_bytes[:len(onnx_bytes) // 2])
refused(["import", "--onnx", path] + out, 1, path + ": corrupt ONNX model")
path = damaged("cut.npz", npz_bytes[:len(npz_bytes) // 2])
refused(["import", "--weights", path, "--model", "mlp:128,64"] + out, 1, path + ": ")
path = damaged("cut.safetensors", st_bytes[:len(st_bytes) - 100])
refused(["import", "--weights", path, "--model", "mlp:128,64"] + out, 1, path + ": ")
path = damaged("huge_header.safetensors", struct.pack("<Q", 1 << 62) + st_bytes[8:])
refused(["import", "--weights", path, "--model", "mlp:128,64"] + out, 1, path + ": ")
path = damaged("pickle.onnx", npz_bytes)
refused(["import", "--onnx", path] + out, 1, path + ": a ZIP archive", "export it with torch.onnx.export")
mlp_state = {k: v.detach().numpy() for k, v in models["mlp"][1].state_dict().items()}
path = os.path.join(work, "transposed.npz")
np.savez(path, **{k: (np.ascontiguousarray(v.T) if k == "1.weight" else v) for k, v in mlp_state.items()})
refused(["import", "--weights", path, "--model", "mlp:128,64"] + out, 1,
        path + ": '1.weight' is (784, 128); layer 1 (fc:128+relu on 784) needs (128, 784), PyTorch's Linear weight (out, in)")
refused(["import", "--weights", os.path.join(work, "mlp.npz"), "--model", "cnn:small"] + out, 1,
        "'1.weight' is (128, 784); layer 1 (conv:16:3x3:p1+relu on 28x28x1) needs (16, 1, 3, 3)")
refused(["import", "--weights", os.path.join(work, "mlp.npz"), "--model", "linear"] + out, 1,
        "mlp.npz: 3 layers with weights ('1', '3', '5'), the network in:784|fc:10 has 1")
bn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                         torch.nn.Linear(4 * 26 * 26, 10))
path = os.path.join(work, "bn.npz")
np.savez(path, **{k: v.numpy() for k, v in bn.state_dict().items()})
refused(["import", "--weights", path, "--model", "in:28x28x1|conv:4:3x3+relu|fc:10"] + out, 1,
        path + ": '2.weight', '2.bias', '2.running_mean', '2.running_var', '2.num_batches_tracked' belong to no layer",
        "fold a batch norm")
path = exported("bn", bn)
refused(["import", "--onnx", path] + out, 1, path + ": node 4", "(BatchNormalization): firmnet has no batch normalisation")
path = exported("log_softmax", torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10), torch.nn.LogSoftmax(1)))
refused(["import", "--onnx", path] + out, 1, path + ": node 2", "(LogSoftmax): firmnet's networks end with the raw scores")
path = exported("avgpool", torch.nn.Sequential(torch.nn.AvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(196, 10)))
refused(["import", "--onnx", path] + out, 1, path + ": node 1", "(Pad): firmnet pads only inside a convolution", "AveragePool")
path = exported("dilated", torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, dilation=2), torch.nn.Flatten(),
                                               torch.nn.Linear(2 * 24 * 24, 10)))
refused(["import", "--onnx", path] + out, 1, path + ": node 0", "(Conv): dilated convolution is not in firmnet")
path = exported("mlp100", torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 100), torch.nn.ReLU(),
                                              torch.nn.Linear(100, 10)))
refused(["import", "--onnx", path] + out, 1,
        path + ": the network in:784|fc:100+relu|fc:10 is not compiled into these programs",
        "Stack<Flat, Fc<100>, Relu, Fc<10>>,  // in:784|fc:100+relu|fc:10")
refused(["import", "--weights", os.path.join(work, "mlp.npz"), "--model", "resnet"] + out, 2, "--model: 'resnet' is not a model name")
refused(["import", "--weights", os.path.join(work, "mlp.onnx"), "--model", "mlp:128,64"] + out, 2,
        "a .npz (numpy.savez) or .safetensors file")
refused(["import", "--onnx", os.path.join(work, "mlp.onnx")], 2, "--out is required")
path = damaged("cut.fnck", open(os.path.join(work, "mlp_onnx.fnck"), "rb").read()[:1000])
refused(["export", "--checkpoint-file", path, "--npz", os.path.join(work, "x.npz")], 1, path + ": checkpoint checksum mismatch")

print("%.0f s" % (time.time() - t_start))
if failures:
    raise SystemExit("%d check(s) failed" % len(failures))
print("PASS: the PyTorch round trip")
