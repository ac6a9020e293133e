#!/usr/bin/env python3
"""Kernel speed over commits, one history per CPU model and GEMM variant (issue item 4).

Usage: history.py --variant avx2|avx512 --commit HASH [--method REPSxMIN_TIME] [--no-record]
                  one_thread.json [two_threads.json ...]

Reads the medians of a bench/compare run, prints each shape's change against the previous
entry of bench/history/<cpu>-<variant>.jsonl, appends the run as a new line (unless --no-record)
and redraws bench/history/<cpu>-<variant>.svg, the ratio to OpenBLAS of every shape over the
entries. What is compared is firmnet's GFLOP/s divided by OpenBLAS's in the same run: a busy or
slower machine slows both, so the ratio moves far less than either time does. Where the run
measured them, an entry also keeps the training steps (firmnet's and the cblas step's medians,
their ratio and its 95 % bootstrap interval) and, from the two-thread files, firmnet's GEMMs and
steps on two threads over one and the core-to-core round trip (where the host put the two vCPUs); the steps'
ratios are compared and charted as the GEMMs' are. FIRMNET_BENCH_HISTORY names another directory
for the history files (the tests use it).

A shape is flagged when its ratio falls by more than DROP_THRESHOLD (10 %) below the median of
its ratios in the last BASELINE_ENTRIES (3) entries measured the same way (--method, as
bench/compare passes it: repetitions x seconds; the first entries, 5x0.2, predate it).
Runs on the shared 2-vCPU machine move the ratio of a big product (SMALL_FLOPS, 10 MFLOP, and
more) by about 5 %, so one lucky previous run must not make the next ordinary one a "drop"; a
real slowdown falls below all recent entries. The small products (batch 1, the 10 class scores:
a few microseconds, bound by the L2 the other vCPU shares) move far more with no code change
(identical AVX-512 code: -12 % on 1x10x128; identical AVX2 code: -31 % on 1x128x784, whose
OpenBLAS peer is compute-bound and does not move with it), so they are flagged only beyond
SMALL_DROP_THRESHOLD (35 %). A ratio that falls while firmnet's own GFLOP/s holds is the peer
speeding up, not a regression (OpenBLAS-Cooperlake went from 88 to 123 GFLOP/s on 256^3 between two
runs, firmnet's unchanged AVX-512 code from 80 to 83): a shape is flagged only if firmnet's GFLOP/s
also fell by more than half the threshold below its own recent median. Each figure's change is
printed against the previous entry. A training step is flagged the same way (its ratio to the
cblas step more than DROP_THRESHOLD below the median of the last BASELINE_ENTRIES entries that
measured it the same way, and firmnet's own time more than half that above its own). Exit status 2 when anything is flagged. Python 3 standard library only.
"""
import datetime
import json
import math
import os
import re
import sys

from compare import STEP_SHAPES, gemm_figures, interval, medians, repetitions

DROP_THRESHOLD = 0.10
SMALL_DROP_THRESHOLD = 0.35
SMALL_FLOPS = 10e6
BASELINE_ENTRIES = 3
HERE = os.path.dirname(os.path.abspath(__file__))
HISTORY_DIR = os.environ.get("FIRMNET_BENCH_HISTORY") or os.path.join(HERE, "history")


def cpu_model():
    """(model name, family, model) from /proc/cpuinfo."""
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break  # the first processor is enough
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
    return info.get("model name", "unknown"), info.get("cpu family", "?"), info.get("model", "?")


def cpu_slug(name, family, model):
    """'Intel(R) Xeon(R) Processor', 6, 207 -> 'intel-xeon-processor-f6m207': virtual machines
    often hide the marketing name, so family and model keep Zen 3, Zen 4 and Xeons apart."""
    name = re.sub(r"\((r|tm)\)", "", name.lower())
    name = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{name}-f{family}m{model}"


def ms(b):
    return b["real_time"] / 1e6 if b and b.get("time_unit") == "ns" else None


