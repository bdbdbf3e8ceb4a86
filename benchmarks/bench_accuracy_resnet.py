"""Accuracy of 1NN-DTW, ResNet1D and ResNet2D with and without MTL (ResNet2D paper, Table I).

Protocol (Yeh et al. 2023, section IV): each task's archive train+test merged and split
per task, stratified, 60% train / 20% validation / 20% test with a seed. Deep models get
train+validation (80%) and hold out the same 20/80 = 0.25 share themselves (stratified per
task) to pick the best epoch by mean validation accuracy; 1NN-DTW (unconstrained) fits on
train+validation since it selects nothing. Accuracy per task on the test part, rank of each
method per task (ties share the mean rank), average rank; figures averaged over seeds.

Usage::

    python benchmarks/bench_accuracy_resnet.py --group DodgerLoop --epochs 50 --seeds 0 1
    python benchmarks/bench_accuracy_resnet.py --group ECG --epochs 20 --seeds 0

The UCR folder comes from ``--data-dir`` or ``SKTSMTL_UCR_DIR`` (default: ``../shared/data/ucr``
beside the repository). Missing datasets of a group are skipped (the shared folder holds 3 of
the 6 ECG tasks).
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from sktsmtl import KNeighborsDTWClassifier, MultiTaskTimeSeriesClassifier, PerTaskClassifier
from sktsmtl.datasets import load_task_group, train_val_test_split_tasks

# Table I of the paper, in the column order 1NN-DTW, ResNet1D, ResNet1D w/ MTL, ResNet2D,
# ResNet2D w/ MTL (the paper's order is 1NN-DTW, ResNet1D, ResNet2D, ResNet1D w/ MTL,
# ResNet2D w/ MTL; re-ordered here).
PAPER = {
    "DodgerLoopDay": (0.53, 0.41, 0.41, 0.53, 0.50),
    "DodgerLoopGame": (0.97, 0.88, 0.97, 0.97, 0.94),
    "DodgerLoopWeekend": (1.00, 1.00, 0.97, 1.00, 1.00),
    "ECG200": (0.82, 0.93, 0.88, 0.90, 0.93),
    "ECG5000": (0.94, 0.95, 0.94, 0.95, 0.95),
    "ECGFiveDays": (0.99, 1.00, 1.00, 1.00, 1.00),
    "NonInvasiveFetalECGThorax1": (0.80, 0.94, 0.90, 0.89, 0.88),
    "NonInvasiveFetalECGThorax2": (0.87, 0.94, 0.92, 0.93, 0.93),
    "TwoLeadECG": (1.00, 1.00, 1.00, 1.00, 1.00),
}
METHODS = ["1nn-dtw", "resnet1d", "resnet1d-mtl", "resnet2d", "resnet2d-mtl"]


def make_method(name, epochs, seed, normalize, lr):
    if name == "1nn-dtw":
        return PerTaskClassifier(KNeighborsDTWClassifier())
    backbone, _, mtl = name.partition("-")
    return MultiTaskTimeSeriesClassifier(
        backbone=backbone, multitask=bool(mtl), max_epochs=epochs, batch_size=40, lr=lr,
        validation_fraction=0.25, normalize=normalize, random_state=seed)


def to_markdown(df):
    cols = [df.index.name or ""] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row.values]) + " |")
    return "\n".join(lines)


def rank_table(acc):
    """acc: DataFrame task x method -> DataFrame of 'acc (rank)' strings + average rank."""
    ranks = acc.apply(lambda row: pd.Series(rankdata(-row.round(2).values), index=row.index),
                      axis=1)
    cells = acc.round(2).map(lambda v: f"{v:.2f}") + ranks.map(lambda r: f" ({r:.1f})")
    cells.loc["Average rank"] = ranks.mean().map(lambda r: f"{r:.2f}")
    return cells


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", required=True)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--tasks", nargs="+", default=None)
    parser.add_argument("--lr", type=float, default=1e-4,
                        help="AdamW learning rate (paper: 1e-4 over 400 epochs)")
    parser.add_argument("--normalize", action="store_true",
                        help="per-series z-normalisation (default: off, as the archive's data)")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or os.environ.get("SKTSMTL_UCR_DIR") or str(
        Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ucr")
    X, y = load_task_group(args.group, split="all", data_dir=data_dir, tasks=args.tasks,
                           missing="skip")
    print(f"group {args.group}: tasks {list(X)}; epochs {args.epochs}; seeds {args.seeds}; "
          f"lr {args.lr}; normalize={args.normalize}; batch 40; AdamW")
    rows = []
    for seed in args.seeds:
        (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split_tasks(X, y, random_state=seed)
        X_fit = {t: _concat(Xtr[t], Xva[t]) for t in X}
        y_fit = {t: np.concatenate([ytr[t], yva[t]]) for t in X}
        for method in args.methods:
            clf = make_method(method, args.epochs, seed, args.normalize, args.lr)
            start = time.perf_counter()
            clf.fit(X_fit, y_fit)
            fit_s = time.perf_counter() - start
            scores = clf.score_tasks(Xte, yte)
            for task, acc in scores.items():
                rows.append(dict(method=method, task=task, seed=seed, accuracy=acc,
                                 fit_seconds=fit_s))
            print(f"seed {seed} {method:>13}: fit {fit_s:7.1f} s  " + "  ".join(
                f"{t}={a:.3f}" for t, a in scores.items()), flush=True)

    results = pd.DataFrame(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / f"accuracy_{args.group}.csv", index=False)
    acc = results.pivot_table(index="task", columns="method", values="accuracy",
                              aggfunc="mean")[args.methods]
    print("\nMean test accuracy over seeds (rank in brackets), this run:")
    print(to_markdown(rank_table(acc)))
    paper = pd.DataFrame({t: PAPER[t] for t in acc.index if t in PAPER}, index=METHODS).T
    if len(paper):
        print("\nPaper's Table I for the same tasks:")
        print(to_markdown(rank_table(paper[args.methods])))
    times = results.groupby("method")["fit_seconds"].mean()[args.methods]
    print("\nMean fit time per seed (s): " + ", ".join(f"{m} {s:.0f}" for m, s in times.items()))


def _concat(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return list(a) + list(b)
    if a.shape[1:] != b.shape[1:]:
        width = max(a.shape[-1], b.shape[-1])
        a, b = (np.concatenate([v, np.full(v.shape[:-1] + (width - v.shape[-1],), np.nan)],
                               axis=-1) for v in (a, b))
    return np.concatenate([a, b])


if __name__ == "__main__":
    main()
