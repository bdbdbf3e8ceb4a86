"""ResNet2D sizes by accuracy per training second: the study behind its CPU defaults.

For every size (template count ``k``, template length ``m``, width ``w``, blocks ``b``,
stem stride ``s``), in one run:

1. **epoch time**: one training epoch of the shared network over 1,000 random-walk series
   of length 300 (three tasks, :class:`~sktsmtl.training.TaskBatchSampler`, batch 40),
   timed in a fresh process by ``bench_nets.py``'s epoch worker with ``--threads``
   threads and ``--precision``;
2. **accuracy**: ResNet2D with hard parameter sharing (``resnet2d-mtl``, the
   package's flagship) under the ResNet2D paper's protocol (per task a stratified
   60/20/20 split of the archive's train and test parts, the epoch of the best mean
   validation accuracy kept) on every group of ``--groups``, over ``--seeds``, through
   :func:`sktsmtl.benchmarking.run_benchmark` (resumable: results are stored per fit in
   ``--out``), one torch thread per fit (``--fit-threads``). Sizes in ``--timed-only``
   (by default two over the budget, among them the ``"large"`` preset
   ``k64-m128-w64-b8-s2``) are timed but not fitted.

It prints one row per size: the epoch seconds; the mean test accuracy per group (mean
over tasks of the per-task mean over seeds) with the 95% Student-t half-width of the
per-seed mean over tasks; the mean over groups; the mean fit seconds per group and seed;
accuracy per 1,000 fit seconds; whether the size is on the Pareto front (no other
size both faster per epoch and at least as accurate), and the size a default should be:
the most accurate one whose epoch is under ``--epoch-budget`` seconds (15 s).

Usage::

    python benchmarks/bench_resnet2d_sizes.py --seeds 0 1 2 --epochs 20 --lr 1e-3
    python benchmarks/bench_resnet2d_sizes.py --sizes k64-m128-w64-b8-s2 k32-m64-w32-b8-s2
    python benchmarks/bench_resnet2d_sizes.py --part epoch      # the timings only
    python benchmarks/bench_resnet2d_sizes.py --quick           # 1 epoch, 1 seed, 2 sizes
"""

import argparse
import os
import re
import sys
import time

import numpy as np

from _common import ucr_dir


#: The sizes compared by default. With the stem computed from the series the template
#: count costs almost nothing, so the study varies the count and the template length at
#: the paper's width and a stride-4 stem.
DEFAULT_SIZES = (
    "k64-m32-w64-b8-s4",
    "k32-m64-w64-b8-s4",
    "k64-m64-w64-b8-s4",
    "k128-m64-w64-b8-s4",
    "k32-m128-w64-b8-s4",
    "k64-m128-w64-b8-s4",
    "k32-m192-w64-b8-s4",
)
#: Sizes only timed: over the 15 s budget (``k64-m128-w64-b8-s2`` is the ``"large"``
#: preset).
TIMED_ONLY_SIZES = ("k32-m64-w64-b8-s2", "k64-m128-w64-b8-s2")

_KEYS = {"k": "n_templates", "m": "template_length", "w": "width", "b": "n_blocks",
         "s": "stem_stride"}


def parse_size(text):
    """``"k32-m64-w32-b8-s2"`` -> ResNet2D keyword arguments (every letter required)."""
    matches = [re.fullmatch(r"([kmwbs])(\d+)", p) for p in text.split("-")]
    parts = dict(m.groups() for m in matches if m is not None)
    if None in matches or set(parts) != set(_KEYS) or len(matches) != len(_KEYS):
        raise argparse.ArgumentTypeError(
            f"size {text!r}: expected k<templates>-m<length>-w<width>-b<blocks>-s<stem>, "
            "for example k32-m64-w32-b8-s2")
    return {_KEYS[k]: int(v) for k, v in parts.items()}


def _size_argument(text):
    parse_size(text)
    return text


def time_epochs(sizes, args):
    """Epoch seconds of each size over 1,000 x 300 series, one fresh process each."""
    import bench_nets

    runner = argparse.Namespace(wait_idle=args.wait_idle, min_seconds=1.0, min_steps=1,
                                threads=args.threads)
    out = {}
    for label, params in sizes.items():
        r = bench_nets.run_in_subprocess(
            {"model": "resnet2d", "label": label, "epoch": True, "precision": args.precision,
             **params}, runner)
        if "error" in r:
            print(f"  {label}: epoch timing FAILED: {r['error']}")
            continue
        out[label] = r
        print(f"  {label:<22} epoch {r['epoch_seconds']:7.1f} s "
              f"({r['epoch_samples'] / r['epoch_seconds']:.1f} samples/s, peak "
              f"{r['peak_rss_gib']:.2f} GiB)", flush=True)
    return out


def method_name(label):
    return f"resnet2d-mtl {label}"


def fit_accuracy(sizes, args, data_dir):
    """Tidy results of every size, group and seed (``run_benchmark`` rows)."""
    import pandas as pd
    import torch

    from sktsmtl import MultiTaskTimeSeriesClassifier
    from sktsmtl.benchmarking import run_benchmark

    torch.set_num_threads(args.fit_threads)
    methods = [
        (method_name(label), MultiTaskTimeSeriesClassifier(
            backbone="resnet2d", multitask=True, precision=args.precision,
            early_stopping=None,
            **{f"backbone__{k}": v for k, v in params.items()}))
        for label, params in sizes.items()]
    frames = []
    for group in args.groups:
        start = time.time()
        results = run_benchmark(
            group, methods, protocol="paper", seeds=tuple(args.seeds), data_dir=data_dir,
            max_epochs=args.epochs, lr=args.lr, out_dir=os.path.join(args.out, group),
            progress=False)
        print(f"  {group}: {time.time() - start:.0f} s for the fits not stored before",
              flush=True)
        frames.append(results)
    return pd.concat(frames, ignore_index=True)


