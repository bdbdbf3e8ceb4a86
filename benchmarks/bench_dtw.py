"""Benchmark of sktsmtl's DTW: cells per CPU-second against dtaidistance and aeon, 1NN pruning.

Run from the repository root, one thread for the per-core figures::

    NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/bench_dtw.py

Part 1 times all-pairs DTW (``pairwise_dtw``, symmetric: ``n (n - 1) / 2`` pairs) on
random walks against dtaidistance's ``dtw.distance_matrix_fast`` (C) and, when it is
installed, aeon's ``dtw_pairwise_distance``, with the same band (our ``window=0.1`` is
the radius ``r = ceil(0.1 L)``, dtaidistance's ``window=r + 1``) and the same thread
count (``--threads``: numba's ``n_jobs`` and dtaidistance's ``parallel`` flag with
OpenMP's thread count). numba is warmed up first; each figure is the best of
``--repeats`` runs, the libraries alternating. The measure is **DP cells per
CPU-second** (``time.process_time``, all threads of the process), so that a second job
on the machine does not distort it; wall time is printed too. A DP cell is one
``(i, j)`` of the band: ``sum_i (min(L - 1, i + r) - max(0, i - r) + 1)`` per pair.

The per-core limit is an upper bound on cells per second for this recurrence on one
core: per SIMD vector of ``W`` float64 cells the DP needs 2 loads (row above, second
series), 1 store and 4 floating-point operations (difference, fused multiply-add, two
minima), so ``limit = clock * W / max(2 / load_ports, 1 / store_ports, 4 / fp_pipes)``,
with the clock from ``/proc/cpuinfo`` and ``W = 8`` with AVX-512, else 4 (AVX2).
Ports and pipes are the CPU's (``--load-ports``, ``--store-ports``, ``--fp-pipes``;
the defaults 2, 1 and 4 are AMD Zen 3's; 2 FP pipes for AVX-512 Intel cores).

Part 2 runs the pruned exact 1NN-DTW search (``dtw_nearest_neighbor``) on the UCR data
set ECGFiveDays and on CricketX-like synthetic data (12 classes of warped, noisy
z-normalised curves, length 300, 390 train and 390 test series as in CricketX), with
and without LB_Improved, and prints the pruned share, the accuracy and a check against
brute force. The UCR folder is ``$SKTSMTL_UCR_DIR``, else ``../shared/data/ucr`` beside
the repository; ECGFiveDays is skipped with a message when neither holds it.
"""

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from sktsmtl.distances import pairwise_dtw, sakoe_chiba_radius
from sktsmtl.distances.inputs import check_collection, pack_series
from sktsmtl.distances.nearest import nearest_packed

from _common import ucr_dir


CONFIGS = [(200, 300, 0.1), (200, 300, None), (1000, 128, None), (50, 2000, None)]


def _cpu_info():
    mhz, flags, model = None, "", platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "cpu MHz" and mhz is None:
                    mhz = float(value)
                elif key == "flags" and not flags:
                    flags = value
                elif key == "model name":
                    model = value.strip()
    except OSError:
        pass
    return mhz, flags.split(), model


def per_core_limit(args):
    """Cells per second one core can do at most, and the formula as text."""
    mhz, flags, model = _cpu_info()
    if mhz is None:
        return None, "clock unknown (no /proc/cpuinfo): no per-core limit"
    width = 8 if "avx512f" in flags else 4 if "avx2" in flags else 2
    cycles = max(2 / args.load_ports, 1 / args.store_ports, 4 / args.fp_pipes)
    limit = mhz * 1e6 * width / cycles
    text = (f"{model}, {mhz:.0f} MHz; limit = clock x W / max(2/{args.load_ports} loads, "
            f"1/{args.store_ports} stores, 4/{args.fp_pipes} FP ops) per vector = "
            f"{mhz / 1000:.3f} GHz x {width} / {cycles:g} = {limit / 1e9:.2f} G cells/s")
    return limit, text


def band_cells(n_a, length, window, sym=True):
    r = sakoe_chiba_radius(length, length, window)
    per_pair = sum(min(length - 1, i + r) - max(0, i - r) + 1 for i in range(length))
    n_pairs = n_a * (n_a - 1) // 2 if sym else n_a * n_a
    return n_pairs * per_pair


