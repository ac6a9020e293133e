#!/usr/bin/env python3
"""Prints BENCHMARKS.md's tables from firmnet_bench JSON (medians of repetitions).
Usage: compare.py --variant avx2|avx512 one_thread.json [two_threads.json ...]
The variant names the pairing bench/compare ran: firmnet's fma3+avx2 GEMM against OpenBLAS's
Haswell kernels and Eigen -march=x86-64-v3, or its avx512bw GEMM against OpenBLAS's own choice
and Eigen -march=x86-64-v4; % of peak is of that variant's vector width.
With the repetitions in the JSON (bench/compare keeps them), a ratio also gets its 95 % bootstrap
interval: the GEMM ratios whose interval holds 1.00 are listed under the table (ties within the
run's noise), and each training step's ratio to the cblas step shows its interval."""
import json
import random
import sys

# Per variant: the Eigen build it meets and the FMA peaks its % of peak is taken of.
VARIANTS = {
    "avx2": {"eigen": "eigen_v3", "peaks": ("avx2",)},
    "avx512": {"eigen": "eigen_v4", "peaks": ("avx512", "avx2")},
}


STEP_SHAPES = ("3072-128-10", "784-128-10")  # the training steps firmnet_bench measures


def medians(path, aggregate="median"):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != aggregate:
            continue
        out[b["run_name"].replace("/real_time", "")] = b
    return data["context"], out


def repetitions(path):
    """{run name: [each repetition's benchmark entry]} (bench/compare keeps them in its JSON)."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "iteration":
            out.setdefault(b["run_name"].replace("/real_time", ""), []).append(b)
    return out


def interval(num, den, resamples=2000, seed=1):
    """The 95 % bootstrap interval of median(num) / median(den): each side's repetitions resampled
    on their own (they ran in random order among all the others, so no repetition of one side is
    paired with one of the other). None with fewer than 5 repetitions a side. Seeded: the same
    JSON gives the same interval."""
    if len(num) < 5 or len(den) < 5:
        return None
    rng = random.Random(seed)
    def med(v):
        v = sorted(v)
        return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
    ratios = sorted(med(rng.choices(num, k=len(num))) / med(rng.choices(den, k=len(den))) for _ in range(resamples))
    return ratios[round(0.025 * resamples)], ratios[round(0.975 * resamples) - 1]


def within_noise(label, ratio_now, bounds, target):
    """'label 0.998 [0.990, 1.006]' where the interval holds target, else None."""
    if ratio_now is None or bounds is None or not bounds[0] <= target <= bounds[1]:
        return None
    return f"{label} {ratio_now:.3f} [{bounds[0]:.3f}, {bounds[1]:.3f}]"


def counter(b, name):
    return b.get(name) if b else None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def gemm_figures(one, variant):
    """{shape: {"firmnet", "openblas", "eigen": GFLOP/s}} in the benchmark's order, and the peak."""
    v = VARIANTS[variant]
    peak = max([counter(one.get(f"BM_FmaPeak/{isa}"), "GFLOPS") or 0 for isa in v["peaks"]])
    # In the benchmark's order (repetitions run interleaved, so the JSON's order is random).
    shapes = sorted((k.split("/")[2] for k in one if k.startswith("BM_Gemm/firmnet/")),
                    key=lambda s: one[f"BM_Gemm/firmnet/{s}"].get("family_index", 0))
    figures = {}
    for shape in shapes:
        figures[shape] = {impl: counter(one.get(f"BM_Gemm/{key}/{shape}"), "GFLOPS")
                          for impl, key in (("firmnet", "firmnet"), ("openblas", "openblas"), ("eigen", v["eigen"]),
                                            ("scalar", "scalar"))}
    return figures, peak


