"""Accuracy of TS2Vec + SVM, MTL + SVM and MTCS + SVM on the MTCS paper's Table 2 datasets.

Protocol (Wang et al. 2022, section 4): the archive's train/test split of every dataset;
every series z-normalised; the datasets of the group trained jointly (MTL, MTCS) or one
encoder per dataset (TS2Vec); AdamW, lr 1e-3, batch 32, TS2Vec encoder with 10 dilated
blocks of 64 channels and a 320-d representation; then the encoder is frozen and one
SVM per dataset is fitted on the embeddings of its training series (TS2Vec's protocol,
:class:`~sktsmtl.classification.CrossValidatedSVC`). No validation split: the last epoch
is kept, so the test split selects nothing. Changed from the paper: the paper trains on
the whole archive for 5 epochs; here only the Table 2 datasets present in the UCR folder
are trained together, for ``--epochs`` epochs of Algorithm 2 (an epoch visits the
largest dataset once). The single-task row trains the encoder with a supervised head;
the paper's TS2Vec column is TS2Vec's self-supervised training.

Usage::

    python benchmarks/bench_accuracy_mtcs.py --epochs 100 --seeds 0 1 2
    python benchmarks/bench_accuracy_mtcs.py --epochs 100 --seeds 0 1 2 --device cuda

The UCR folder comes from ``--data-dir`` or ``SKTSMTL_UCR_DIR`` (default:
``../shared/data/ucr`` beside the repository); the datasets of the group that are
missing are skipped (the shared folder holds Lightning2, Lightning7 and Chinatown). The
task-relation matrix of the MTCS model of the first seed is printed and drawn.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sktsmtl.benchmarking import make_method, rank_table, run_benchmark, to_markdown
from sktsmtl.benchmarking.reference import MTCS_TABLE2
from sktsmtl.datasets import load_task_group

from _common import ucr_dir

METHODS = ("ts2vec-svm", "mtl-svm", "mtcs-svm")

#: Table 2 of Wang et al. (2022): MTCS, MTL, TS2Vec accuracy, from the package's reference.
PAPER = MTCS_TABLE2


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="benchmarks/results/mtcs")
    args = parser.parse_args(argv)

    data_dir = ucr_dir(args.data_dir)
    print(f"MTCS Table 2 group, archive train/test; epochs {args.epochs}; seeds {args.seeds}; "
          f"AdamW lr 1e-3, batch 32; z-normalised; device {args.device}")
    start = time.perf_counter()
    results = run_benchmark("mtcs_table2", METHODS, protocol="ucr", seeds=args.seeds,
                            data_dir=data_dir, max_epochs=args.epochs, normalize=True,
                            device=args.device, out_dir=args.out)
    print(f"wall time {time.perf_counter() - start:.0f} s\n")

    mean = results.groupby(["task", "method"])["accuracy"].agg(["mean", "std"]).unstack()
    rows = []
    for task in mean.index:
        row = {"task": task}
        for method in METHODS:
            m, s = mean.loc[task, ("mean", method)], mean.loc[task, ("std", method)]
            row[method] = f"{m:.3f}" + ("" if np.isnan(s) else f" ± {s:.3f}")
        paper = PAPER.get(task, (np.nan,) * 3)
        row.update({"paper TS2Vec": paper[2], "paper MTL": paper[1], "paper MTCS": paper[0]})
        rows.append(row)
    print("Accuracy on the test split (mean ± std over seeds) beside Table 2:\n")
    print(pd.DataFrame(rows).to_markdown(index=False))
    fit = results.groupby("method")["fit_seconds"].first()
    print("\nfit seconds per cell (first seed):", fit.round(1).to_dict())
    print("\nRank table:\n")
    print(to_markdown(rank_table(results, decimals=3)))

    # the learnt task relations of the MTCS model, first seed
    from sktsmtl.inspection import plot_task_relations, task_relations

    X, y = load_task_group("mtcs_table2", split="train", data_dir=data_dir, missing="skip")
    est = make_method("mtcs-svm", random_state=args.seeds[0], max_epochs=args.epochs,
                      normalize=True, device=args.device, validation_fraction=0.0)
    est.fit(X, y)
    for measure in ("relevance", "peak"):
        print(f"\nMTCS task relations ({measure}):\n")
        print(task_relations(est, X, measure=measure).round(3).to_markdown())
    Path(args.out).mkdir(parents=True, exist_ok=True)
    ax = plot_task_relations(task_relations(est, X))
    ax.figure.savefig(Path(args.out) / "mtcs_task_relations.png", dpi=120,
                      bbox_inches="tight")


if __name__ == "__main__":
    main()
