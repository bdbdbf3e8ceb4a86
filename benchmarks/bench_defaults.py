"""Candidate training defaults of ``MultiTaskTimeSeriesClassifier``: accuracy and time.

For every group, backbone, candidate and seed: one fit on the group's training split
(the archive's train/test split; the estimator holds out its own validation part) and
the mean test accuracy over tasks, with the fit time and the epochs trained. Candidates:

``paper``
    the ResNet2D paper's optimiser settings, the former defaults: lr 1e-4, 100 epochs
    (the paper trains 400), no early stopping;
``fast``
    lr 1e-3, at most 100 epochs, early stopping after 20 epochs without a better
    validation accuracy (the defaults chosen by this measurement);
``fast-50``
    lr 1e-3, 50 epochs, no early stopping;
``cosine-50``
    lr 1e-3 annealed to 0 along a cosine over 50 epochs, no early stopping;
``plateau``
    ``fast`` with the learning rate halved after 5 epochs without a lower validation
    loss (``ReduceLROnPlateau``, the schedule of FCN/ResNet in Ismail Fawaz et al.
    2019, there with patience 50 over 1500 epochs).

Usage::

    python benchmarks/bench_defaults.py --groups basic_motions japanese_vowels \\
        --backbones resnet1d resnet2d --candidates paper fast --seeds 0 1 2
    python benchmarks/bench_defaults.py --groups DodgerLoop ECG --data-dir ../shared/data/ucr

UCR groups need ``--data-dir`` or ``SKTSMTL_UCR_DIR``. One process; ``--threads`` torch
threads (default: all cores).
"""

import argparse
import statistics
import sys
import time

CANDIDATES = {
    "paper": dict(lr=1e-4, max_epochs=100, early_stopping=None),
    "fast": dict(lr=1e-3, max_epochs=100, early_stopping=20),
    "fast-50": dict(lr=1e-3, max_epochs=50, early_stopping=None),
    "cosine-50": dict(lr=1e-3, max_epochs=50, early_stopping=None,
                      schedule=("CosineAnnealingLR", dict(T_max=50))),
    "plateau": dict(lr=1e-3, max_epochs=100, early_stopping=20,
                    schedule=("ReduceLROnPlateau", dict(monitor="valid_loss", patience=5,
                                                        factor=0.5))),
}


def make_classifier(backbone, seed, candidate):
    """The classifier of a candidate; a schedule is skorch's ``LRScheduler`` callback."""
    from skorch.callbacks import LRScheduler

    from sktsmtl import MultiTaskTimeSeriesClassifier

    params = dict(CANDIDATES[candidate])
    schedule = params.pop("schedule", None)
    if schedule is not None:
        policy, settings = schedule
        params["callbacks"] = [("lr_schedule", LRScheduler(policy=policy, **settings))]
    return MultiTaskTimeSeriesClassifier(backbone=backbone, random_state=seed, **params)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="+", default=["basic_motions", "japanese_vowels"])
    parser.add_argument("--backbones", nargs="+", default=["resnet1d", "resnet2d"])
    parser.add_argument("--candidates", nargs="+", default=["paper", "fast"],
                        choices=list(CANDIDATES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)

    import os

    import torch

    from sktsmtl.datasets import load_task_group

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch threads {torch.get_num_threads()} of {os.cpu_count()} cores")
    print("| group | backbone | candidate | accuracy (seeds) | mean | fit s | epochs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for group in args.groups:
        # the tasks of a UCR group that are in the folder (ECG: 3 of its 6 in ../shared)
        X, y = load_task_group(group, split="train", data_dir=args.data_dir, missing="skip")
        X_test, y_test = load_task_group(group, split="test", data_dir=args.data_dir,
                                         missing="skip")
        for backbone in args.backbones:
            for name in args.candidates:
                scores, seconds, epochs = [], [], []
                for seed in args.seeds:
                    clf = make_classifier(backbone, seed, name)
                    start = time.perf_counter()
                    clf.fit(X, y)
                    seconds.append(time.perf_counter() - start)
                    scores.append(clf.score(X_test, y_test))
                    history = clf.history_
                    lengths = ([len(h) for h in history.values()]
                               if isinstance(history, dict) else [len(history)])
                    epochs.append(max(lengths))
                print(f"| {group} | {backbone} | {name} | "
                      f"{' '.join(f'{s:.3f}' for s in scores)} | "
                      f"{statistics.mean(scores):.3f} | {statistics.mean(seconds):.1f} | "
                      f"{statistics.mean(epochs):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
