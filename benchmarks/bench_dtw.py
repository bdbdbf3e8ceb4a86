"""Benchmark of sktsmtl's DTW: pairwise speed against dtaidistance, 1NN-DTW pruning.

Run from the repository root::

    python benchmarks/bench_dtw.py [--repeats 3] [--n-series 200] [--length 300]

Part 1 times ``pairwise_dtw`` against dtaidistance's ``dtw.distance_matrix_fast``
(C, OpenMP) on random walks, with the same band: our ``window=0.1`` is the radius
``r = ceil(0.1 * L)``, which is dtaidistance's ``window=r + 1``. numba is warmed up
first; each timing is the best of ``--repeats`` runs, the two libraries alternating, so
that a busy machine penalises both alike. Both use all cores.

Part 2 runs 1NN-DTW (``KNeighborsDTWClassifier``) on the UCR data set ECGFiveDays and
prints how many of the query x training DTWs the lower bounds and early abandoning
avoided, the accuracy, and a check against brute force. The UCR folder is
``$SKTSMTL_UCR_DIR``, else ``../shared/data/ucr`` beside the repository; the part is
skipped with a message when neither holds the data set.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

from sktsmtl.classification.knn import KNeighborsDTWClassifier
from sktsmtl.distances import pairwise_dtw, sakoe_chiba_radius

REPO_ROOT = Path(__file__).resolve().parents[1]


def _best_time(fn, repeats):
    best, result = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def bench_pairwise(n_series, length, repeats):
    try:
        from dtaidistance import dtw as dtai_dtw
    except ImportError:
        dtai_dtw = None
        print("dtaidistance is not installed: timing sktsmtl only.")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_series, length)).cumsum(axis=1)
    n_pairs = n_series * (n_series - 1) // 2
    # warm up numba (compilation or cache load) and dtaidistance's C library
    pairwise_dtw(X[:4], window=0.1)
    pairwise_dtw(X[:4])
    if dtai_dtw is not None:
        dtai_dtw.distance_matrix_fast(X[:4], window=2)

    print(f"== Pairwise DTW: {n_series} random walks of length {length} "
          f"({n_pairs} pairs), best of {repeats} ==")
    print(f"{'window':>14} {'sktsmtl s':>10} {'dtaidist s':>11} {'ratio ours/theirs':>18} "
          f"{'max |diff|':>11}")
    for window in (0.1, None):
        kw = {}
        label = "unconstrained"
        if window is not None:
            r = sakoe_chiba_radius(length, length, window)
            kw = {"window": r + 1}
            label = f"{window} (r={r})"
        ours_t, theirs_t = np.inf, np.inf
        ours = theirs = None
        for _ in range(repeats):
            t, ours = _best_time(lambda: pairwise_dtw(X, window=window, squared=False), 1)
            ours_t = min(ours_t, t)
            if dtai_dtw is not None:
                t, theirs = _best_time(lambda: dtai_dtw.distance_matrix_fast(X, **kw), 1)
                theirs_t = min(theirs_t, t)
        if dtai_dtw is None:
            print(f"{label:>14} {ours_t:10.3f}")
            continue
        diff = float(np.max(np.abs(ours - theirs)))
        print(f"{label:>14} {ours_t:10.3f} {theirs_t:11.3f} {ours_t / theirs_t:18.2f} "
              f"{diff:11.2e}")


def _ucr_dir():
    value = os.environ.get("SKTSMTL_UCR_DIR", "").strip()
    if value:
        return Path(value).expanduser()
    return REPO_ROOT / ".." / "shared" / "data" / "ucr"


def _read_ucr_tsv(path):
    data = np.genfromtxt(path, delimiter="\t")
    return data[:, 1:], data[:, 0]


def bench_pruning(name="ECGFiveDays", windows=(None, 0.1)):
    folder = _ucr_dir() / name
    train, test = folder / f"{name}_TRAIN.tsv", folder / f"{name}_TEST.tsv"
    print(f"\n== 1NN-DTW pruning on {name} ==")
    if not (train.is_file() and test.is_file()):
        print(f"skipped: {train} / {test} not found (set SKTSMTL_UCR_DIR to the UCR "
              "archive folder).")
        return
    X_train, y_train = _read_ucr_tsv(train)
    X_test, y_test = _read_ucr_tsv(test)
    print(f"train {X_train.shape}, test {X_test.shape}")
    print(f"{'window':>14} {'pairs':>7} {'LB-pruned':>10} {'abandoned':>10} "
          f"{'full DTW':>9} {'full DTW avoided':>17} {'accuracy':>9} {'time s':>7} "
          f"{'== brute force':>15}")
    for window in windows:
        clf = KNeighborsDTWClassifier(n_neighbors=1, window=window).fit(X_train, y_train)
        clf.predict(X_test[:2])  # warm-up
        t0 = time.perf_counter()
        pred = clf.predict(X_test)
        elapsed = time.perf_counter() - t0
        s = dict(clf.pruning_stats_)
        D = pairwise_dtw(X_test, X_train, window=window)
        same = bool(np.array_equal(pred, y_train[D.argmin(axis=1)]))
        avoided = 1.0 - s["n_dtw_computed"] / s["n_pairs"]
        label = "unconstrained" if window is None else str(window)
        print(f"{label:>14} {s['n_pairs']:7d} {s['n_pruned']:10d} {s['n_abandoned']:10d} "
              f"{s['n_dtw_computed']:9d} {avoided:16.1%} "
              f"{np.mean(pred == y_test):9.4f} {elapsed:7.3f} {str(same):>15}")
    print("LB-pruned: skipped by LB_Kim/LB_Keogh; abandoned: DTW stopped early; "
          "avoided = 1 - full DTW / pairs.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-series", type=int, default=200)
    parser.add_argument("--length", type=int, default=300)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    bench_pairwise(args.n_series, args.length, args.repeats)
    bench_pruning()


if __name__ == "__main__":
    main()
