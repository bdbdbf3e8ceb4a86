"""Multi-task recipes against learning apart, over seeds.

For every group, every seed and every method, the paper protocol of the ResNet2D paper
(per task a stratified 60/20/20 train/validation/test split drawn from the archive's
train and test parts together, the best validation epoch kept) through
:func:`sktsmtl.benchmarking.run_benchmark`; then, per group, the mean test accuracy with
a 95% Student-t interval over seeds per task, the average rank, and the paired
comparison of every multi-task recipe with the same backbone apart (wins/ties/losses over
tasks x seeds, sign test and Wilcoxon signed-rank test).

Methods (for every ``<backbone>`` of ``--backbone``; every network with the run's epochs,
lr and batch 40):

``<backbone>``
    one network per task;
``<backbone>-mtl``
    one shared network, the epoch of the best mean validation accuracy (the papers');
``<backbone>-mtl-pertask``
    shared, every task predicted with the state of its own best validation epoch
    (``model_selection="per_task"``);
``<backbone>-mtl-finetune``
    per-task selection, then ``--finetune-epochs`` epochs of each task's head alone on
    that task (``finetune="head"``), its best validation epoch kept (the joint state
    competing as epoch 0);
``<backbone>-mtl-finetune-all``
    the same with head and backbone fine-tuned (``finetune="all"``) at ``lr / 10`` or
    ``--finetune-lr``;
``<backbone>-mtl-pcgrad``
    shared with PCGrad gradient surgery (``gradient_surgery="pcgrad"``) and per-task
    selection;
``<backbone>-mtl-mtcs``
    shared with the MTCS classifier-sharing loss between the task heads
    (``sharing="mtcs"``) and the papers' mean selection;
``<backbone>-mtl-recal``, ``<backbone>-mtl-pertask-recal``
    shared, every task's batch-norm statistics recomputed after every epoch
    (``recalibrate_norm=True``), with the mean or per-task selection;
``<backbone>+minirocket``, ``<backbone>-<recipe>+minirocket``
    with ``--vote RECIPE ...`` (``apart`` for the backbone learnt apart): soft voting
    (:class:`~sktsmtl.MultiTaskVotingClassifier`) of that network with MiniRocket per
    task, their class probabilities averaged per task (MiniRocket's ridge scores
    calibrated by temperature on its leave-one-out scores); every voting recipe is
    compared pairwise with the apart network's vote and with ``minirocket``.
    ``--vote-weights heldout`` weighs the two per task by their held-out accuracy to
    the power 4 (the network's validation accuracy, MiniRocket's leave-one-out
    accuracy; names end in ``-heldout``).
    ``--vote-only`` leaves the networks alone out of the run.
``1nn-dtw``
    with ``--with-1nn``: the ResNet2D paper's baseline, 1NN-DTW per task.
``minirocket``, ``multirocket``, ``hydra``
    with ``--with-rocket``: the practitioner's fast single-task peers, MiniRocket,
    MultiRocket and Hydra features with a ridge classifier per task; every multi-task
    recipe is also compared pairwise with ``minirocket``.

``--protocol`` is ``paper`` by default: the paper's 60/20/20 split, drawn once per
recording where tasks share recordings (DodgerLoop), so that the comparison of
multi-task with per-task learning is clean; ``paper-per-task`` is the paper's own
per-task split.

``--table1 RECIPE`` adds the ResNet2D paper's Table I view: the average rank of its five
methods, 1NN-DTW, ResNet1D and ResNet2D apart, and ResNet1D and ResNet2D shared with
``RECIPE`` (``mtl`` for the paper's plain hard sharing); it needs ``--with-1nn`` and
both backbones.

Results are stored per fit in ``--out`` (resumable: the same command goes on where it
stopped) and the report is printed and written there (``<group>_paper_recipes.md``;
with several groups also the report over all their tasks, ``all_groups_paper_recipes.md``).

Usage::

    python benchmarks/bench_mtl_recipes.py --groups DodgerLoop ECG --seeds 0 1 2 3 4 \\
        --epochs 20 --lr 1e-3
    python benchmarks/bench_mtl_recipes.py --backbone resnet2d --backbone-param n_templates=16 \\
        --backbone-param template_length=32 --backbone-param width=32 --out r2d_small
    python benchmarks/bench_mtl_recipes.py --backbone resnet1d resnet2d --with-1nn \\
        --only mtl mtl-finetune-all --table1 mtl-finetune-all
    python benchmarks/bench_mtl_recipes.py --backbone resnet1d resnet2d --with-1nn \\
        --only mtl mtl-finetune-all --table1 mtl-finetune-all --epochs 40 \\
        --finetune-epochs 20 --finetune-lr 3e-4 --out ft40    # the best recipe found
    python benchmarks/bench_mtl_recipes.py --groups DodgerLoop ECG mtcs_table2 \\
        --with-1nn --with-rocket --only mtl mtl-finetune-all --epochs 20 \\
        --finetune-epochs 20 --finetune-lr 3e-4    # against the ROCKET peers, leak-free
    python benchmarks/bench_mtl_recipes.py --groups DodgerLoop ECG mtcs_table2 \\
        --with-rocket --vote apart mtl-pertask --vote-only --epochs 20    # the votes
    python benchmarks/bench_mtl_recipes.py --quick          # 1 epoch, 1 seed, DodgerLoop
"""

