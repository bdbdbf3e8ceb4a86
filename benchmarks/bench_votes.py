"""Soft votes of a network and the ROCKET peers: every combination from one fit of each.

A vote (:class:`~sktsmtl.MultiTaskVotingClassifier`) averages its members' class
probabilities task by task, so the votes of any subset of members, with equal or
held-out weights, follow from one fit of every member: this script fits each member once
per (group, seed) under the leak-free ``paper`` protocol, stores its test probabilities
and held-out accuracy (``<out>/cells/<group>-<seed>-<member>.pkl``; a stored cell is
read back, so runs over other seeds or members add to one folder), and reports every
candidate vote (equal weights; ``-heldout``: weights by held-out accuracy to the power
4, CAWPE; ``-select``: per task the member of best held-out accuracy alone) beside its
members and the peers: mean accuracy per group, average rank
over all tasks, fit time per seed (a vote's is the sum of its members'), and paired
comparisons (wins/ties/losses, mean difference, Wilcoxon p) of every multi-task
candidate against per-task MiniRocket, against the vote of MiniRocket and MultiRocket per
task, and against the same vote with the network learnt apart.

Members: ``mtl`` (ResNet1D shared by all tasks, per-task best validation epoch,
Algorithm 2's one task per batch), ``apart`` (ResNet1D per task), both 20 epochs at lr
1e-3, batch 40, no early stopping (the settings of the ``resnet1d-mtl+minirocket``
benchmark method); ``shared`` and ``shared60``: ``mtl`` with shared-input batches where
every task labels the same series (DodgerLoop's three label sets: ``fit(X, Y)`` with a
label column per task, every batch runs the backbone once for all heads), 20 epochs, or
60 (as many backbone passes as Algorithm 2's 20); on groups whose tasks have series of
their own they are the ``mtl`` fit itself. ``minirocket`` and ``multirocket`` per task
(:class:`~sktsmtl.classification.RocketClassifier`), and ``hydra`` per task (Hydra's
competing kernels and a ridge). A member's accuracy here is that
of its probabilities' argmax, which is its ``predict``.

Usage::

    python benchmarks/bench_votes.py --groups DodgerLoop ECG mtcs_table2 --seeds 0 1 2
    python benchmarks/bench_votes.py --groups DodgerLoop ECG mtcs_table2 --seeds 3 4
    python benchmarks/bench_votes.py --groups DodgerLoop ECG mtcs_table2 \\
        --seeds 0 1 2 3 4 --report-only
"""

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from _common import ucr_dir

MEMBERS = ("mtl", "apart", "minirocket", "multirocket", "hydra", "shared", "shared60")
ROCKETS = ("minirocket", "multirocket", "hydra")
#: Votes reported: members joined by ``+``; each with equal and with held-out weights.
VOTES = ("mtl+minirocket", "apart+minirocket",
         "shared+minirocket", "shared+minirocket+multirocket",
         "shared60+minirocket", "shared60+minirocket+multirocket",
         "mtl+minirocket+multirocket", "apart+minirocket+multirocket",
         "mtl+multirocket", "apart+multirocket", "minirocket+multirocket",
         "mtl+apart", "mtl+apart+minirocket", "mtl+apart+minirocket+multirocket",
         # Hydra: the peers' own combinations, and Hydra as a member of the votes
         "hydra+multirocket", "minirocket+hydra", "minirocket+multirocket+hydra",
         "mtl+hydra", "apart+hydra", "mtl+minirocket+hydra", "apart+minirocket+hydra",
         "mtl+multirocket+hydra", "apart+multirocket+hydra",
         "mtl+minirocket+multirocket+hydra", "apart+minirocket+multirocket+hydra")


