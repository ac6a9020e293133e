#!/usr/bin/python3
# python_reads_weight_files.py DIR: the files tests/tools/write_weight_files wrote into DIR load in
# NumPy with the values firmnet wrote; the safetensors file obeys the reference reader's rules
# (header size, tensors tiling the buffer exactly) and holds the same values. Exit 1 on a mismatch.
import json
import struct
import sys

import numpy as np


def floats(shape):
    return (np.arange(int(np.prod(shape)), dtype=np.float32) * 0.25 - 1).reshape(shape)


def ints(shape):
    return (np.arange(int(np.prod(shape)), dtype=np.int64) * 1000 - 3).reshape(shape)


def same(name, got, want):
    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want):
        sys.exit("%s: got %s %s %r, want %s %s" % (name, got.dtype, got.shape, got, want.dtype, want.shape))


def main(d):
    same("w.npy", np.load(d + "/w.npy"), floats((3, 4, 5)))
    same("i.npy", np.load(d + "/i.npy"), ints((7,)))
    with np.load(d + "/arrays.npz") as npz:
        if npz.files != ["w", "scalar", "empty", "steps"]:
            sys.exit("arrays.npz holds %s" % npz.files)
        same("arrays.npz w", npz["w"], floats((2, 3)))
        same("arrays.npz scalar", npz["scalar"], floats(()))
        same("arrays.npz empty", npz["empty"], floats((0, 4)))
        same("arrays.npz steps", npz["steps"], ints(()))

    data = open(d + "/model.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    if n > 100_000_000 or n % 8 or not data[8:9] == b"{":
        sys.exit("model.safetensors: header length %d or start %r" % (n, data[8:9]))
    header = json.loads(data[8:8 + n])
    buffer = data[8 + n:]
    if header.pop("__metadata__") != {"format": "pt", "note": "\u00e9 \"quoted\""}:
        sys.exit("model.safetensors: metadata")
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        if begin != end:
            sys.exit("model.safetensors: %s begins at %d, not %d" % (name, begin, end))
        end = stop
    if end != len(buffer):
        sys.exit("model.safetensors: tensors end at %d of %d bytes" % (end, len(buffer)))
    want = {"fc.weight": floats((10, 64)), "fc.bias": floats((10,)), "bn.num_batches_tracked": ints(())}
    types = {"F32": "<f4", "I64": "<i8"}
    for name, info in header.items():
        begin, stop = info["data_offsets"]
        got = np.frombuffer(buffer[begin:stop], dtype=types[info["dtype"]]).reshape(info["shape"])
        same("model.safetensors " + name, got, want.pop(name))
    if want:
        sys.exit("model.safetensors lacks %s" % list(want))


if __name__ == "__main__":
    main(sys.argv[1])