import argparse
import os
import sys
import time

import torch

from _common import ucr_dir


def _methods(backbone, finetune_epochs, only, precision="float32", backbone_params=None,
             finetune_lr=None):
    from sktsmtl import MultiTaskTimeSeriesClassifier

    routed = {f"backbone__{k}": v for (name, k), v in (backbone_params or {}).items()
              if name in (None, backbone)}

    def make(**params):
        # the measured recipes train a fixed number of epochs (best epoch kept)
        return MultiTaskTimeSeriesClassifier(backbone=backbone, precision=precision,
                                             early_stopping=None, **routed, **params)

    methods = {
        backbone: make(multitask=False),
        f"{backbone}-mtl": make(multitask=True),
        f"{backbone}-mtl-pertask": make(multitask=True, model_selection="per_task"),
        f"{backbone}-mtl-finetune": make(multitask=True, model_selection="per_task",
                                         finetune_epochs=finetune_epochs,
                                         finetune_lr=finetune_lr),
        f"{backbone}-mtl-finetune-all": make(multitask=True, model_selection="per_task",
                                             finetune_epochs=finetune_epochs,
                                             finetune="all", finetune_lr=finetune_lr),
        f"{backbone}-mtl-pcgrad": make(multitask=True, model_selection="per_task",
                                       gradient_surgery="pcgrad"),
        f"{backbone}-mtl-mtcs": make(multitask=True, sharing="mtcs"),
        f"{backbone}-mtl-recal": make(multitask=True, recalibrate_norm=True),
        f"{backbone}-mtl-pertask-recal": make(multitask=True, model_selection="per_task",
                                              recalibrate_norm=True),
    }
    if only:
        methods = {k: v for k, v in methods.items()
                   if k == backbone or k[len(backbone) + 1:] in only}
    return list(methods.items())


def _votes(methods, recipes, weights=("equal",)):
    """``name+minirocket`` soft-voting methods of the named networks, with equal
    weights, and ``name+minirocket-heldout`` weighted by held-out accuracy."""
    from sktsmtl import MultiTaskVotingClassifier
    from sktsmtl.classification import RocketClassifier

    votes = []
    for name, network in methods:
        backbone = name.split("-mtl")[0]
        recipe = "apart" if name == backbone else name[len(backbone) + 1:]
        if recipe not in recipes:
            continue
        for rule in weights:
            suffix = "" if rule == "equal" else f"-{rule}"
            votes.append((f"{name}+minirocket{suffix}", MultiTaskVotingClassifier(
                [("network", network), ("minirocket", RocketClassifier("minirocket"))],
                weights=None if rule == "equal" else rule)))
    return votes


