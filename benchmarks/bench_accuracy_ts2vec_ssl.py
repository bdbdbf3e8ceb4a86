"""Accuracy of self-supervised TS2Vec + SVM, per task and pre-trained jointly (MTCS section 4.4.1).

Protocol: the archive's train/test split of every dataset; every series z-normalised
(per series); TS2Vec's encoder (hidden 64, 10 dilated blocks, 320-d representation,
timestamp masking 0.5) trained without labels with the hierarchical contrastive loss,
AdamW lr 1e-3, batch 8, weights averaged over the steps (TS2Vec's settings); then the
encoder is frozen and one SVM per dataset is fitted on the representations of its
training series (TS2Vec's ``fit_svm``, :class:`~sktsmtl.classification.CrossValidatedSVC`)
and scored on its test series. Methods:

``ts2vec-ssl-svm``
    one encoder per dataset (TS2Vec; the MTCS paper's "TS2Vec" column);
``ts2vec-ssl-joint-svm``
    one encoder pre-trained on all datasets together, task-homogeneous mini-batches
    (the MTCS paper's section 4.4.1).

``--n-iters`` sets the optimiser steps of every encoder (TS2Vec's rule gives 200 for
these datasets; the default here is 100, to fit a run of 3 seeds in about 30 minutes on
one CPU core; None-like ``0`` takes TS2Vec's rule). Nothing is selected on the test split.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_ts2vec_ssl.py --seeds 0 1 2
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_ts2vec_ssl.py --crop-layout per_series
    python benchmarks/bench_accuracy_ts2vec_ssl.py --seeds 0 1 2 --n-iters 0 --device cuda

The UCR folder comes from ``--data-dir`` or ``SKTSMTL_UCR_DIR`` (default:
``../shared/data/ucr`` beside the repository). Results are appended to
``<out>/ts2vec_ssl.csv`` as each fit ends, and the published tables covering the run
(:func:`~sktsmtl.benchmarking.reference_tables`) are printed beside the table.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from sktsmtl.benchmarking import make_method, rank_table, reference_tables, to_markdown
from sktsmtl.datasets import load_ucr_dataset
from sktsmtl.preprocessing import ZNormalizer

from _common import ucr_dir

DATASETS = ("Lightning2", "Lightning7", "Chinatown")
METHODS = ("ts2vec-ssl-svm", "ts2vec-ssl-joint-svm")


def _load(data_dir, names):
    z = ZNormalizer()
    X, y, Xt, yt = {}, {}, {}, {}
    for name in names:
        X[name], y[name] = load_ucr_dataset(name, "train", data_dir=data_dir)
        Xt[name], yt[name] = load_ucr_dataset(name, "test", data_dir=data_dir)
        X[name], Xt[name] = z.fit_transform(X[name]), z.fit_transform(Xt[name])
    return X, y, Xt, yt


def _interval(values):
    """Mean and a 95% t-interval half-width over seeds (NaN for one seed)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return values.mean(), np.nan
    from scipy import stats

    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), half


def summary(results):
    """Per (task, method): mean ± 95% half-width [min, max] over seeds."""
    rows = []
    for task in results.task.unique():
        row = {"task": task}
        for method in results.method.unique():
            acc = results[(results.task == task) & (results.method == method)].accuracy
            m, h = _interval(acc)
            row[method] = (f"{m:.3f}" + ("" if np.isnan(h) else f" ± {h:.3f}")
                           + f" [{acc.min():.3f}, {acc.max():.3f}] (n={len(acc)})")
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-iters", type=int, default=100)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--crop-layout", default="shared", choices=["shared", "per_series"],
                        help="TS2VecTransformer's crop_layout (default: TS2Vec's shared one)")
    parser.add_argument("--out", default="benchmarks/results/ts2vec_ssl")
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

    data_dir = ucr_dir(args.data_dir)
    n_iters = args.n_iters or None
    print(f"datasets {args.datasets}; archive train/test split; z-normalised; seeds "
          f"{args.seeds}; steps per encoder {n_iters or 'TS2Vec rule (200/600)'}; "
          f"hidden 64, depth 10, repr 320, batch 8, AdamW lr 1e-3, SWA; crops "
          f"{args.crop_layout}; device "
          f"{args.device}; torch threads {torch.get_num_threads()}", flush=True)
    X, y, Xt, yt = _load(data_dir, args.datasets)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    start = time.perf_counter()
    for seed in args.seeds:
        for method in args.methods:
            est = make_method(method, random_state=seed, n_iters=n_iters, device=args.device)
            est.set_params(ts2vec__crop_layout=args.crop_layout)
            t0 = time.perf_counter()
            est.fit(X, y)
            fit_s = time.perf_counter() - t0
            scores = est.score_tasks(Xt, yt)
            for task in args.datasets:
                records.append(dict(method=method, task=task, seed=seed,
                                    accuracy=float(scores[task]), fit_seconds=fit_s))
                print(f"seed {seed} {method:22s} {task:12s} {scores[task]:.3f} "
                      f"(fit {fit_s:.0f} s)", flush=True)
            pd.DataFrame(records).to_csv(out / "ts2vec_ssl.csv", index=False)
    print(f"wall time {time.perf_counter() - start:.0f} s\n")

    results = pd.DataFrame(records)
    print("Test accuracy, mean ± 95% t-interval half-width [min, max] over seeds:\n")
    print(summary(results).to_markdown(index=False))
    print("\nRank table of the run (mean over seeds):\n")
    print(to_markdown(rank_table(results, decimals=3)))
    for title, frame in reference_tables(args.datasets, list(args.methods)
                                         + ["mtl-svm", "mtcs-svm"]):
        print(f"\n{title}:\n")
        print(to_markdown(rank_table(frame, decimals=3)))


if __name__ == "__main__":
    main()
