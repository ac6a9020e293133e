#!/usr/bin/env python3
"""bench/history.py on made-up bench/compare runs: what it records, what it flags, what it draws.

Each case writes Google Benchmark JSON as bench/compare leaves it (medians and every repetition;
the single-thread file and the two-thread one), runs history.py on it against a history
directory of its own (FIRMNET_BENCH_HISTORY) and checks the exit status, the table's flags, the
appended entry and the chart. Standard library only; exits 1 on the first failed check."""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench")
HISTORY = os.path.join(BENCH, "history.py")

# GFLOP/s of firmnet, OpenBLAS and Eigen per shape: one big product and one small (under 10 MFLOP).
BASE = {"NN_1024x1024x1024": (130.0, 128.0, 126.0), "NN_1x10x128": (30.0, 8.0, 18.0)}
STEPS = {"3072-128-10": (0.80, 1.25), "784-128-10": (0.205, 0.310)}  # ms: firmnet, cblas
REPS = 7


def bench_entries(name, value, key, time_ns, index):
    """REPS repetitions of one benchmark spread by +-1 %, and their median."""
    spread = [1 + 0.01 * (i - REPS // 2) / (REPS // 2) for i in range(REPS)]
    out = []
    for i, f in enumerate(spread):
        b = {"name": name, "run_name": name, "run_type": "iteration", "repetition_index": i, "family_index": index,
             "real_time": time_ns * f, "time_unit": "ns"}
        if key:
            b[key] = value / f
        out.append(b)
    median = {"name": name + "_median", "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
              "family_index": index, "real_time": time_ns, "time_unit": "ns"}
    if key:
        median[key] = value
    return out + [median]


def write_run(directory, gemm, steps, two_threads=1.9):
    """one_thread.json and two_threads.json of a run; returns their paths."""
    one, two = [], []
    one += bench_entries("BM_FmaPeak/avx2", 138.0, "GFLOPS", 1000.0, 0)
    for index, (shape, (f, o, e)) in enumerate(gemm.items(), start=1):
        for impl, v in (("firmnet", f), ("openblas", o), ("eigen_v3", e)):
            one += bench_entries(f"BM_Gemm/{impl}/{shape}", v, "GFLOPS", 1e6 / v, index)
        two += bench_entries(f"BM_Gemm/firmnet_2t/{shape}/real_time", f * two_threads, "GFLOPS", 1e6 / (f * two_threads), index)
    for shape, (f, c) in steps.items():
        one += bench_entries(f"BM_TrainStep/firmnet/{shape}", None, None, f * 1e6, 10)
        one += bench_entries(f"BM_TrainStep/cblas/{shape}", None, None, c * 1e6, 11)
        two += bench_entries(f"BM_TrainStep/firmnet_2t/{shape}/real_time", None, None, f * 1e6 / two_threads, 12)
    two += bench_entries("BM_CoreRoundTrip/firmnet_2t/real_time", None, None, 120.0, 13)
    context = {"firmnet_gemm": "fma3+avx2", "openblas": "OpenBLAS 0.3.21 Haswell MAX_THREADS=64",
               "eigen_v3_simd": "AVX SSE"}
    paths = []
    for name, benchmarks in (("one_thread.json", one), ("two_threads.json", two)):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            json.dump({"context": context, "benchmarks": benchmarks}, f)
        paths.append(path)
    return paths


failures = 0


def check(condition, what):
    global failures
    print(("ok: " if condition else "FAILED: ") + what)
    failures += not condition


def run(history_dir, gemm, steps, record=True, commit="c0"):
    with tempfile.TemporaryDirectory() as d:
        paths = write_run(d, gemm, steps)
        env = dict(os.environ, FIRMNET_BENCH_HISTORY=history_dir)
        args = [sys.executable, HISTORY, "--variant", "avx2", "--commit", commit, "--method", f"{REPS}x0.05"]
        p = subprocess.run(args + ([] if record else ["--no-record"]) + paths, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def row(output, label):
    """The table row of a shape or step (the text after its first cell's name)."""
    return next((line for line in output.splitlines() if line.startswith(f"| {label} |")), "")


def entries(history_dir):
    [name] = [n for n in os.listdir(history_dir) if n.endswith(".jsonl")]
    with open(os.path.join(history_dir, name)) as f:
        return [json.loads(line) for line in f]


def scaled(table, shape, factors):
    out = dict(table)
    out[shape] = tuple(v * k for v, k in zip(table[shape], factors))
    return out


with tempfile.TemporaryDirectory() as h:
    for i in range(3):
        status, out = run(h, BASE, STEPS, commit=f"base{i}")
        check(status == 0, f"baseline run {i} exits 0 ({status})")
    e = entries(h)
    check(len(e) == 3, f"three entries recorded ({len(e)})")
    last = e[-1]
    check(abs(last["gemm"]["NN_1024x1024x1024"]["x_openblas"] - 130 / 128) < 1e-3, "the ratio to OpenBLAS is recorded")
    check(abs(last["gemm"]["NN_1024x1024x1024"]["x_two_threads"] - 1.9) < 1e-3, "two threads over one is recorded")
    step = last["steps"]["784-128-10"]
    check(abs(step["x_cblas"] - 0.310 / 0.205) < 1e-3, "the step's ratio to the cblas step is recorded")
    lo, hi = step["x_cblas_95"]
    check(lo < step["x_cblas"] < hi and hi - lo < 0.1, f"its interval holds it ([{lo}, {hi}])")
    check(abs(step["x_two_threads"] - 1.9) < 1e-3, "the step on two threads over one is recorded")
    check(last["core_round_trip_ns"] == 120.0, "the core round trip is recorded")

    status, out = run(h, scaled(BASE, "NN_1024x1024x1024", (0.7, 1, 1)), STEPS, record=False)
    check(status == 2, f"a big product 30 % slower exits 2 ({status})")
    check("**DROP**" in row(out, "NN_1024x1024x1024"), "and its row is flagged")
    check(row(out, "NN_1x10x128") and "**DROP**" not in row(out, "NN_1x10x128") and row(out, "784-128-10")
          and "**DROP**" not in row(out, "784-128-10"), "nothing else is")
    check(len(entries(h)) == 3, "--no-record appends nothing")

    status, out = run(h, scaled(BASE, "NN_1024x1024x1024", (1, 1.3, 1)), STEPS, record=False)
    check(status == 0 and "**DROP**" not in out, "the peer 30 % faster, firmnet unchanged: not flagged")

    status, out = run(h, scaled(BASE, "NN_1x10x128", (0.8, 1, 1)), STEPS, record=False)
    check(status == 0, "a small product 20 % slower is within its threshold")
    status, out = run(h, scaled(BASE, "NN_1x10x128", (0.5, 1, 1)), STEPS, record=False)
    check(status == 2 and "**DROP**" in row(out, "NN_1x10x128"), "a small product 50 % slower is flagged")

    slow_step = dict(STEPS, **{"784-128-10": (0.205 * 1.2, 0.310)})
    status, out = run(h, BASE, slow_step, record=False)
    check(status == 2 and "**DROP**" in row(out, "784-128-10"), "a training step 20 % slower is flagged")
    check(row(out, "3072-128-10") and "**DROP**" not in row(out, "3072-128-10"), "the other step is not")

    # A run without steps (bench/compare --gemm-only) in between: the next full run's steps are
    # still compared with the last entries that measured them.
    with tempfile.TemporaryDirectory() as d:
        one, _ = write_run(d, BASE, {})
        env = dict(os.environ, FIRMNET_BENCH_HISTORY=h)
        p = subprocess.run([sys.executable, HISTORY, "--variant", "avx2", "--commit", "gemmonly", "--method",
                            f"{REPS}x0.05", one], env=env, capture_output=True, text=True)
    check(p.returncode == 0 and "steps" not in entries(h)[-1], "a run with GEMMs only is recorded without steps")
    status, out = run(h, BASE, slow_step, record=False)
    check(status == 2 and "**DROP**" in row(out, "784-128-10"), "after it a step 20 % slower is still flagged")
    check(row(out, "784-128-10").startswith(f"| 784-128-10 | {0.310 / 0.205:.2f} |"),
          "against the last entry that measured it")

    [chart] = [n for n in os.listdir(h) if n.endswith(".svg")]
    root = ET.parse(os.path.join(h, chart)).getroot()
    lines = [p for p in root.iter("{http://www.w3.org/2000/svg}polyline")]
    dashed = [p for p in lines if p.get("stroke-dasharray")]
    check(len(lines) == 4 and len(dashed) == 2, f"the chart draws 2 shapes and 2 dashed steps ({len(lines)}, {len(dashed)})")
    texts = [t for t in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = "".join(t.text or "" for t in texts)
    check("step 784-128-10 / cblas" in joined and "base2" in joined and "gemmonly" in joined,
          "with their labels and the commits")
    height = float(root.get("height"))
    check(all(float(t.get("y")) <= height for t in texts), "every line of text within the chart")

sys.exit(1 if failures else 0)