def _report(results, backbones, table1=None, peer=None):
    from sktsmtl.benchmarking import accuracy_intervals, paired_comparison, rank_table
    from sktsmtl.benchmarking.report import paired_markdown

    methods = list(dict.fromkeys(results["method"]))
    lines = ["Mean test accuracy (95% interval over seeds) and rank:", ""]
    lines.append(rank_table(results, interval=0.95).to_markdown())
    # every recipe against its own backbone learnt apart
    pairs = [(m, b) for b in backbones for m in methods if m.startswith(f"{b}-mtl")
             and "+" not in m]
    # every voting recipe against the vote (same weights) of the network learnt apart
    for b in backbones:
        for m in methods:
            if m.startswith(f"{b}-mtl") and "+" in m:
                apart = f"{b}+{m.split('+', 1)[1]}"
                if apart in methods:
                    pairs.append((m, apart))
    if peer is not None and peer in methods:  # and against the single-task peer
        pairs += [(m, peer) for b in backbones for m in methods
                  if m.startswith(f"{b}-mtl") and b != peer]
    paired = paired_comparison(results, pairs=pairs)
    lines += [""] + paired_markdown(paired)
    means = accuracy_intervals(results).groupby("method")["mean"].mean()
    cells = results.drop_duplicates(["method", "seed", "group"] if "group" in results
                                    else ["method", "seed"])
    fit = cells.groupby(["method", "group"])["fit_seconds"].mean().groupby("method").sum()
    lines += ["", "Mean over tasks of the per-task mean accuracy; fit time per seed (the "
                  "groups' fits added up):", ""]
    lines += [f"- {m}: {means[m]:.4f}; {fit[m]:.1f} s" for m in methods]
    if table1 is not None:
        five = ["1nn-dtw", "resnet1d", f"resnet1d-{table1}", "resnet2d", f"resnet2d-{table1}"]
        view = results[results["method"].isin(five)]
        lines += ["", f"Table I's five methods (shared networks: {table1}), mean over seeds "
                      "and rank:", "", rank_table(view).to_markdown()]
    return "\n".join(lines)