def main():
    args = sys.argv[1:]
    variant = "avx512"
    if args[:1] == ["--variant"]:
        variant, args = args[1], args[2:]
    ctx, one = medians(args[0])
    two, two_means = {}, {}  # the two-thread runs, one file per process (bench/compare keeps the peers apart)
    for path in args[1:]:
        two.update(medians(path)[1])
        two_means.update(medians(path, "mean")[1])
    figures, peak = gemm_figures(one, variant)
    print(f"Machine: {ctx.get('host_name', '?')}, {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz; "
          f"caches {', '.join(str(c['size'] // 1024) + ' KiB L' + str(c['level']) + c['type'][0].lower() for c in ctx.get('caches', []))}")
    print(f"Variant {variant}. firmnet GEMM: {ctx.get('firmnet_gemm')} (planned for an L1d of {ctx.get('firmnet_l1d')}), "
          f"element-wise: {ctx.get('firmnet_relu')}; "
          f"OpenBLAS: {ctx.get('openblas')}; Eigen SIMD: {ctx.get(VARIANTS[variant]['eigen'] + '_simd')}")
    print(f"FMA peak of this variant, 1 core: {fmt(peak)} GFLOP/s "
          f"(avx512 {fmt(counter(one.get('BM_FmaPeak/avx512'), 'GFLOPS'))}, avx2 {fmt(counter(one.get('BM_FmaPeak/avx2'), 'GFLOPS'))})")
    print()
    print("| GEMM (M,N,K) | firmnet | OpenBLAS | Eigen | scalar | x OpenBLAS | x Eigen | % of peak | firmnet 2 threads | OpenBLAS 2 threads | 2 threads / 1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for shape, g in figures.items():
        f2 = counter(two.get(f"BM_Gemm/firmnet_2t/{shape}"), "GFLOPS")
        o2 = counter(two.get(f"BM_Gemm/openblas_2t/{shape}"), "GFLOPS")
        print(f"| {shape} | {fmt(g['firmnet'])} | {fmt(g['openblas'])} | {fmt(g['eigen'])} | {fmt(g['scalar'])} | "
              f"{fmt(ratio(g['firmnet'], g['openblas']), 2)} | {fmt(ratio(g['firmnet'], g['eigen']), 2)} | "
              f"{fmt(100 * g['firmnet'] / peak if g['firmnet'] and peak else None, 0)} | {fmt(f2)} | {fmt(o2)} | {fmt(ratio(f2, g['firmnet']), 2)} |")
    reps = repetitions(args[0])
    gflops = lambda name: [r["GFLOPS"] for r in reps.get(name, []) if "GFLOPS" in r]
    ties, computed = [], 0
    for shape, g in figures.items():
        for peer, bench, impl in (("OpenBLAS", "openblas", "openblas"), ("Eigen", VARIANTS[variant]["eigen"], "eigen")):
            mine, theirs = gflops(f"BM_Gemm/firmnet/{shape}"), gflops(f"BM_Gemm/{bench}/{shape}")
            bounds = interval(mine, theirs)
            computed += bounds is not None
            tie = within_noise(f"{shape} x {peer}", ratio(g["firmnet"], g[impl]), bounds, 1.0)
            if tie:
                ties.append(tie)
    if reps:
        print()
        print("Ratios within the noise of this run (the 95 % bootstrap interval over the repetitions of each "
              f"side holds 1.00): {'; '.join(ties) if ties else 'none' if computed else 'not computed (fewer than 5 repetitions)'}")
    if not any(k.startswith("BM_TrainStep/") for k in one):
        return  # bench/compare --gemm-only
    print()
    print("| training step, batch 64 | firmnet ms | cblas (numpy's way) ms | x cblas | x cblas, 95 % interval | firmnet 2 threads ms | 2 threads / 1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for shape in STEP_SHAPES:
        f = one.get(f"BM_TrainStep/firmnet/{shape}")
        c = one.get(f"BM_TrainStep/cblas/{shape}")
        f2 = two.get(f"BM_TrainStep/firmnet_2t/{shape}")
        ms = lambda b: b["real_time"] / 1e6 if b and b["time_unit"] == "ns" else None
        times = lambda name: [r["real_time"] for r in reps.get(name, [])]
        bounds = interval(times(f"BM_TrainStep/cblas/{shape}"), times(f"BM_TrainStep/firmnet/{shape}"))
        spread = f"[{bounds[0]:.2f}, {bounds[1]:.2f}]" if bounds else "-"
        print(f"| {shape} | {fmt(ms(f), 3)} | {fmt(ms(c), 3)} | {fmt(ratio(ms(c), ms(f)), 2)} | {spread} | {fmt(ms(f2), 3)} | "
              f"{fmt(ratio(ms(f), ms(f2)), 2)} |")
    trip = two.get("BM_CoreRoundTrip/firmnet_2t")
    mean = two_means.get("BM_CoreRoundTrip/firmnet_2t")
    if trip and trip["time_unit"] == "ns":  # where the host put the two vCPUs: ~50 ns within one L3, hundreds across
        print()
        print(f"Core-to-core round trip of a cache line, CPUs 0 and 1 (a hand-off between the pool's threads costs "
              f"a few; about 50 ns within one L3, hundreds across): median {fmt(trip['real_time'], 0)} ns, "
              f"mean {fmt(mean['real_time'] if mean else None, 0)} ns")
    print()
    print("| prediction | firmnet µs | cblas µs | x cblas |")
    print("|---|---:|---:|---:|")
    for shape in ("3072-128-10", "784-128-10"):
        for batch in ("batch1", "batch64"):
            f = one.get(f"BM_Predict/firmnet/{shape}/{batch}/" + batch[5:])
            c = one.get(f"BM_Predict/cblas/{shape}/{batch}/" + batch[5:])
            us = lambda b: b["real_time"] / 1e3 if b else None
            print(f"| {shape} {batch} | {fmt(us(f))} | {fmt(us(c))} | {fmt(ratio(us(c), us(f)), 2)} |")
    print()
    vnni = counter(one.get("BM_VnniPeak"), "GOPS")
    print(f"int8 (kernel: {ctx.get('firmnet_int8')}); measured vpdpbusd peak, 1 core: {fmt(vnni)} GOP/s")
    print()
    print("| int8 product rows x (out, in) | firmnet GOP/s | scalar GOP/s | x scalar | % of VNNI peak |")
    print("|---|---:|---:|---:|---:|")
    for shape in sorted({k.split('/')[2] for k in one if k.startswith('BM_QGemv/')}, key=lambda s: one[f"BM_QGemv/firmnet/{s}"].get("family_index", 0)):
        f = counter(one.get(f"BM_QGemv/firmnet/{shape}"), "GOPS")
        sc = counter(one.get(f"BM_QGemv/scalar/{shape}"), "GOPS")
        print(f"| {shape} | {fmt(f)} | {fmt(sc)} | {fmt(ratio(f, sc), 1)} | {fmt(100 * f / vnni if f and vnni else None, 0)} |")
    print()
    print("| prediction, int8 vs float (same run) | int8 µs | float µs | int8 / float |")
    print("|---|---:|---:|---:|")
    for shape in ("3072-128-10", "784-128-10"):
        for batch in ("batch1", "batch64"):
            q = one.get(f"BM_QuantizedPredict/firmnet/{shape}/{batch}/" + batch[5:])
            f = one.get(f"BM_Predict/firmnet/{shape}/{batch}/" + batch[5:])
            us = lambda b: b["real_time"] / 1e3 if b else None
            print(f"| {shape} {batch} | {fmt(us(q), 2)} | {fmt(us(f), 2)} | {fmt(ratio(us(q), us(f)), 2)} |")
    print()
    print("| ReLU | firmnet GB/s | scalar GB/s |")
    print("|---|---:|---:|")
    for n in ("8192", "196608"):
        f = one.get(f"BM_Relu/firmnet/{n}/{n}")
        s = one.get(f"BM_Relu/scalar/{n}/{n}")
        gbs = lambda b: b["bytes_per_second"] / 1e9 if b else None
        print(f"| {n} floats | {fmt(gbs(f))} | {fmt(gbs(s))} |")


if __name__ == "__main__":
    main()
