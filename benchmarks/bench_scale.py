"""Scale: label sets over one set of series at 10k to 1M series, on CPU.

Three label sets (``group``, ``subject``, ``weekend`` of
:func:`sktsmtl.datasets.make_label_sets`) over series of length 168, as in the ResNet2D
paper's merchant case. For every size it fits one epoch of
:class:`~sktsmtl.MultiTaskTimeSeriesClassifier` two ways, each in a fresh process (so
that its peak resident memory is its own):

* ``shared``: ``fit(X, Y)`` with one label column per task: every mini-batch runs the
  backbone once and the three heads on it;
* ``alg2``: ``fit({task: X}, {task: y})``, the same series given once per task, trained
  by Algorithm 2 (one task per mini-batch), up to ``--alg2-up-to`` series.

and prints the epoch time, the predict throughput (series per second, all three tasks),
the data's size and the process's peak resident memory during the fit (the peak is
reset once the data is made, where Linux allows), then the growth exponent of the
epoch time and of the memory against n (``log(t2 / t1) / log(n2 / n1)``). The network's
working set is the peak memory of the smallest shared run less its data: the bar is
``peak <= data + working set`` at every size. ``--memmap DIR`` writes the series to a
file and fits from a read-only ``numpy.memmap`` of it (whose pages the fit unmaps
again as it reads them, :mod:`sktsmtl.data.mapped`).

``--accuracy`` instead compares the two ways over seeds at one size (train on ``n``,
test on ``n // 4`` series drawn from the same generator with another seed).

``--dtw`` times 1NN-DTW (:class:`~sktsmtl.KNeighborsDTWClassifier`, the ``subject``
task) on a sample of queries against n training series, extrapolates to ``n // 4``
queries and runs them when the estimate is within ``--dtw-budget`` seconds (refused
with the estimate otherwise).

Usage::

    python benchmarks/bench_scale.py --sizes 10000 100000 1000000
    python benchmarks/bench_scale.py --accuracy --n 10000 --epochs 20 --seeds 0 1 2
    python benchmarks/bench_scale.py --accuracy --epochs 5 --shared-batch-size 43
    python benchmarks/bench_scale.py --dtw --dtw-sizes 10000 100000
"""

import argparse
import ctypes
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LENGTH = 168
#: The backbone of the scale runs (named in the output): ResNet1D at a quarter width.
BACKBONE = dict(backbone="resnet1d", backbone__filters=(16, 32, 32))