def make_member(name, seed):
    from sktsmtl import MultiTaskTimeSeriesClassifier
    from sktsmtl.classification import PerTaskClassifier, RocketClassifier

    if name in ROCKETS:
        return PerTaskClassifier(RocketClassifier(name, random_state=seed))
    multitask = name != "apart"
    selection = dict(model_selection="per_task") if multitask else {}
    return MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", multitask=multitask, lr=1e-3,
        max_epochs=60 if name == "shared60" else 20,
        batch_size=40, early_stopping=None, random_state=seed, **selection)


def one_set_of_series(tasks_X):
    """Per task the row order that puts its rows in the first task's order, or None.

    None unless every task has the same recordings (DodgerLoop's three label sets).
    """
    from sktsmtl.datasets import task_recordings

    ids, _ = task_recordings(tasks_X)
    first = ids[next(iter(ids))]
    if any(sorted(v.tolist()) != sorted(first.tolist()) or len(set(v.tolist())) != len(v)
           for v in ids.values()):
        return None
    return {t: np.argsort(v)[np.argsort(np.argsort(first))] for t, v in ids.items()}


def fit_cell(member, seed, X_fit, y_fit, X_test):
    clf = make_member(member, seed)
    order = one_set_of_series(X_fit) if member.startswith("shared") else None
    if member.startswith("shared") and order is None:
        return None  # no set of series shared by every task: the ``mtl`` cell's fit
    start = time.perf_counter()
    if order is None:
        clf.fit(X_fit, y_fit)
    else:  # one X, a label column per task: each batch runs the backbone once
        first = next(iter(X_fit))
        clf.fit(X_fit[first][order[first]],
                {t: np.asarray(y)[order[t]] for t, y in y_fit.items()})
    seconds = time.perf_counter() - start
    if order is None:
        proba = clf.predict_proba(X_test)
    else:
        test_order = one_set_of_series(X_test)
        first = next(iter(X_test))
        aligned = clf.predict_proba(X_test[first][test_order[first]])
        # back to every task's own row order
        proba = {t: np.empty_like(aligned[t]) for t in X_test}
        for t in X_test:
            proba[t][test_order[t]] = aligned[t]
    return {"proba": dict(proba), "classes": {t: np.asarray(c) for t, c in clf.classes_.items()},
            "heldout": dict(getattr(clf, "heldout_accuracy_", None) or {}),
            "fit_seconds": seconds}


def vote_accuracy(cells, members, y_test, weights):
    """``{task: accuracy}`` of the soft vote of ``members``."""
    out = {}
    for task, y in y_test.items():
        if weights == "heldout":
            w = np.array([cells[m]["heldout"][task] for m in members]) ** 4
            w = w / w.sum() if w.sum() > 0 else np.full(len(members), 1 / len(members))
        elif weights == "select":  # the member of best held-out accuracy (first of ties)
            w = np.zeros(len(members))
            w[int(np.argmax([cells[m]["heldout"][task] for m in members]))] = 1.0
        else:
            w = np.full(len(members), 1 / len(members))
        classes = cells[members[0]]["classes"][task]
        for m in members[1:]:  # the members' columns are in the same class order
            assert np.array_equal(cells[m]["classes"][task], classes), (m, task)
        proba = sum(wi * cells[m]["proba"][task] for wi, m in zip(w, members))
        out[task] = float(np.mean(classes[np.argmax(proba, axis=1)] == np.asarray(y)))
    return out


