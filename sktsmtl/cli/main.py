"""Argument parsing and dispatch of the ``sktsmtl`` command.

Subcommands stay thin: they parse, call the library and print. Logic lives in the
layers below (datasets, classification, benchmarking).
"""

import argparse
import sys
import time

__all__ = ["build_parser", "main"]


def _cmd_datasets(args):
    from ..datasets import list_task_groups

    rows = list_task_groups(data_dir=args.data_dir)
    width = max(len(r["name"]) for r in rows)
    print(f"{'group'.ljust(width)}  source    available  tasks")
    for r in rows:
        avail = "yes" if r["available"] else "no"
        print(f"{r['name'].ljust(width)}  {r['source']:<8}  {avail:<9}  {', '.join(r['tasks'])}")
    return 0


def _cmd_benchmark(args):
    from ..classification import KNeighborsDTWClassifier, PerTaskClassifier
    from ..datasets import load_task_group

    X_train, y_train = load_task_group(args.group, split="train", data_dir=args.data_dir)
    X_test, y_test = load_task_group(args.group, split="test", data_dir=args.data_dir)
    window = None if args.window is None else float(args.window)
    clf = PerTaskClassifier(KNeighborsDTWClassifier(window=window))
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    scores = clf.score_tasks(X_test, y_test)
    elapsed = time.perf_counter() - start
    width = max(len(str(t)) for t in scores)
    print(f"method: 1nn-dtw (window={window}); group: {args.group}; protocol: ucr train/test")
    print(f"{'task'.ljust(width)}  n_train  n_test  accuracy")
    for task, acc in scores.items():
        print(f"{str(task).ljust(width)}  {len(y_train[task]):>7}  {len(y_test[task]):>6}"
              f"  {acc:8.3f}")
    mean = sum(scores.values()) / len(scores)
    print(f"{'mean'.ljust(width)}  {'':>7}  {'':>6}  {mean:8.3f}")
    print(f"wall time: {elapsed:.1f} s")
    return 0


def build_parser():
    """The argument parser of the ``sktsmtl`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="sktsmtl",
        description="Multi-task time-series classification: datasets and benchmarks.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"sktsmtl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("datasets", help="list the known task groups and whether each is "
                                        "available here")
    p.add_argument("--data-dir", default=None,
                   help="UCR archive folder (default: $SKTSMTL_UCR_DIR)")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("benchmark", help="fit and score 1NN-DTW per task of a group "
                                         "(archive train/test split)")
    p.add_argument("--group", default="basic_motions", help="task group (see 'datasets')")
    p.add_argument("--data-dir", default=None,
                   help="UCR archive folder (default: $SKTSMTL_UCR_DIR)")
    p.add_argument("--window", default=None,
                   help="Sakoe-Chiba window as a fraction of the length (default: none)")
    p.set_defaults(func=_cmd_benchmark)
    return parser


def main(argv=None):
    """Run the ``sktsmtl`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; None reads ``sys.argv``.

    Returns
    -------
    int
        Exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"sktsmtl {args.command}: error: {exc}", file=sys.stderr)
        return 2
