"""Accuracy of bfloat16 training against float32, over seeds.

For every group and seed, the same method is fitted twice under the ResNet2D paper's
protocol (per task a stratified 60/20/20 split of the archive's train and test parts,
the best validation epoch kept) through :func:`sktsmtl.benchmarking.run_benchmark`:
once with ``precision="float32"`` and once with ``precision="bfloat16"``. Reported per
group: mean test accuracy with a 95% Student-t interval over seeds per task and
precision, and the paired comparison bfloat16 vs float32 on the same (task, seed) cells
(wins/ties/losses, mean difference, sign and Wilcoxon tests). "Equal within seed noise"
means the mean difference lies inside the seeds' spread and the tests do not reject.

Usage::

    python benchmarks/bench_precision_accuracy.py --groups DodgerLoop ECG --seeds 0 1 2 \\
        --backbone resnet1d --epochs 20 --lr 1e-3
    python benchmarks/bench_precision_accuracy.py --quick
"""

import argparse
import os
import sys
import time

import torch

from _common import ucr_dir


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="+", default=["DodgerLoop", "ECG"])
    parser.add_argument("--backbone", default="resnet1d")
    parser.add_argument("--multitask", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default="precision_accuracy")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.groups, args.seeds, args.epochs = ["DodgerLoop"], [0], 1
    torch.set_num_threads(args.threads)
    data_dir = ucr_dir(args.data_dir)

    from sktsmtl import MultiTaskTimeSeriesClassifier
    from sktsmtl.benchmarking import accuracy_intervals, paired_comparison, run_benchmark
    from sktsmtl.benchmarking.report import paired_markdown

    name = args.backbone + ("-mtl" if args.multitask else "")
    methods = [(f"{name}-{p}", MultiTaskTimeSeriesClassifier(
        backbone=args.backbone, multitask=args.multitask, precision=p,
        early_stopping=None))
        for p in ("float32", "bfloat16")]
    print(f"{name}, {args.epochs} epochs, lr {args.lr}, batch 40, seeds {args.seeds}, "
          f"paper protocol (60/20/20), torch threads {args.threads}")
    for group in args.groups:
        start = time.time()
        results = run_benchmark(group, methods, protocol="paper", seeds=tuple(args.seeds),
                                data_dir=data_dir, max_epochs=args.epochs, lr=args.lr,
                                out_dir=os.path.join(args.out, group))
        intervals = accuracy_intervals(results)
        paired = paired_comparison(results, pairs=[(methods[1][0], methods[0][0])])
        durations = results.groupby("method")["fit_seconds"].sum() if (
            "fit_seconds" in results) else None
        lines = [f"## {group}", "", intervals.to_markdown(index=False, floatfmt=".3f"), ""]
        lines += ["Paired comparison of bfloat16 against float32 (the table below names the "
                  "bfloat16 method first):", ""] + paired_markdown(paired)
        if durations is not None:
            lines += ["", "Total fit time (s): " + ", ".join(
                f"{m} {v:.0f}" for m, v in durations.items())]
        lines += ["", f"({time.time() - start:.0f} s for the fits not stored before)"]
        text = "\n".join(lines)
        print(text)
        with open(os.path.join(args.out, f"{group}_precision.md"), "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
