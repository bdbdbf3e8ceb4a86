"""ConvTimeNet: sktsmtl's backbone beside sktime's ConvTimeNetClassifier, and MTL vs single task.

Part 1, peer comparison. On every data set both implementations get the same training
series, the same archive train/test split and the same settings:

- ours: ``MultiTaskTimeSeriesClassifier(backbone="convtimenet", multitask=False)`` on the
  one task;
- sktime 1.2: ``sktime.classification.deep_learning.ConvTimeNetClassifier`` (torch).

Matching settings: epochs, batch size, learning rate, optimizer (AdamW with the same weight
decay; 0 = Adam, the reference's), patch size and stride, d_model, d_ff, dropout, one block
per kernel of ``--kernels`` (sktime's ``dw_ks``; both merge a 3-kernel into each), no
held-out validation set (ours: ``validation_fraction=0``, the last epoch is kept, as sktime
does), no normalisation unless ``--normalize`` (then both get the same z-normalised series).
Missing values are filled by the same linear interpolation for both. What differs: sktime
accepts only equal-length series without NaN and its network is tied to the training
length, so variable-length series (JapaneseVowels, the trailing NaN of DodgerLoop) reach it
zero-padded to the longest series of train and test, while ours gets the true lengths and
masks the padding; ours reshuffles the batches every epoch (Algorithm 2 sampler), sktime's
loader does not shuffle; the deformable patch details differ (see docs/convtimenet).

Part 2, multi-task learning: the six univariate ``basic_motions`` tasks (one per sensor axis
of BasicMotions), our ConvTimeNet with ``multitask=True`` (one shared backbone, a head per
task) against ``multitask=False`` (one network per task), same settings.

Data: BasicMotions and JapaneseVowels as sktime ships them (no download), and the UCR data
sets found in ``--data-dir`` (default ``SKTSMTL_UCR_DIR``, else ``../shared/data/ucr`` beside
the repository); absent ones are skipped.

Usage::

    python benchmarks/bench_convtimenet.py --epochs 100 --seeds 0 1 2 --out convtimenet.csv
    python benchmarks/bench_convtimenet.py --epochs 2 --datasets BasicMotions --no-mtl
    python benchmarks/bench_convtimenet.py --device cuda --epochs 100 --seeds 0 1 2
"""

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import load_task_group
from sktsmtl.preprocessing import MissingValueImputer, ZNormalizer

from _common import (as_3d, dense_for_sktime, resolve_device, sktime_on_device, timed_fit,
                     ucr_dir)

#: Data sets shipped with sktime, read through sktsmtl's embedded task groups.
EMBEDDED = {
    "BasicMotions": "basic_motions_multivariate",
    "JapaneseVowels": "japanese_vowels_multivariate",
}
UCR = ["Chinatown", "DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend", "ECG200",
       "ECGFiveDays", "Lightning2", "Lightning7", "TwoLeadECG"]
DATASETS = list(EMBEDDED) + UCR


def auto_patch(length):
    """Patch size of the ``auto`` rule: a power of two near length / 8, within [4, 64].

    The reference tunes the patch per data set between 4/2 and 64/32; this rule gives
    about 8 to 24 patches per series. The stride is half the patch.
    """
    size = 2 ** int(math.floor(math.log2(max(length / 8, 1))))
    size = int(min(max(size, 4), 64))
    return size, size // 2


def load_dataset(name, data_dir):
    """(X_train, y_train, X_test, y_test) of one task: arrays, NaN-padded if ragged."""
    if name in EMBEDDED:
        group, kwargs = EMBEDDED[name], {}
    else:
        group, kwargs = [name], {"data_dir": data_dir}
    X_train, y_train = load_task_group(group, split="train", **kwargs)
    X_test, y_test = load_task_group(group, split="test", **kwargs)
    (task,) = X_train
    return X_train[task], y_train[task], X_test[task], y_test[task]


def observed_lengths(X):
    """Length of every series up to its last non-NaN step (``X`` of shape (n, C, L))."""
    seen = ~np.isnan(X).all(axis=1)
    return np.where(seen.any(axis=1), X.shape[-1] - np.argmax(seen[:, ::-1], axis=1), 0)