def report(rows):
    import pandas as pd

    from sktsmtl.benchmarking import paired_comparison
    from sktsmtl.benchmarking.report import paired_markdown

    results = pd.DataFrame(rows)
    methods = list(dict.fromkeys(results["method"]))
    per_task = results.groupby(["method", "group", "task"])["accuracy"].mean()
    group_mean = per_task.groupby(["method", "group"]).mean().unstack("group")
    task_mean = per_task.unstack(["group", "task"])
    ranks = task_mean.rank(axis=0, ascending=False).mean(axis=1)
    cells = results.drop_duplicates(["method", "group", "seed"])
    fit = cells.groupby(["method", "group"])["fit_seconds"].mean().groupby("method").sum()
    table = group_mean.loc[methods].copy()
    table["all tasks"] = per_task.groupby("method").mean()
    table["avg rank"] = ranks
    table["fit s/seed"] = fit
    print(f"Seeds {sorted(results['seed'].unique())}; mean accuracy per group (mean over "
          "tasks of the per-task mean over seeds), average rank over all tasks, fit time "
          "per seed (groups added):\n")
    print(table.sort_values("avg rank").round(4).to_markdown())
    multitask = [m for m in methods if m.split("+")[0] in ("mtl", "shared", "shared60")]
    pairs = [(m, "minirocket") for m in multitask]
    # and against the single-task vote of the two ROCKETs (an ensemble a user can fit)
    if "minirocket+multirocket" in methods:
        pairs += [(m, "minirocket+multirocket") for m in multitask]
    if "minirocket+multirocket+hydra" in methods:
        pairs += [(m, "minirocket+multirocket+hydra") for m in multitask]
    apart = {m: "+".join(["apart"] + m.split("+")[1:]) for m in multitask}
    pairs += [(m, apart[m]) for m in multitask if apart[m] in methods]
    print()
    print("\n".join(paired_markdown(paired_comparison(results, pairs=pairs))))
    for group, part in results.groupby("group"):
        print(f"\n{group}, paired against minirocket:")
        print("\n".join(paired_markdown(paired_comparison(
            part, pairs=[p for p in pairs if p[1] == "minirocket"]))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", nargs="+", default=["DodgerLoop", "ECG", "mtcs_table2"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--members", nargs="+", default=list(MEMBERS), choices=MEMBERS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="votes")
    parser.add_argument("--report-only", action="store_true",
                        help="fit nothing; report the stored cells")
    parser.add_argument("--report", nargs="+", default=None, metavar="METHOD",
                        help="rank and compare only these methods (default: all)")
    args = parser.parse_args(argv)

    import torch

    from sktsmtl.benchmarking import get_protocol

    torch.set_num_threads(args.threads)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    store = Path(args.out) / "cells"
    store.mkdir(parents=True, exist_ok=True)
    protocol = get_protocol("paper")
    rows = []
    for group in args.groups:
        data = protocol.load(group, data_dir=ucr_dir(args.data_dir))
        for seed in args.seeds:
            X_fit, y_fit, X_test, y_test = protocol.split(data, seed)
            cells = {}
            for member in args.members:
                path = store / f"{group}-{seed}-{member}.pkl"
                if path.exists():
                    cells[member] = pickle.loads(path.read_bytes())
                elif args.report_only:
                    continue
                else:
                    cells[member] = fit_cell(member, seed, X_fit, y_fit, X_test)
                    path.write_bytes(pickle.dumps(cells[member]))
                    if cells[member] is not None:
                        print(f"{group} seed {seed} {member}: "
                              f"{cells[member]['fit_seconds']:.1f} s", flush=True)
                if cells.get(member, 0) is None:  # shared input does not apply: Algorithm 2
                    if "mtl" in cells:
                        cells[member] = cells["mtl"]
                    else:
                        del cells[member]
            candidates = [(m,) for m in cells]
            candidates += [tuple(v.split("+")) for v in VOTES
                           if all(m in cells for m in v.split("+"))]
            for members in candidates:
                rules = ("equal",) if len(members) == 1 else ("equal", "heldout", "select")
                for weights in rules:
                    name = "+".join(members) + ("" if weights == "equal" else f"-{weights}")
                    seconds = sum(cells[m]["fit_seconds"] for m in members)
                    for task, acc in vote_accuracy(cells, members, y_test, weights).items():
                        rows.append(dict(method=name, group=group, task=task, seed=seed,
                                         accuracy=acc, fit_seconds=seconds))
    if args.report:
        rows = [r for r in rows if r["method"] in args.report]
    if rows:
        report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