def summarise(sizes, epochs, results, args):
    """One row per size: epoch time, accuracy per group with its interval, fit time."""
    from sktsmtl.benchmarking import accuracy_intervals

    rows = []
    for label in sizes:
        row = {"size": label,
               "epoch_s": epochs[label]["epoch_seconds"] if label in epochs else np.nan}
        cell = results[results["method"] == method_name(label)] if results is not None \
            else None
        accs, fits = [], []
        for group in args.groups:
            part = None if cell is None else cell[cell["group"] == group]
            if part is None or part.empty:
                row[group], row[f"{group}_hw"] = np.nan, np.nan
                continue
            # the group's accuracy per seed (mean over its tasks), its interval over seeds
            per_seed = part.groupby("seed", as_index=False)["accuracy"].mean().assign(
                method=label, task=group)
            interval = accuracy_intervals(per_seed).iloc[0]
            row[group], row[f"{group}_hw"] = interval["mean"], interval["half_width"]
            accs.append(interval["mean"])
            # fit_seconds repeats the cell's fit on each of its task rows
            fits.append(part.groupby("seed")["fit_seconds"].first().mean())
        row["accuracy"] = np.mean(accs) if len(accs) == len(args.groups) else np.nan
        row["fit_s"] = np.mean(fits) if fits else np.nan
        row["acc_per_fit_ks"] = row["accuracy"] / row["fit_s"] * 1e3
        rows.append(row)
    for row in rows:
        measured = not (np.isnan(row["accuracy"]) or np.isnan(row["epoch_s"]))
        row["pareto"] = measured and not any(
            o is not row and o["epoch_s"] <= row["epoch_s"] and o["accuracy"] >= row["accuracy"]
            and (o["epoch_s"] < row["epoch_s"] or o["accuracy"] > row["accuracy"])
            for o in rows)
    return rows


def print_table(rows, args):
    groups = args.groups
    head = f"{'size':<22} {'epoch s':>8} " + " ".join(f"{g:>16}" for g in groups) + \
        f" {'mean':>6} {'fit s':>7} {'acc/kfit-s':>10} pareto"
    print(head)
    print("-" * len(head))
    for r in rows:
        accs = " ".join(f"{r[g]:>8.3f} ± {r[f'{g}_hw']:<5.3f}" for g in groups)
        print(f"{r['size']:<22} {r['epoch_s']:>8.1f} {accs} {r['accuracy']:>6.3f} "
              f"{r['fit_s']:>7.0f} {r['acc_per_fit_ks']:>10.2f} "
              f"{'yes' if r['pareto'] else ''}")
    fits = [r for r in rows if r["epoch_s"] < args.epoch_budget and not np.isnan(r["accuracy"])]
    if fits:
        best = max(fits, key=lambda r: (r["accuracy"], -r["epoch_s"]))
        print(f"\nMost accurate size with an epoch under {args.epoch_budget:g} s: "
              f"{best['size']} (mean accuracy {best['accuracy']:.3f}, epoch "
              f"{best['epoch_s']:.1f} s)")
    else:
        print(f"\nNo size measured for accuracy trains an epoch under {args.epoch_budget:g} s.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(DEFAULT_SIZES), type=_size_argument,
                        help="k<templates>-m<length>-w<width>-b<blocks>-s<stem> each")
    parser.add_argument("--timed-only", nargs="*", default=list(TIMED_ONLY_SIZES),
                        type=_size_argument,
                        help="sizes whose epoch is timed but which are not fitted")
    parser.add_argument("--part", choices=["both", "epoch", "accuracy"], default="both")
    parser.add_argument("--groups", nargs="+", default=["DodgerLoop", "ECG"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--precision", default="float32",
                        choices=["float32", "bfloat16", "auto"])
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads of the epoch timing (0: torch's default)")
    parser.add_argument("--fit-threads", type=int, default=1,
                        help="torch threads of the accuracy fits")
    parser.add_argument("--epoch-budget", type=float, default=15.0)
    parser.add_argument("--wait-idle", type=float, default=0.0,
                        help="wait up to this many seconds for idle CPUs before each timing")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="resnet2d_sizes")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seeds, args.epochs = ["k16-m32-w32-b8-s2", "k8-m16-w16-b2-s2"], [0], 1
        args.groups, args.timed_only = ["DodgerLoop"], []
    sizes = {s: parse_size(s) for s in args.sizes}
    timed = dict(sizes, **{s: parse_size(s) for s in args.timed_only})
    data_dir = ucr_dir(args.data_dir)

    epochs = {}
    if args.part in ("both", "epoch"):
        print(f"One epoch over 1,000 series of length 300, {args.precision}, threads "
              f"{args.threads or 'default'}:")
        epochs = time_epochs(timed, args)
    results = None
    if args.part in ("both", "accuracy"):
        print(f"\nresnet2d-mtl, paper protocol (60/20/20), {args.epochs} epochs, lr {args.lr}, "
              f"batch 40, {args.precision}, seeds {args.seeds}, {args.fit_threads} torch "
              "thread(s) per fit:")
        results = fit_accuracy(sizes, args, data_dir)
        os.makedirs(args.out, exist_ok=True)
        results.to_csv(os.path.join(args.out, "results.csv"), index=False)
    print()
    print_table(summarise(timed, epochs, results, args), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