def prepare(X_train, X_test, normalize):
    """Fill missing values (and z-normalise) once, so both methods see the same data."""
    steps = [MissingValueImputer()] + ([ZNormalizer()] if normalize else [])
    for step in steps:
        X_train = step.fit_transform({"t": X_train})["t"]
        X_test = step.fit_transform({"t": X_test})["t"]
    return X_train, X_test


def make_ours(args, patch, seed, multitask=False):
    return MultiTaskTimeSeriesClassifier(
        backbone="convtimenet", multitask=multitask, backbone__patch_size=patch[0],
        backbone__patch_stride=patch[1], backbone__d_model=args.d_model,
        backbone__kernel_sizes=tuple(args.kernels),
        backbone__d_ff=args.d_ff, backbone__dropout=args.dropout,
        max_epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        weight_decay=args.weight_decay, validation_fraction=args.validation_fraction,
        early_stopping=None,
        device=args.device, random_state=seed)


def make_sktime(args, patch, seed):
    from sktime.classification.deep_learning import ConvTimeNetClassifier

    device = resolve_device(args.device)
    return sktime_on_device(ConvTimeNetClassifier, device)(
        d_model=args.d_model, patch_size=patch[0], patch_stride=patch[1],
        dropout=args.dropout, d_ff=args.d_ff, dw_ks=list(args.kernels),
        device=device, num_epochs=args.epochs,
        batch_size=args.batch_size, optimizer="AdamW",
        optimizer_kwargs={"weight_decay": args.weight_decay}, lr=args.lr,
        verbose=False, random_state=seed)


def run_peer(args, data_dir):
    rows, info = [], {}
    for name in args.datasets:
        try:
            X_train, y_train, X_test, y_test = load_dataset(name, data_dir)
        except FileNotFoundError as exc:
            print(f"skip {name}: {exc}".splitlines()[0], flush=True)
            continue
        X_train, X_test = prepare(X_train, X_test, args.normalize)
        train_len = int(observed_lengths(as_3d(X_train)).max())
        patch = auto_patch(train_len) if args.patch is None else tuple(args.patch)
        common = max(X_train.shape[-1], X_test.shape[-1])
        info[name] = dict(n_train=len(y_train), n_test=len(y_test),
                          channels=as_3d(X_train).shape[1], length=train_len,
                          patch=f"{patch[0]}/{patch[1]}")
        for seed in args.seeds:
            ours = make_ours(args, patch, seed)
            fit_s = timed_fit(ours, {name: X_train}, {name: y_train}, args.device)
            acc = ours.score_tasks({name: X_test}, {name: y_test})[name]
            rows.append(dict(part="peer", dataset=name, method="sktsmtl", seed=seed,
                             accuracy=acc, fit_seconds=fit_s))
            print(f"{name:>17} seed {seed} sktsmtl: acc {acc:.3f} fit {fit_s:6.1f} s",
                  flush=True)
            if args.no_sktime:
                continue
            theirs = make_sktime(args, patch, seed)
            fit_s = timed_fit(theirs, dense_for_sktime(X_train, common), y_train,
                              args.device)
            acc = accuracy_score(y_test, theirs.predict(dense_for_sktime(X_test, common)))
            rows.append(dict(part="peer", dataset=name, method="sktime", seed=seed,
                             accuracy=acc, fit_seconds=fit_s))
            print(f"{name:>17} seed {seed}  sktime: acc {acc:.3f} fit {fit_s:6.1f} s",
                  flush=True)
    return rows, info


def run_mtl(args):
    X_train, y_train = load_task_group("basic_motions", split="train")
    X_test, y_test = load_task_group("basic_motions", split="test")
    if args.normalize:
        X_train = ZNormalizer().fit_transform(X_train)
        X_test = ZNormalizer().fit_transform(X_test)
    length = max(X.shape[-1] for X in X_train.values())
    patch = auto_patch(length) if args.patch is None else tuple(args.patch)
    rows = []
    for seed in args.seeds:
        for multitask in (False, True):
            method = "mtl" if multitask else "single-task"
            clf = make_ours(args, patch, seed, multitask=multitask)
            fit_s = timed_fit(clf, X_train, y_train, args.device)
            scores = clf.score_tasks(X_test, y_test)
            for task, acc in scores.items():
                rows.append(dict(part="mtl", dataset=task, method=method, seed=seed,
                                 accuracy=acc, fit_seconds=fit_s))
            print(f"basic_motions seed {seed} {method:>11}: mean acc "
                  f"{np.mean(list(scores.values())):.3f} fit {fit_s:6.1f} s", flush=True)
    return rows, patch


