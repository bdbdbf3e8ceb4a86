"""InceptionTime: sktsmtl's backbone beside sktime's InceptionTimeClassifierTorch, and MTL.

Protocol. For every seed and every task of the shared task groups (``--groups``, default
DodgerLoop: DodgerLoopDay, DodgerLoopGame, DodgerLoopWeekend; ECG: the tasks of the group
present in the UCR folder, ECG200, ECGFiveDays and TwoLeadECG in the shared copy), on the
archive's train/test split, three fits are timed and scored on the test part:

1. ``inceptiontime``: ours per task, ``MultiTaskTimeSeriesClassifier(
   backbone="inceptiontime", multitask=False)`` on the one task;
2. ``sktime``: sktime 1.2's ``InceptionTimeClassifierTorch``
   (``sktime.classification.deep_learning.inceptiontime``) on the same series;
3. ``inceptiontime-mtl``: ours shared, ``multitask=True``, one backbone and one linear
   head per task, fitted on all tasks of the group at once (one fit time for the group).

The table gives, per task and method, the test accuracy as the mean over seeds ± the
half-width of its 95 % Student-t interval
(:func:`sktsmtl.benchmarking.accuracy_intervals`), the mean wall time of a fit, and the
paired wins/ties/losses over (task, seed) cells
(:func:`sktsmtl.benchmarking.paired_comparison`). A fit that fails is recorded with its
error in the CSV and the table, and the run goes on.

Matched settings (sktime's parameter, ours): epochs (``num_epochs``, ``max_epochs``;
``--epochs``), batch size (``batch_size``; ``--batch-size``, default 64 as both), Adam
with learning rate ``--lr`` (default 1e-3 as both) and weight decay ``--weight-decay``
(default 0; sktime ``optimizer="Adam"``, ``optimizer_kwargs``; ours
``optimizer=torch.optim.Adam``), cross-entropy, ``n_filters`` (32), ``depth`` (6), the
kernel sizes (sktime ``kernel_size=40`` with ``n_conv_layers=3``, i.e. ``40 // 2**i`` =
40, 20, 10; ours ``backbone__kernel_sizes=(40, 20, 10)``), ``bottleneck_size`` (32; both
use the bottleneck only where a module's input has more than one channel, as the
reference code), the residual shortcut every third module (``use_residual``,
``backbone__residual``), linear convolutions and bottleneck (sktime
``activation_inception=None``), batch norm then ReLU after every module (sktime
``activation_hidden="ReLU"``), PyTorch's default initialisation and batch-norm settings,
global average pooling and one linear layer to the logits. No held-out validation set
(ours ``validation_fraction=0``) and no learning-rate schedule: the last epoch is kept, as
sktime does. Missing values (DodgerLoop has interior NaN) are filled once by the same
linear interpolation (:class:`sktsmtl.preprocessing.MissingValueImputer`) before both see
the series; no z-normalisation unless ``--normalize`` (then both get the same
z-normalised series). Both run on ``--device``.

Differences that remain:

- sktime 1.2's ``ShortcutLayer`` applies the classifier's *output* activation after the
  residual addition, which is None for logits, so its residual sums are not rectified;
  the reference code (hfawaz/InceptionTime ``_shortcut_layer``: add, then ReLU) and ours
  apply ReLU. No parameter changes this (``activation="ReLU"`` would rectify the logits
  as well).
- Batch order: sktime's ``DataLoader`` does not shuffle (the same batches in the same
  order every epoch); ours reshuffles every epoch (the ResNet2D paper's Algorithm 2
  sampler, which also merges a one-series tail batch into the one before).
- The same seed does not give the same initial weights: sktime seeds torch's global
  generator, ours derives its own seeds.
- sktime needs equal-length series without NaN: a task whose series end in NaN (shorter
  series) reaches it zero-padded to the longest series of train and test, while ours gets
  the true lengths and masks the padding. In the shared copies of these six data sets
  every series has its full length (DodgerLoop's NaN are interior), so both see the same
  arrays; the ``padded`` column says whether padding was needed.
- Shared training (``inceptiontime-mtl``) is Algorithm 2: each iteration takes one batch
  of every task, the largest task is seen once per epoch and smaller tasks are cycled, so
  a small task gets more updates per epoch than in its own fit; batch-norm running
  statistics are kept per task.
- Against the paper (Ismail Fawaz et al. 2020), both are one network, not the ensemble of
  five, and both drop its schedule (1500 epochs, ReduceLROnPlateau on the training loss,
  the model of lowest training loss kept); ``--epochs`` sets the length for both.

Data: the UCR files in ``--data-dir`` (default ``SKTSMTL_UCR_DIR``, else
``../shared/data/ucr`` beside the repository); tasks of a group that are absent are
skipped with a message.

Usage::

    python benchmarks/bench_inceptiontime.py --quick
    python benchmarks/bench_inceptiontime.py --epochs 100 --seeds 0 1 2 --out inceptiontime.csv
    OMP_NUM_THREADS=1 python benchmarks/bench_inceptiontime.py --threads 1 --epochs 40
    python benchmarks/bench_inceptiontime.py --device cuda --epochs 1500 --groups ECG
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.benchmarking import accuracy_intervals, paired_comparison, to_markdown
from sktsmtl.datasets import load_task_group
from sktsmtl.preprocessing import MissingValueImputer, ZNormalizer

from _common import (as_3d, dense_for_sktime, resolve_device, sktime_on_device, timed_fit,
                     ucr_dir)

GROUPS = ["DodgerLoop", "ECG"]
OURS, SKTIME, OURS_MTL = "inceptiontime", "sktime", "inceptiontime-mtl"
METHODS = [OURS, SKTIME, OURS_MTL]
COLUMNS = ["group", "task", "method", "seed", "accuracy", "fit_seconds", "epochs", "error"]


def kernel_sizes(base, n_conv_layers=3):
    """sktime's kernel sizes: ``base // 2**i`` for each of the parallel convolutions."""
    return tuple(base // 2 ** i for i in range(n_conv_layers))


def load_group(group, data_dir, tasks=None):
    """Train and test dicts ``{task: X}``, ``{task: y}`` of the tasks present."""
    parts = {}
    for split in ("train", "test"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts[split] = load_task_group(group, split=split, data_dir=data_dir,
                                           tasks=tasks, missing="skip")
        if split == "train":
            for w in caught:
                print(f"{group}: {str(w.message).splitlines()[0]}", flush=True)
    return parts["train"] + parts["test"]


def prepare(X, normalize):
    """Fill missing values (and z-normalise) once, so every method sees the same data."""
    X = MissingValueImputer().fit_transform(X)
    return ZNormalizer().fit_transform(X) if normalize else X


def needs_padding(*arrays):
    """Whether some series ends in NaN or the arrays differ in length."""
    lengths = {X.shape[-1] for X in arrays}
    return len(lengths) > 1 or any(bool(np.isnan(as_3d(X)[..., -1]).any()) for X in arrays)


def make_ours(args, seed, multitask):
    return MultiTaskTimeSeriesClassifier(
        backbone="inceptiontime", multitask=multitask, optimizer=torch.optim.Adam,
        lr=args.lr, weight_decay=args.weight_decay, batch_size=args.batch_size,
        max_epochs=args.epochs, validation_fraction=0.0, normalize=False,
        early_stopping=None,
        device=args.device, random_state=seed,
        backbone__n_filters=args.n_filters, backbone__depth=args.depth,
        backbone__kernel_sizes=kernel_sizes(args.kernel_size),
        backbone__bottleneck_size=args.bottleneck_size,
        backbone__residual=not args.no_residual)


def make_sktime(args, seed):
    kwargs = {"weight_decay": args.weight_decay} if args.weight_decay else None
    from sktime.classification.deep_learning.inceptiontime import (
        InceptionTimeClassifierTorch,
    )

    return sktime_on_device(InceptionTimeClassifierTorch, resolve_device(args.device))(
        num_epochs=args.epochs, batch_size=args.batch_size, n_conv_layers=3,
        kernel_size=args.kernel_size, n_filters=args.n_filters, depth=args.depth,
        bottleneck_size=args.bottleneck_size, use_bottleneck=True,
        use_residual=not args.no_residual, activation=None, activation_hidden="ReLU",
        activation_inception=None, optimizer="Adam", optimizer_kwargs=kwargs,
        criterion="CrossEntropyLoss", lr=args.lr, init_weights=None, verbose=False,
        random_state=seed)


def short_error(exc):
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


def run_one(fit_and_score):
    """``(scores, seconds, error)`` of one fit; a failure gives ``(None, nan, message)``."""
    try:
        scores, seconds = fit_and_score()
        return scores, seconds, ""
    except Exception as exc:  # noqa: BLE001 - a benchmark records the failure, goes on
        return None, float("nan"), short_error(exc)


def run_group(args, group, data, seed, record):
    X_train, y_train, X_test, y_test = data
    tasks = list(X_train)
    for task in tasks:
        def ours():
            clf = make_ours(args, seed, multitask=False)
            seconds = timed_fit(clf, {task: X_train[task]}, {task: y_train[task]},
                                args.device)
            return clf.score_tasks({task: X_test[task]}, {task: y_test[task]}), seconds

        record(group, task, OURS, seed, *run_one(ours))
        if args.no_sktime:
            continue

        def theirs():
            length = max(X_train[task].shape[-1], X_test[task].shape[-1])
            clf = make_sktime(args, seed)
            seconds = timed_fit(clf, dense_for_sktime(X_train[task], length),
                                np.asarray(y_train[task]), args.device)
            pred = clf.predict(dense_for_sktime(X_test[task], length))
            return {task: accuracy_score(y_test[task], pred)}, seconds

        record(group, task, SKTIME, seed, *run_one(theirs))
    if args.no_mtl:
        return

    def shared():
        clf = make_ours(args, seed, multitask=True)
        seconds = timed_fit(clf, X_train, y_train, args.device)
        return clf.score_tasks(X_test, y_test), seconds

    scores, seconds, error = run_one(shared)
    for task in tasks:
        record(group, task, OURS_MTL, seed, scores, seconds, error)


def interval_text(row):
    """``mean ± half-width`` of a row of :func:`accuracy_intervals` (the mean alone for
    one seed)."""
    if np.isnan(row["half_width"]):
        return f"{row['mean']:.3f}"
    return f"{row['mean']:.3f} ± {row['half_width']:.3f}"


def summary_table(results, info):
    """Per task: accuracy mean ± 95 % half-width per method, and mean fit seconds."""
    ok = results[results.error == ""]
    intervals = accuracy_intervals(ok) if len(ok) else pd.DataFrame(
        columns=["method", "task", "n_seeds", "mean", "half_width"])
    methods = [m for m in METHODS if m in set(results.method)]
    rows = []
    for (group, task), part in results.groupby(["group", "task"], sort=False):
        row = {"task": task, "group": group, **info[task]}
        for method in methods:
            cell = intervals[(intervals.method == method) & (intervals.task == task)]
            failed = part[(part.method == method) & (part.error != "")]
            if len(cell):
                text = interval_text(cell.iloc[0])
                if len(failed):
                    text += f" ({len(failed)} failed)"
            else:
                text = f"failed: {failed.error.iloc[0]}" if len(failed) else ""
            row[f"acc {method}"] = text
        for method in methods:
            fit = part[part.method == method].fit_seconds.mean()
            row[f"fit s {method}"] = "" if np.isnan(fit) else f"{fit:.1f}"
        rows.append(row)
    table = pd.DataFrame(rows).set_index("task")
    # mean over the tasks of every seed, then over the seeds
    mean_row = {"group": "all", **{k: "" for k in ("n_train", "n_test", "length",
                                                   "padded")}}
    for method in methods:
        mine = ok[ok.method == method]
        n_tasks = mine.groupby("seed").task.nunique()
        complete = n_tasks.index[n_tasks == results.task.nunique()]
        per_seed = (mine[mine.seed.isin(complete)].groupby("seed", as_index=False)
                    .accuracy.mean().assign(method=method, task="mean"))
        mean_row[f"acc {method}"] = (
            interval_text(accuracy_intervals(per_seed).iloc[0]) if len(per_seed) else "")
        keys = ["group", "seed"] if method == OURS_MTL else ["task", "seed"]
        per_fit = mine.drop_duplicates(keys)
        total = per_fit.groupby("seed").fit_seconds.sum().mean() if len(per_fit) else np.nan
        mean_row[f"fit s {method}"] = "" if np.isnan(total) else f"{total:.1f} (sum)"
    table.loc["mean over tasks"] = pd.Series(mean_row)
    return table


def warm_up(args, data):
    """One short unrecorded fit of each implementation, so no timed fit pays for the
    first calls (kernel selection, lazy imports)."""
    X_train, y_train = next(iter(data.values()))[:2]
    task = next(iter(X_train))
    X, y = X_train[task][:16], np.asarray(y_train[task])[:16]
    quick = argparse.Namespace(**{**vars(args), "epochs": 1})
    run_one(lambda: (make_ours(quick, 0, False).fit({task: X}, {task: y}), 0))
    if not args.no_sktime:
        run_one(lambda: (make_sktime(quick, 0).fit(dense_for_sktime(X, X.shape[-1]), y), 0))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="+", default=GROUPS,
                        help=f"task groups (default: {' '.join(GROUPS)})")
    parser.add_argument("--tasks", nargs="+", default=None,
                        help="only these tasks of the groups (default: all present)")
    parser.add_argument("--data-dir", default=None, help="UCR archive folder")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs of every fit (default 100; 2 with --quick)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds (default 0 1 2; 0 with --quick)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="Adam weight decay of both (default 0, as sktime and the paper)")
    parser.add_argument("--n-filters", type=int, default=32)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=40,
                        help="longest kernel; the others are halves (40: 40, 20, 10)")
    parser.add_argument("--bottleneck-size", type=int, default=32)
    parser.add_argument("--no-residual", action="store_true",
                        help="no residual shortcuts, for both")
    parser.add_argument("--normalize", action="store_true",
                        help="z-normalise every series for both (default: archive data)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (all methods)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--no-sktime", action="store_true", help="skip sktime's classifier")
    parser.add_argument("--no-mtl", action="store_true", help="skip the shared fits")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 epochs, seed 0, the first task of the first group")
    parser.add_argument("--out", default=None,
                        help="CSV of every (task, method, seed), rewritten after each fit")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 2 if args.quick else 100
    if args.seeds is None:
        args.seeds = [0] if args.quick else [0, 1, 2]
    if args.quick:
        args.groups = args.groups[:1]
    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = ucr_dir(args.data_dir)

    import sktime

    # sktime's padding="same" convolutions with the even kernels 40, 20, 10 warn once
    warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")

    print("# InceptionTime: sktsmtl vs sktime InceptionTimeClassifierTorch, and MTL\n")
    print(f"epochs {args.epochs}; seeds {args.seeds}; batch {args.batch_size}; Adam lr "
          f"{args.lr} weight decay {args.weight_decay}; n_filters {args.n_filters}; depth "
          f"{args.depth}; kernels {kernel_sizes(args.kernel_size)}; bottleneck "
          f"{args.bottleneck_size}; residual {not args.no_residual}; validation none, last "
          f"epoch kept; normalize {args.normalize}; device {args.device}; torch "
          f"{torch.__version__}, {torch.get_num_threads()} thread(s); sktime "
          f"{sktime.__version__}\n", flush=True)

    data, info = {}, {}
    for group in args.groups:
        try:
            X_train, y_train, X_test, y_test = load_group(group, data_dir, args.tasks)
        except (FileNotFoundError, ValueError) as exc:
            print(f"skip {group}: {str(exc).splitlines()[0]}", flush=True)
            continue
        if args.quick:
            first = next(iter(X_train))
            X_train, y_train, X_test, y_test = (
                {first: d[first]} for d in (X_train, y_train, X_test, y_test))
        X_train, X_test = prepare(X_train, args.normalize), prepare(X_test, args.normalize)
        data[group] = X_train, y_train, X_test, y_test
        for task in X_train:
            info[task] = dict(n_train=len(y_train[task]), n_test=len(y_test[task]),
                              length=X_train[task].shape[-1],
                              padded="yes" if needs_padding(X_train[task], X_test[task])
                              else "no")
    if not data:
        raise SystemExit("no task group found; set --data-dir or SKTSMTL_UCR_DIR")

    rows = []

    def record(group, task, method, seed, scores, seconds, error):
        acc = np.nan if scores is None else float(scores[task])
        rows.append(dict(group=group, task=task, method=method, seed=seed, accuracy=acc,
                         fit_seconds=seconds, epochs=args.epochs, error=error))
        status = f"FAILED {error}" if error else f"acc {acc:.3f} fit {seconds:7.1f} s"
        print(f"seed {seed} {task:>17} {method:>17}: {status}", flush=True)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(rows, columns=COLUMNS).to_csv(args.out, index=False)

    if resolve_device(args.device) != "cpu":
        torch.zeros(1, device=resolve_device(args.device))  # start CUDA before any timing
    warm_up(args, data)
    start = time.perf_counter()
    for seed in args.seeds:
        for group, group_data in data.items():
            run_group(args, group, group_data, seed, record)
    results = pd.DataFrame(rows, columns=COLUMNS)

    print(f"\n## Test accuracy: mean over {len(args.seeds)} seed(s) ± half-width of the 95 % "
          f"t-interval; mean fit time (s; {OURS_MTL}: one fit of the whole group)\n")
    print(to_markdown(summary_table(results, info)))
    ok = results[results.error == ""]
    pairs = [(a, b) for a, b in ((OURS, SKTIME), (OURS_MTL, OURS))
             if {a, b} <= set(ok.method)]
    if pairs:
        table = paired_comparison(ok, pairs=pairs).set_index("method")
        print("\n## Paired over (task, seed) cells\n")
        print(to_markdown(table.round(4)))
    failures = results[results.error != ""]
    if len(failures):
        print("\n## Failed fits\n")
        print(to_markdown(failures.set_index("task")[["group", "method", "seed", "error"]]))
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