def _timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def _libraries(threads):
    libs = {"sktsmtl": lambda X, w: pairwise_dtw(X, window=w, n_jobs=threads, squared=False)}
    notes = []
    try:
        from dtaidistance import dtw as dtai_dtw

        def dtai(X, w):
            L = X.shape[1]
            kw = {} if w is None else {"window": sakoe_chiba_radius(L, L, w) + 1}
            return dtai_dtw.distance_matrix_fast(X, parallel=threads > 1, **kw)
        libs["dtaidistance"] = dtai
    except ImportError:
        notes.append("dtaidistance: not installed (pip install -e .[test]).")
    try:
        from aeon.distances import dtw_pairwise_distance

        def aeon(X, w):
            kw = {} if w is None else {"window": w}
            return np.sqrt(dtw_pairwise_distance(X, n_jobs=threads, **kw))
        libs["aeon"] = aeon
    except ImportError:
        notes.append(
            "aeon: not installed. aeon 1.6.0 (the newest) requires numba<0.64 and "
            "numpy<2.4 (pip install --dry-run aeon would downgrade numba 0.68 -> 0.63.1 "
            "and numpy 2.4 -> 2.3.5), which conflicts with this environment, so it is "
            "not in the test extras.")
    return libs, notes


def bench_pairwise(args):
    limit, limit_text = per_core_limit(args)
    libs, notes = _libraries(args.threads)
    print(f"== All-pairs DTW, random walks; threads: {args.threads} for every library "
          f"(numba n_jobs={args.threads}, dtaidistance parallel={args.threads > 1}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}); "
          f"best of {args.repeats} ==")
    print(f"per-core limit: {limit_text}")
    for note in notes:
        print(note)
    rng = np.random.default_rng(0)
    warm = rng.normal(size=(20, 40)).cumsum(axis=1)
    for fn in libs.values():  # compile / load numba caches, load C libraries
        fn(warm, 0.1)
        fn(warm, None)
    names = list(libs)
    head = f"{'n x L':>10} {'window':>7} {'G cells':>8}"
    for name in names:
        head += f" {name + ' Gc/CPU-s':>22} {'wall s':>7}"
    head += f" {'ours/dtai':>9} {'of limit':>8} {'max |diff|':>10}"
    print(head)
    rows = []
    for n, length, window in CONFIGS:
        if args.quick:
            n = min(n, 60)
        X = rng.normal(size=(n, length)).cumsum(axis=1)
        cells = band_cells(n, length, window)
        best = {name: (np.inf, np.inf) for name in names}
        results = {}
        for rep in range(args.repeats):
            for name in names:
                if name != "sktsmtl" and rep >= args.other_repeats:
                    continue
                cpu, wall, out = _timed(lambda: libs[name](X, window))
                best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
                results[name] = out
        line = f"{f'{n} x {length}':>10} {str(window):>7} {cells / 1e9:8.2f}"
        rate = {}
        for name in names:
            cpu, wall = best[name]
            rate[name] = cells / cpu
            line += f" {rate[name] / 1e9:22.3f} {wall:7.2f}"
        ratio = rate["sktsmtl"] / rate["dtaidistance"] if "dtaidistance" in rate else np.nan
        share = rate["sktsmtl"] / (limit * args.threads) if limit else np.nan
        diff = max((float(np.max(np.abs(results["sktsmtl"] - results[o]))) for o in names
                    if o != "sktsmtl"), default=0.0)
        line += f" {ratio:9.2f} {share:8.1%} {diff:10.1e}"
        print(line)
        rows.append((n, length, window, rate, ratio, share))
    print("Gc/CPU-s: 1e9 DP cells per CPU-second; ours/dtai: ratio of cells per "
          "CPU-second; of limit: ours / (per-core limit x threads); max |diff|: largest "
          "absolute difference of the distance matrices (square-root convention).")
    return rows


def _read_ucr_tsv(path):
    data = np.genfromtxt(path, delimiter="\t")
    return data[:, 1:], data[:, 0]