def to_markdown(df):
    cols = [df.index.name or ""] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row.values]) + " |")
    return "\n".join(lines)


def mean_std(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ± {values.std():.3f}"


def peer_table(results, info):
    table = []
    for name, group in results.groupby("dataset", sort=False):
        row = {"data set": name, **{k: info[name][k] for k in
                                    ("n_train", "n_test", "channels", "length", "patch")}}
        for method in ("sktsmtl", "sktime"):
            part = group[group.method == method]
            if len(part):
                row[f"acc {method}"] = mean_std(part.accuracy)
                row[f"fit s {method}"] = f"{part.fit_seconds.mean():.1f}"
        table.append(row)
    return pd.DataFrame(table).set_index("data set")


def mtl_table(results):
    acc = results.pivot_table(index="dataset", columns="method", values="accuracy",
                              aggfunc=mean_std, sort=False)
    mean = results.groupby(["method", "seed"]).accuracy.mean().groupby("method")
    acc.loc["mean over tasks"] = mean.apply(mean_std)
    fit = results.groupby(["method", "seed"]).fit_seconds.first().groupby("method").mean()
    acc.loc["fit s (all tasks)"] = fit.map(lambda s: f"{s:.1f}")
    acc.index.name = "task"
    return acc[[c for c in ("single-task", "mtl") if c in acc.columns]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DATASETS,
                        help=f"data sets of part 1 (default: {' '.join(DATASETS)})")
    parser.add_argument("--data-dir", default=None, help="UCR archive folder")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="AdamW weight decay of both (0: Adam, as the reference)")
    parser.add_argument("--patch", type=int, nargs=2, default=None, metavar=("SIZE", "STRIDE"),
                        help="patch size and stride (default: power of two near length/8 "
                             "within [4, 64], stride half of it)")
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--d-ff", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--kernels", type=int, nargs="+", default=[19, 19, 29, 29, 37, 37],
                        help="large depthwise kernel of every block")
    parser.add_argument("--validation-fraction", type=float, default=0.0,
                        help="ours only: held-out share to pick the best epoch (0: none, as "
                             "sktime)")
    parser.add_argument("--normalize", action="store_true",
                        help="z-normalise every series for both (default: raw archive data)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (both methods)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--no-sktime", action="store_true", help="skip sktime's classifier")
    parser.add_argument("--no-mtl", action="store_true", help="skip part 2")
    parser.add_argument("--out", default=None, help="CSV file for every (method, data, seed)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = ucr_dir(args.data_dir)

    print("# ConvTimeNet: sktsmtl vs sktime ConvTimeNetClassifier, and MTL vs single task\n")
    print(f"epochs {args.epochs}; seeds {args.seeds}; batch {args.batch_size}; AdamW lr "
          f"{args.lr} weight decay {args.weight_decay}; d_model {args.d_model}; d_ff "
          f"{args.d_ff}; dropout {args.dropout}; kernels {tuple(args.kernels)} (+ 3, merged); "
          f"patch {'auto' if args.patch is None else '/'.join(map(str, args.patch))}; "
          f"validation fraction (ours) {args.validation_fraction}; normalize "
          f"{args.normalize}; device {args.device}; torch threads {torch.get_num_threads()}\n",
          flush=True)

    if resolve_device(args.device) != "cpu":
        torch.zeros(1, device=resolve_device(args.device))  # start CUDA before any timing
    rows, info = run_peer(args, data_dir)
    patch = None
    if not args.no_mtl:
        mtl_rows, patch = run_mtl(args)
        rows += mtl_rows
    results = pd.DataFrame(rows)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        results.to_csv(args.out, index=False)
    if info:
        print("\n## Test accuracy (mean ± std over seeds) and mean fit time\n")
        print(to_markdown(peer_table(results[results.part == "peer"], info)))
    if patch is not None:
        print(f"\n## basic_motions, 6 univariate tasks: MTL vs single task (patch "
              f"{patch[0]}/{patch[1]})\n")
        print(to_markdown(mtl_table(results[results.part == "mtl"])))


if __name__ == "__main__":
    main()