def _peak_rss_bytes():
    """The process's peak resident memory since it started or since ``_reset_peak``."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f
                        if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak():
    """Start the peak again from the present resident memory (Linux >= 4.0), so that
    the fit's peak is its own and not the data generator's (which writes a memory-mapped
    file's every page)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _release_freed_heap():
    """Return the C heap's freed pages to the system (glibc ``malloc_trim``): the data
    generator's temporary blocks would otherwise stay resident and count as the fit's."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _estimator(epochs, seed, batch_size, validation_fraction=0.0):
    from sktsmtl import MultiTaskTimeSeriesClassifier

    return MultiTaskTimeSeriesClassifier(**BACKBONE, max_epochs=epochs,
                                         batch_size=batch_size, random_state=seed,
                                         validation_fraction=validation_fraction,
                                         early_stopping=None)


def _data(n, seed, memmap_dir=None):
    import numpy as np

    from sktsmtl.datasets import make_label_sets

    if memmap_dir is None:
        return make_label_sets(n, LENGTH, random_state=seed)
    path = Path(memmap_dir) / f"series_{n}_{seed}.f32"
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, LENGTH))
    _, Y = make_label_sets(n, LENGTH, out=out, random_state=seed)
    out.flush()
    del out
    return np.memmap(path, dtype=np.float32, mode="r", shape=(n, LENGTH)), Y


def run_one(mode, n, threads, batch_size, predict_rows, memmap_dir):
    """One fit of one epoch in this process; returns its figures."""
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    X, Y = _data(n, 0, memmap_dir)
    tasks = list(Y)
    labels = np.column_stack([Y[t] for t in tasks])
    del Y  # the data is X and the label columns
    _release_freed_heap()
    _reset_peak()
    rss_data = _rss_bytes()
    clf = _estimator(1, 0, batch_size)
    start = time.perf_counter()
    if mode == "shared":
        clf.fit(X, labels)
    else:
        clf.fit({t: X for t in tasks}, {t: labels[:, j] for j, t in enumerate(tasks)})
    fit_s = time.perf_counter() - start
    peak_fit = _peak_rss_bytes()
    history = clf.history_
    epoch_s = history[-1]["dur"]
    rows = min(n, predict_rows)
    X_new, _ = _data(rows, 1)
    start = time.perf_counter()
    if mode == "shared":
        clf.predict(X_new)
    else:
        clf.predict({t: X_new for t in tasks})
    predict_s = time.perf_counter() - start
    return dict(mode=mode, n=n, epoch_s=epoch_s, fit_s=fit_s,
                predict_rows=rows, predict_per_s=rows / predict_s,
                data_bytes=int(X.nbytes + labels.nbytes), peak_rss=peak_fit,
                peak_rss_predict=_peak_rss_bytes(),
                rss_before_fit=rss_data, memmap=memmap_dir is not None)


def _spawn(mode, n, args):
    command = [sys.executable, __file__, "--one", mode, str(n), "--threads",
               str(args.threads), "--batch-size", str(args.batch_size),
               "--predict-rows", str(args.predict_rows)]
    if args.memmap:
        command += ["--memmap", args.memmap]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} at n={n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _exponent(rows, key):
    out = []
    for a, b in zip(rows, rows[1:]):
        out.append(f"{a['n']:,}->{b['n']:,}: "
                   f"{math.log(b[key] / a[key]) / math.log(b['n'] / a['n']):.2f}")
    return "; ".join(out)


def scale(args):
    print(f"backbone {BACKBONE}, batch_size {args.batch_size}, length {LENGTH}, 3 label "
          f"sets; {args.threads} torch threads, {os.cpu_count()} cores"
          f"{'; series read from a memmap' if args.memmap else ''}")
    print(f"{'mode':7s} {'n':>9s} {'epoch s':>9s} {'series/s fit':>13s} "
          f"{'predict/s':>10s} {'data MB':>8s} {'peak RSS MB':>12s}")
    results = {"shared": [], "alg2": []}
    for n in args.sizes:
        for mode in ("shared", "alg2"):
            if mode == "alg2" and n > args.alg2_up_to:
                continue
            r = _spawn(mode, n, args)
            results[mode].append(r)
            print(f"{mode:7s} {n:>9,d} {r['epoch_s']:9.1f} {n / r['epoch_s']:13,.0f} "
                  f"{r['predict_per_s']:10,.0f} {r['data_bytes'] / 1e6:8.0f} "
                  f"{r['peak_rss'] / 1e6:12.0f}", flush=True)
    shared = results["shared"]
    for a in results["alg2"]:
        b = next(r for r in shared if r["n"] == a["n"])
        print(f"n={a['n']:,}: shared-input epoch {a['epoch_s'] / b['epoch_s']:.2f}x "
              f"faster than Algorithm 2; predict {b['predict_per_s'] / a['predict_per_s']:.2f}x")
    if len(shared) > 1:
        print("growth exponent of the shared epoch time:", _exponent(shared, "epoch_s"))
        print("growth exponent of the shared peak memory:", _exponent(shared, "peak_rss"))
    working = shared[0]["peak_rss"] - shared[0]["data_bytes"]
    print(f"working set (peak RSS of n={shared[0]['n']:,} less its data): "
          f"{working / 1e6:.0f} MB")
    for r in shared:
        bound = r["data_bytes"] + working
        print(f"n={r['n']:,}: peak {r['peak_rss'] / 1e6:.0f} MB vs data + working set "
              f"{bound / 1e6:.0f} MB: {'below' if r['peak_rss'] <= bound else 'ABOVE'}; "
              f"the fit added {(r['peak_rss'] - r['rss_before_fit']) / 1e6:.0f} MB to the "
              f"{r['rss_before_fit'] / 1e6:.0f} MB resident before it")


def accuracy(args):
    import numpy as np
    import torch
    from scipy.stats import wilcoxon

    torch.set_num_threads(args.threads)
    shared_batch = args.shared_batch_size or args.batch_size
    print(f"backbone {BACKBONE}, {args.epochs} epochs, batch_size {args.batch_size} "
          f"(shared input: {shared_batch}), "
          f"validation 0.25; train n={args.n:,}, test n={args.n // 4:,}; "
          f"{args.threads} torch threads")
    scores = {"shared": [], "alg2": []}
    epochs = {"shared": [], "alg2": []}
    for seed in args.seeds:
        X, Y = _data(args.n, 2 * seed)
        X_test, Y_test = _data(args.n // 4, 2 * seed + 1)
        tasks = list(Y)
        for mode in ("shared", "alg2"):
            batch_size = args.batch_size
            if mode == "shared" and args.shared_batch_size:
                batch_size = args.shared_batch_size
            clf = _estimator(args.epochs, seed, batch_size, validation_fraction=0.25)
            if mode == "shared":
                clf.fit(X, np.column_stack([Y[t] for t in tasks]))
                per_task = clf.score_tasks(X_test, np.column_stack([Y_test[t] for t in tasks]))
                per_task = {tasks[i]: v for i, v in per_task.items()}
            else:
                clf.fit({t: X for t in tasks}, {t: Y[t] for t in tasks})
                per_task = clf.score_tasks({t: X_test for t in tasks},
                                           {t: Y_test[t] for t in tasks})
            mean_epoch = statistics.mean(row["dur"] for row in clf.history_)
            scores[mode].append(per_task)
            epochs[mode].append(mean_epoch)
            print(f"seed {seed} {mode:6s} " + "  ".join(
                f"{t} {per_task[t]:.3f}" for t in tasks) +
                f"  mean {statistics.mean(per_task.values()):.3f}  epoch {mean_epoch:.1f} s",
                flush=True)
    for mode in scores:
        means = [statistics.mean(s.values()) for s in scores[mode]]
        half = 1.96 * statistics.stdev(means) / math.sqrt(len(means)) if len(means) > 1 else 0
        print(f"{mode:6s} mean accuracy {statistics.mean(means):.3f} +- {half:.3f} "
              f"(95% interval over seeds), epoch {statistics.mean(epochs[mode]):.1f} s")
    diffs = [s[t] - a[t] for s, a in zip(scores["shared"], scores["alg2"]) for t in s]
    wins = sum(d > 0 for d in diffs)
    losses = sum(d < 0 for d in diffs)
    p = wilcoxon(diffs).pvalue if any(diffs) else 1.0
    ratio = statistics.mean(epochs["alg2"]) / statistics.mean(epochs["shared"])
    print(f"shared vs alg2 over seeds x tasks: {wins}/{len(diffs) - wins - losses}/{losses} "
          f"wins/ties/losses, mean diff {statistics.mean(diffs):+.3f}, Wilcoxon p={p:.2f}; "
          f"epoch time ratio {ratio:.2f}x")


def dtw(args):
    from sktsmtl import KNeighborsDTWClassifier

    print(f"1NN-DTW (full window, lower-bound pruning), subject task, length {LENGTH}, "
          f"{args.dtw_queries} queries timed per size, numba threads {args.threads}")
    for n in args.dtw_sizes:
        X, Y = _data(n, 0)
        queries, _ = _data(args.dtw_queries, 1)
        clf = KNeighborsDTWClassifier(n_jobs=args.threads)
        start = time.perf_counter()
        clf.fit(X, Y["subject"])
        fit_s = time.perf_counter() - start
        clf.predict(queries[:2])  # numba's compilation, not timed
        start = time.perf_counter()
        clf.predict(queries)
        per_query = (time.perf_counter() - start) / len(queries)
        full = per_query * (n // 4)
        print(f"n={n:,}: fit {fit_s:.2f} s, {per_query:.2f} s per query "
              f"({clf.pruning_stats_['n_pruned'] / clf.pruning_stats_['n_pairs']:.0%} "
              f"of pairs pruned); {n // 4:,} queries estimated {full / 3600:.2f} h",
              flush=True)
        if full > args.dtw_budget:
            print(f"  refused: the estimate is over the {args.dtw_budget:.0f} s budget "
                  "(--dtw-budget)", flush=True)
            continue
        test, Y_test = _data(n // 4, 1)
        start = time.perf_counter()
        accuracy = float((clf.predict(test) == Y_test["subject"]).mean())
        print(f"  ran: predict {n // 4:,} queries in {time.perf_counter() - start:.0f} s, "
              f"accuracy {accuracy:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--alg2-up-to", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--predict-rows", type=int, default=100_000)
    parser.add_argument("--memmap", metavar="DIR", default=None,
                        help="fit from a read-only numpy.memmap of a file in DIR")
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--shared-batch-size", type=int, default=None,
                        help="batch size of the shared-input fits in --accuracy (default "
                        "--batch-size; batch_size / 3 gives them Algorithm 2's number of "
                        "optimiser steps per epoch over three tasks)")
    parser.add_argument("--dtw", action="store_true")
    parser.add_argument("--dtw-sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--dtw-queries", type=int, default=10)
    parser.add_argument("--dtw-budget", type=float, default=3600.0)
    parser.add_argument("--one", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        result = run_one(args.one[0], int(args.one[1]), args.threads, args.batch_size,
                         args.predict_rows, args.memmap)
        print(json.dumps(result))
    elif args.accuracy:
        accuracy(args)
    elif args.dtw:
        dtw(args)
    else:
        if args.memmap is None:
            scale(args)
        else:
            with tempfile.TemporaryDirectory(dir=args.memmap) as folder:
                args.memmap = folder
                scale(args)


if __name__ == "__main__":
    main()