def _backbone_param(text):
    """``[BACKBONE.]NAME=INT`` -> ((BACKBONE or None, NAME), INT)."""
    key, sep, value = text.partition("=")
    backbone, dot, name = key.rpartition(".")
    if not sep or not name.isidentifier() or not value.isdigit() or (dot and not backbone):
        raise argparse.ArgumentTypeError(f"expected [BACKBONE.]NAME=INT, got {text!r}")
    return (backbone or None, name), int(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="+", default=["DodgerLoop", "ECG"])
    parser.add_argument("--backbone", nargs="+", default=["resnet1d"],
                        help="one or more backbones, each with its recipes")
    parser.add_argument("--with-1nn", action="store_true", help="add 1NN-DTW per task")
    parser.add_argument("--with-rocket", action="store_true",
                        help="add MiniRocket, MultiRocket and Hydra per task")
    parser.add_argument("--protocol", default="paper",
                        choices=["paper", "paper-per-task"])
    parser.add_argument("--vote", nargs="+", default=[], metavar="RECIPE",
                        help="add <network>+minirocket soft-voting methods for these "
                             "recipes (apart, mtl, mtl-pertask, ...)")
    parser.add_argument("--vote-weights", nargs="+", default=["equal"],
                        choices=["equal", "heldout"],
                        help="weights of the votes: equal, or heldout (each estimator's "
                             "held-out accuracy per task to the power 4); heldout adds "
                             "the suffix -heldout to the method names")
    parser.add_argument("--vote-only", action="store_true",
                        help="run the voting methods without the networks alone")
    parser.add_argument("--table1", default=None, metavar="RECIPE",
                        help="print the average ranks of Table I's five methods with the "
                             "shared networks trained by RECIPE (e.g. mtl)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--finetune-epochs", type=int, default=10)
    parser.add_argument("--finetune-lr", type=float, default=None,
                        help="learning rate of the fine-tuning recipes (default: the "
                             "estimator's, lr for the head, lr / 10 for all); use a fresh "
                             "--out when changing it or --finetune-epochs")
    parser.add_argument("--only", nargs="+", default=None, metavar="RECIPE",
                        help="recipes besides the single-task one: mtl mtl-pertask "
                             "mtl-finetune mtl-finetune-all mtl-pcgrad mtl-mtcs mtl-recal "
                             "mtl-pertask-recal (default: all)")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--precision", default="float32",
                        choices=["float32", "bfloat16", "auto"],
                        help="every method's precision (bfloat16 matched float32 within "
                             "seed noise, bench_precision_accuracy.py)")
    parser.add_argument("--backbone-param", action="append", default=[], metavar="NAME=INT",
                        type=_backbone_param,
                        help="a backbone size argument, e.g. n_templates=16, or "
                             "resnet2d.n_templates=16 for one backbone only (repeatable); "
                             "use a fresh --out when changing it: stored fits are keyed "
                             "by method name and seed")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default="mtl_recipes")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.table1 is not None and not (args.with_1nn
                                        and {"resnet1d", "resnet2d"} <= set(args.backbone)):
        parser.error("--table1 needs --with-1nn and --backbone resnet1d resnet2d")
    if args.quick:
        args.groups, args.seeds, args.epochs, args.finetune_epochs = ["DodgerLoop"], [0], 1, 1
    torch.set_num_threads(args.threads)
    data_dir = ucr_dir(args.data_dir)

    from sktsmtl.benchmarking import run_benchmark

    backbone_params = dict(args.backbone_param)
    print(f"backbones {' '.join(args.backbone)} {backbone_params or ''}, {args.precision}, "
          f"{args.epochs} epochs, lr {args.lr}, batch 40, "
          f"seeds {args.seeds}, {args.protocol} protocol (60/20/20), torch threads "
          f"{args.threads}")
    every_group = []
    for group in args.groups:
        start = time.time()
        methods = ["1nn-dtw"] if args.with_1nn else []
        if args.with_rocket:
            methods += ["minirocket", "multirocket", "hydra"]
        for backbone in args.backbone:
            networks = _methods(backbone, args.finetune_epochs, args.only, args.precision,
                                backbone_params, args.finetune_lr)
            votes = _votes(_methods(backbone, args.finetune_epochs, None, args.precision,
                                    backbone_params, args.finetune_lr), args.vote,
                           args.vote_weights)
            methods += ([] if args.vote_only else networks) + votes
        results = run_benchmark(
            group, methods,
            protocol=args.protocol, seeds=tuple(args.seeds), data_dir=data_dir,
            max_epochs=args.epochs, lr=args.lr, out_dir=os.path.join(args.out, group),
            progress=False)
        peer = "minirocket" if args.with_rocket else None
        text = f"## {group}\n\n" + _report(results, args.backbone, args.table1, peer)
        text += f"\n\n({time.time() - start:.0f} s for the fits not stored before)\n"
        print(text)
        with open(os.path.join(args.out, f"{group}_{args.protocol}_recipes.md"), "w") as f:
            f.write(text)
        every_group.append(results)
    if len(every_group) > 1:
        import pandas as pd

        text = f"## {' + '.join(args.groups)}\n\n" + _report(
            pd.concat(every_group, ignore_index=True), args.backbone, args.table1,
            "minirocket" if args.with_rocket else None)
        print(text)
        with open(os.path.join(args.out, f"all_groups_{args.protocol}_recipes.md"), "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