def cricket_like(seed=0, n_classes=12, n_per_class=65, length=300):
    """12 classes of warped, scaled, noisy z-normalised curves (CricketX's sizes)."""
    rng = np.random.default_rng(seed)
    u = np.linspace(0.0, 1.0, length)
    kernel = np.exp(-0.5 * (np.arange(-30, 31) / 10.0) ** 2)
    protos = [np.convolve(rng.normal(size=length + 60).cumsum(), kernel / kernel.sum(),
                          mode="valid")[:length] for _ in range(n_classes)]
    X, y = [], []
    for c, p in enumerate(protos):
        for _ in range(n_per_class):
            knots = np.sort(rng.uniform(0, 1, size=4))
            warp = np.interp(u, np.r_[0, knots, 1],
                             np.r_[0, np.sort(knots + rng.normal(0, 0.1, 4)), 1])
            s = np.interp(np.clip(warp, 0, 1), u, p) * rng.uniform(0.8, 1.2)
            s = s + rng.normal(0, 1.2 * p.std(), length)
            X.append((s - s.mean()) / s.std())
            y.append(c)
    X, y = np.array(X), np.array(y)
    perm = rng.permutation(len(y))
    X, y = X[perm], y[perm]
    half = len(y) // 2
    return X[:half], y[:half], X[half:], y[half:]


def _nn_run(X_test, X_train, window, improved, threads):
    q = pack_series(check_collection(X_test, "X")[0])
    t = pack_series(check_collection(X_train, "Y")[0])
    w = -1.0 if window is None else float(window)
    nearest_packed(q, t, w, threads, improved)  # warm-up
    cpu, wall, (idx, _, stats) = _timed(lambda: nearest_packed(q, t, w, threads,
                                                               improved))
    return idx, stats, cpu


def bench_pruning(args):
    sets = []
    folder = Path(ucr_dir()).expanduser() / "ECGFiveDays"
    train, test = folder / "ECGFiveDays_TRAIN.tsv", folder / "ECGFiveDays_TEST.tsv"
    if train.is_file() and test.is_file():
        X_train, y_train = _read_ucr_tsv(train)
        X_test, y_test = _read_ucr_tsv(test)
        sets.append(("ECGFiveDays", X_train, y_train, X_test, y_test))
    else:
        print(f"\nECGFiveDays skipped: {train} not found (set SKTSMTL_UCR_DIR).")
    sets.append(("CricketX-like",) + cricket_like())
    print(f"\n== Exact 1NN-DTW with lower-bound pruning; {args.threads} thread(s) ==")
    print(f"{'data':>14} {'train x test x L':>17} {'window':>7} {'LB_Imp':>6} "
          f"{'pruned':>7} {'abandoned':>9} {'full DTW':>8} {'accuracy':>8} {'CPU s':>6} "
          f"{'brute CPU s':>11} {'== brute':>8}")
    for name, X_train, y_train, X_test, y_test in sets:
        if args.quick:
            X_test, y_test = X_test[:40], y_test[:40]
        shape = f"{len(X_train)} x {len(X_test)} x {X_train.shape[1]}"
        for window in (None, 0.1):
            pairwise_dtw(X_test[:2], X_train[:2], window=window)  # warm-up
            brute_cpu, _, D = _timed(lambda: pairwise_dtw(X_test, X_train, window=window,
                                                          n_jobs=args.threads))
            brute = D.argmin(axis=1)
            for improved in (False, True):
                idx, s, cpu = _nn_run(X_test, X_train, window, improved, args.threads)
                n = s["n_pairs"]
                print(f"{name:>14} {shape:>17} {str(window):>7} {str(improved):>6} "
                      f"{s['n_pruned'] / n:7.1%} {s['n_abandoned'] / n:9.1%} "
                      f"{s['n_dtw_computed'] / n:8.1%} "
                      f"{np.mean(y_train[idx] == y_test):8.4f} {cpu:6.2f} {brute_cpu:11.2f} "
                      f"{str(bool(np.array_equal(idx, brute))):>8}")
    print("pruned: share of the test x train pairs skipped by LB_Kim/LB_Keogh (and "
          "LB_Improved); abandoned: DTW (or a lane batch) stopped early; full DTW: run "
          "to the end; brute CPU s: pairwise_dtw over all pairs, then argmin.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--other-repeats", type=int, default=1,
                        help="repeats for the other libraries (slow)")
    parser.add_argument("--load-ports", type=int, default=2)
    parser.add_argument("--store-ports", type=int, default=1)
    parser.add_argument("--fp-pipes", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--skip-pruning", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, NUMBA_NUM_THREADS="
          f"{os.environ.get('NUMBA_NUM_THREADS', 'unset')}")
    bench_pairwise(args)
    if not args.skip_pruning:
        bench_pruning(args)


if __name__ == "__main__":
    main()
