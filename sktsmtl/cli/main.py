"""Argument parsing and dispatch of the ``sktsmtl`` command.

Subcommands stay thin: they parse, call the library and print. Logic lives in the
layers below (datasets, classification, benchmarking).
"""

import argparse
import contextlib
import signal
import sys

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


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Treat SIGTERM (``kill``, a scheduler's time limit) like Ctrl-C inside the block."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_benchmark_args(args):
    """The numeric and device arguments, checked before any data is read or printed."""
    import math

    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}.")
    if args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        raise ValueError(f"--lr must be a positive number, got {args.lr}.")
    if args.window is not None and not (0.0 <= args.window <= 1.0):
        raise ValueError(f"--window is a fraction of the series length in [0, 1], got "
                         f"{args.window}.")
    if args.n_jobs is not None and args.n_jobs == 0:
        raise ValueError("--n-jobs must be a non-zero integer (-1: one per core).")
    if args.device is not None:
        from ..training import resolve_device

        try:
            resolve_device(args.device)
        except ValueError as exc:
            raise ValueError(f"--device {args.device}: {exc}") from None


def _cmd_benchmark(args):
    from ..benchmarking import (
        BenchmarkInterrupted,
        paired_comparison,
        paired_markdown,
        rank_table,
        reference_tables,
        run_benchmark,
        to_markdown,
        write_report,
    )

    _check_benchmark_args(args)
    method_params = {} if args.window is None else {"window": args.window}
    print(f"group {args.group}; protocol {args.protocol}; methods {' '.join(args.methods)}; "
          f"seeds {' '.join(map(str, args.seeds))}; epochs "
          f"{'method default' if args.epochs is None else args.epochs}; lr "
          f"{'method default' if args.lr is None else args.lr}; normalize {args.normalize}; "
          f"device {args.device or 'method default'}; output {args.out}", flush=True)
    try:
        with _sigterm_as_interrupt():
            results = run_benchmark(
                args.group, args.methods, protocol=args.protocol, seeds=args.seeds,
                data_dir=args.data_dir, tasks=args.tasks, max_epochs=args.epochs,
                lr=args.lr, device=args.device, normalize=args.normalize,
                method_params=method_params, out_dir=args.out, scheduler=args.scheduler,
                n_jobs=args.n_jobs, progress=not args.quiet)
    except BenchmarkInterrupted as stop:
        print(f"sktsmtl benchmark: interrupted; the finished fits are kept in {args.out!r}: "
              "run the same command again to go on.", file=sys.stderr)
        if len(stop.results):
            paths = write_report(stop.results, args.out)
            print("Finished cells so far (rank in brackets, 1 = best):")
            print(to_markdown(rank_table(stop.results)))
            print("files: " + ", ".join(str(p) for p in paths.values()))
        return 130
    paths = write_report(results, args.out)
    print()
    if len(args.seeds) > 1:
        print("Mean test accuracy over seeds ± half-width of its 95% interval (rank in "
              "brackets, 1 = best):")
    else:
        print("Test accuracy (rank in brackets, 1 = best):")
    print(to_markdown(rank_table(results, interval=0.95)))
    print()
    paired = paired_comparison(results)
    if len(paired):
        print("\n".join(paired_markdown(paired)))
    # every published table with the run's tasks and at least two of its methods
    for title, reference in reference_tables(list(results["task"].unique()),
                                             list(results["method"].unique())):
        if reference["method"].nunique() > 1:
            print(f"{title}, for the same tasks and methods (ranked among these "
                  "methods):")
            decimals = 2 if title.startswith("ResNet2D") else 3
            print(to_markdown(rank_table(reference, decimals=decimals)))
            print()
    cells = results.drop_duplicates(["method", "seed"])
    times = cells.groupby("method", sort=False)["fit_seconds"].mean()
    print("mean fit time per seed: " + ", ".join(f"{m} {s:.1f} s" for m, s in times.items()))
    print("files: " + ", ".join(str(p) for p in paths.values()))
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

    from ..benchmarking import DEFAULT_METHODS, PROTOCOLS, list_methods

    p = sub.add_parser(
        "benchmark",
        help="fit and score methods on every task of a group over seeds; write the "
             "rank table (resumable)",
        description="Fit and score methods on every task of a group, over seeds, under a "
                    "protocol; print and write the papers' rank table. Finished fits are "
                    "stored in --out: after an interrupt, the same command goes on where "
                    "it stopped.")
    p.add_argument("--group", default="basic_motions", help="task group (see 'datasets'; "
                                                            "default: basic_motions)")
    p.add_argument("--data-dir", default=None,
                   help="UCR archive folder (default: $SKTSMTL_UCR_DIR)")
    p.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="METHOD",
                   help=f"methods to compare (default: {' '.join(DEFAULT_METHODS)}); known: "
                        f"{', '.join(list_methods())}")
    p.add_argument("--protocol", default="paper", choices=list(PROTOCOLS),
                   help="'paper': 60/20/20 split, drawn once per recording where tasks "
                        "share recordings (leak-free), best epoch on validation; "
                        "'paper-per-task': the paper's per-task split; 'ucr': the "
                        "archive's train/test split (default: paper)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0], metavar="SEED",
                   help="seeds, one fit per method and seed (default: 0)")
    p.add_argument("--epochs", type=int, default=None,
                   help="training epochs of the networks (default: each method's own)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate of the networks (default: each method's own)")
    p.add_argument("--normalize", action="store_true",
                   help="z-normalise every series for every method (default: off)")
    p.add_argument("--device", default=None, choices=["cpu", "cuda", "auto"],
                   help="torch device of the networks (default: each method's own, cpu)")
    p.add_argument("--window", type=float, default=None,
                   help="Sakoe-Chiba window of 1NN-DTW as a fraction of the length "
                        "(default: none)")
    p.add_argument("--tasks", nargs="+", default=None, metavar="TASK",
                   help="only these tasks of the group")
    p.add_argument("--out", default="benchmark_results",
                   help="output folder: fit records, results CSV, rank table (Markdown, "
                        "CSV), PNG plot (default: benchmark_results)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the fits on the Dask cluster of this scheduler, for example "
                        "tcp://10.0.0.1:8786 (needs dask[distributed])")
    p.add_argument("--n-jobs", type=int, default=None,
                   help="fits run in parallel, in local processes that share the cores "
                        "(-1: one per core; default: 1; every worker with --scheduler)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar and no per-epoch lines")
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
    except (ValueError, TypeError, ImportError, OSError) as exc:
        print(f"sktsmtl {args.command}: error: {exc}", file=sys.stderr)
        return 2