def entry_from_run(path, variant, commit, method, two_paths=()):
    ctx, one = medians(path)
    two = {}
    for p in two_paths:
        two.update(medians(p)[1])
    figures, peak = gemm_figures(one, variant)
    name, family, model = cpu_model()
    gemm = {}
    for shape, g in figures.items():
        f, o, e = g["firmnet"], g["openblas"], g["eigen"]
        if f is None:
            continue
        gemm[shape] = {
            "firmnet": round(f, 2), "openblas": round(o, 2) if o else None, "eigen": round(e, 2) if e else None,
            "x_openblas": round(f / o, 4) if o else None, "x_eigen": round(f / e, 4) if e else None,
            "pct_peak": round(100 * f / peak, 1) if peak else None,
        }
        f2 = (two.get(f"BM_Gemm/firmnet_2t/{shape}") or {}).get("GFLOPS")
        if f2:
            gemm[shape]["x_two_threads"] = round(f2 / f, 4)
    # The training steps: the time of one step, and its ratio to the cblas step with the interval
    # compare.py prints beside it.
    reps = repetitions(path)
    times = lambda name: [r["real_time"] for r in reps.get(name, [])]
    steps = {}
    for shape in STEP_SHAPES:
        f, c = ms(one.get(f"BM_TrainStep/firmnet/{shape}")), ms(one.get(f"BM_TrainStep/cblas/{shape}"))
        if not f or not c:
            continue
        bounds = interval(times(f"BM_TrainStep/cblas/{shape}"), times(f"BM_TrainStep/firmnet/{shape}"))
        steps[shape] = {"firmnet_ms": round(f, 4), "cblas_ms": round(c, 4), "x_cblas": round(c / f, 4),
                        "x_cblas_95": [round(b, 4) for b in bounds] if bounds else None}
        f2 = ms(two.get(f"BM_TrainStep/firmnet_2t/{shape}"))
        if f2:
            steps[shape]["x_two_threads"] = round(f / f2, 4)
    eigen_key = "eigen_v3_simd" if variant == "avx2" else "eigen_v4_simd"
    entry = {
        "commit": commit,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu": name, "cpu_family": family, "cpu_model": model,
        "variant": variant,
        "method": method,
        "isa": {"firmnet_gemm": ctx.get("firmnet_gemm"), "openblas": ctx.get("openblas"), "eigen": ctx.get(eigen_key)},
        "fma_peak_gflops": round(peak, 2) if peak else None,
        "gemm": gemm,
    }
    if steps:
        entry["steps"] = steps
    trip = two.get("BM_CoreRoundTrip/firmnet_2t")
    if trip and trip.get("time_unit") == "ns":
        entry["core_round_trip_ns"] = round(trip["real_time"], 1)
    return entry


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def median(values):
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def report(entries, new):
    """Prints each shape's ratio to OpenBLAS against the previous entry; returns the flagged shapes."""
    prev = entries[-1]
    recent = [e for e in entries if e.get("method", "5x0.2") == new["method"]][-BASELINE_ENTRIES:]
    print(f"history: this run ({new['commit']}) against {prev['commit']} of {prev['date']} "
          f"(ratio = firmnet / OpenBLAS in the same run; flagged {DROP_THRESHOLD:.0%} below the median "
          f"of the last {len(recent)} entries measured {new['method']}, {SMALL_DROP_THRESHOLD:.0%} for "
          f"products under {SMALL_FLOPS / 1e6:.0f} MFLOP, with firmnet's own GFLOP/s down by half that)")
    print("| GEMM (M,N,K) | x OpenBLAS before | x OpenBLAS now | change | median of last entries | "
          "firmnet GFLOP/s before | now | |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    flagged = []
    for shape, g in new["gemm"].items():
        p = prev["gemm"].get(shape)
        past = sorted(e["gemm"][shape]["x_openblas"] for e in recent
                      if shape in e["gemm"] and e["gemm"][shape].get("x_openblas"))
        own = sorted(e["gemm"][shape]["firmnet"] for e in recent if shape in e["gemm"])
        if not p or not p.get("x_openblas") or not g.get("x_openblas"):
            print(f"| {shape} | - | {g.get('x_openblas') or '-'} | new | - | - | {g['firmnet']:.1f} | |")
            continue
        baseline = median(past) if past else None
        change = g["x_openblas"] / p["x_openblas"] - 1
        m, n, k = (int(x) for x in shape.split("_")[1].split("x"))
        threshold = DROP_THRESHOLD if 2.0 * m * n * k >= SMALL_FLOPS else SMALL_DROP_THRESHOLD
        flag = (baseline is not None and g["x_openblas"] < (1 - threshold) * baseline
                and g["firmnet"] < (1 - threshold / 2) * median(own))
        if flag:
            flagged.append(shape)
        print(f"| {shape} | {p['x_openblas']:.2f} | {g['x_openblas']:.2f} | {change:+.1%} | "
              f"{'-' if baseline is None else f'{baseline:.2f}'} | "
              f"{p['firmnet']:.1f} | {g['firmnet']:.1f} | {'**DROP**' if flag else ''} |")
    steps = new.get("steps", {})
    if steps:
        print()
        print("| training step | x cblas before | x cblas now | change | median of last entries | "
              "firmnet ms before | now | |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
    for shape, s in steps.items():
        # Entries without steps (before the nineteenth session, or from --gemm-only) are passed
        # over: "before" is the last entry that measured this step, the baseline the last
        # BASELINE_ENTRIES of those measured the same way.
        having = [e for e in entries if shape in e.get("steps", {})]
        p = having[-1]["steps"][shape] if having else None
        recent_steps = [e["steps"][shape] for e in having if e.get("method", "5x0.2") == new["method"]][-BASELINE_ENTRIES:]
        past = sorted(r["x_cblas"] for r in recent_steps)
        own = sorted(r["firmnet_ms"] for r in recent_steps)
        baseline = median(past) if past else None
        flag = (baseline is not None and s["x_cblas"] < (1 - DROP_THRESHOLD) * baseline
                and s["firmnet_ms"] > (1 + DROP_THRESHOLD / 2) * median(own))
        if flag:
            flagged.append(f"step {shape}")
        if not p:
            print(f"| {shape} | - | {s['x_cblas']:.2f} | new | - | - | {s['firmnet_ms']:.3f} | |")
            continue
        print(f"| {shape} | {p['x_cblas']:.2f} | {s['x_cblas']:.2f} | {s['x_cblas'] / p['x_cblas'] - 1:+.1%} | "
              f"{'-' if baseline is None else f'{baseline:.2f}'} | {p['firmnet_ms']:.3f} | {s['firmnet_ms']:.3f} | "
              f"{'**DROP**' if flag else ''} |")
    if flagged:
        print(f"history: {len(flagged)} figure(s) below their recent ratio by more than the threshold: "
              f"{', '.join(flagged)}")
    else:
        print("history: nothing below its recent ratio by more than the threshold")
    return flagged


COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#000000", "#9edae5", "#fdae6b", "#393b79", "#637939"]


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(entries, title, subtitle):
    """A line chart: x = entries in order (commit below), y = ratio to OpenBLAS on a log scale (the
    batch-1 products run 5x OpenBLAS, the rest near 1), one line per shape; the training steps'
    ratios to the cblas step, where entries have them, as dashed lines."""
    shapes = list(entries[-1]["gemm"])  # the benchmark's order, as the newest entry lists it
    for e in entries:
        shapes += [s for s in e["gemm"] if s not in shapes]
    steps = [s for s in STEP_SHAPES if any(s in e.get("steps", {}) for e in entries)]
    # (label, dashed, the ratio of entry e or None) per line
    lines = [(shape, False, lambda e, shape=shape: e["gemm"].get(shape, {}).get("x_openblas")) for shape in shapes]
    lines += [(f"step {shape} / cblas", True, lambda e, shape=shape: e.get("steps", {}).get(shape, {}).get("x_cblas"))
              for shape in steps]
    values = [v for _, _, value in lines for v in map(value, entries) if v]
    ticks = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16]
    lo = max([t for t in ticks if t <= min(values + [0.75])])
    hi = min([t for t in ticks if t >= max(values + [1.5])] + [ticks[-1]])
    left, top, width, height, legend = 60, 56, max(420, 90 * len(entries)), max(360, 15 * len(lines) + 20), 200
    total_w, total_h = left + width + legend + 20, top + height + (120 if steps else 106)
    x = lambda i: left + (width * (i + 0.5) / len(entries))
    y = lambda v: top + height * (math.log(hi) - math.log(min(max(v, lo), hi))) / (math.log(hi) - math.log(lo))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{total_w}" height="{total_h}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{esc(title)}</text>',
           f'<text x="{left}" y="38" fill="#444">{esc(subtitle)}</text>']
    for tick in (t for t in ticks if lo <= t <= hi):
        out.append(f'<line x1="{left}" x2="{left + width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                   f'stroke="{"#444" if tick == 1 else "#ddd"}"/>')
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')
    out.append(f'<text x="14" y="{top + height / 2}" transform="rotate(-90 14 {top + height / 2})" '
               f'text-anchor="middle">firmnet / OpenBLAS (GFLOP/s, same run; log scale)</text>')
    for i, e in enumerate(entries):
        out.append(f'<text x="{x(i):.1f}" y="{top + height + 16}" text-anchor="middle">{esc(e["commit"][:8])}</text>')
        out.append(f'<text x="{x(i):.1f}" y="{top + height + 30}" text-anchor="middle" fill="#666">'
                   f'{esc(e["date"][:10])}</text>')
        out.append(f'<text x="{x(i):.1f}" y="{top + height + 43}" text-anchor="middle" fill="#666">'
                   f'{esc(e.get("method", "5x0.2"))}</text>')
    for n, (label, dashed, value) in enumerate(lines):
        colour = COLOURS[n % len(COLOURS)]
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        points = [(x(i), y(value(e))) for i, e in enumerate(entries) if value(e)]
        if len(points) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5"{dash} points="'
                       + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        for px, py in points:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        ly = top + 12 + 15 * n
        out.append(f'<line x1="{left + width + 15}" x2="{left + width + 35}" y1="{ly - 4}" y2="{ly - 4}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + width + 40}" y="{ly}">{esc(label)}</text>')
    # The footer in lines that fit the narrowest chart (two entries: 700 px).
    footer = [f"above 1: faster than OpenBLAS. bench/history.py flags a fall of more than {DROP_THRESHOLD:.0%} "
              f"({SMALL_DROP_THRESHOLD:.0%} under {SMALL_FLOPS / 1e6:.0f} MFLOP)",
              f"below the median of the last {BASELINE_ENTRIES} entries measured the same way (repetitions x seconds,",
              "under each commit), with firmnet's own GFLOP/s down by half that"]
    if steps:
        footer.append("dashed: a training step's time, the cblas step's over firmnet's (the same test on its own time)")
    for n, line in enumerate(footer):
        out.append(f'<text x="{left}" y="{total_h - 10 - 14 * (len(footer) - 1 - n)}" fill="#666">{esc(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    variant, commit, method, record, paths = None, "unknown", "5x0.2", True, []
    while args:
        a = args.pop(0)
        if a == "--variant":
            variant = args.pop(0)
        elif a == "--commit":
            commit = args.pop(0)
        elif a == "--method":
            method = args.pop(0)
        elif a == "--no-record":
            record = False
        else:
            paths.append(a)
    if variant not in ("avx2", "avx512") or not paths:
        sys.exit(__doc__)
    new = entry_from_run(paths[0], variant, commit, method, paths[1:])
    if not new["gemm"]:
        sys.exit("history: no GEMM figures in " + paths[0])
    base = os.path.join(HISTORY_DIR, f"{cpu_slug(new['cpu'], new['cpu_family'], new['cpu_model'])}-{variant}")
    entries = load(base + ".jsonl")
    flagged = report(entries, new) if entries else []
    if not entries:
        print(f"history: first entry for {new['cpu']} (family {new['cpu_family']}, model {new['cpu_model']}), {variant}")
    if record:
        os.makedirs(HISTORY_DIR, exist_ok=True)
        with open(base + ".jsonl", "a") as f:
            f.write(json.dumps(new, sort_keys=False) + "\n")
        entries.append(new)
        print(f"history: appended to {os.path.relpath(base + '.jsonl')}")
    else:
        print("history: not recorded (--no-record or uncommitted changes)")
    if entries:
        with open(base + ".svg", "w") as f:
            f.write(svg(entries, f"firmnet {variant} GEMM / OpenBLAS over commits",
                        f"{new['cpu']} (family {new['cpu_family']}, model {new['cpu_model']}); OpenBLAS: "
                        f"{(new['isa'].get('openblas') or '?').split(' ')[-2]} kernels"))
        print(f"history: chart {os.path.relpath(base + '.svg')}")
    sys.exit(2 if flagged else 0)


if __name__ == "__main__":
    main()
