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


# the benchmark's protocols, named here so that the parser needs no import (the runner
# refuses any other name with the list of its own)
_PROTOCOL_NAMES = ("paper", "paper-per-task", "ucr")


def _method_listing():
    """Every method with its default training length and its description."""
    from ..benchmarking import DEFAULT_METHODS, get_method, list_methods

    lines = ["methods (* = the default set; training length at each method's defaults, "
             "which --epochs replaces):"]
    for name in list_methods():
        method = get_method(name)
        params = method.build()[0].get_params(deep=True)
        epochs = [v for k, v in params.items()
                  if k.split("__")[-1] == "max_epochs" and v is not None]
        steps = [k for k in params if k.split("__")[-1] == "n_iters"]
        length = (f"{epochs[0]} epochs" if epochs else "TS2Vec steps" if steps
                  else "no training")
        mark = "*" if name in DEFAULT_METHODS else " "
        lines.append(f"  {mark} {name:<22} {length:<13} {method.description}")
    return "\n".join(lines)


class _HelpWithMethods(argparse.Action):
    """``-h``: the benchmark's help, with the method list, built only when asked (it
    imports the estimators, which ``sktsmtl --help`` must not wait for)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.epilog = _method_listing()
        parser.print_help()
        parser.exit()


def _check_benchmark_args(args):
    """The numeric and device arguments, checked before any data is read or printed."""
    import math

    if args.protocol not in _PROTOCOL_NAMES:
        raise ValueError(f"--protocol must be one of {', '.join(_PROTOCOL_NAMES)}; got "
                         f"{args.protocol!r}.")
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


def _write_report(results, out):
    """The report's files; without matplotlib one plain line says how to get the PNG."""
    import importlib.util

    from ..benchmarking import write_report

    plot = importlib.util.find_spec("matplotlib") is not None
    if not plot:
        print("no PNG plot: matplotlib is not installed (pip install matplotlib, or "
              "pip install 'sktsmtl[plot]').")
    return write_report(results, out, plot=plot)


def _check_group(args):
    """The group exists and, for a UCR group, its folder is set: before any output."""
    from ..datasets import get_data_dir, get_task_group

    group = get_task_group(args.group)  # a ValueError naming the known groups
    if group.source != "ucr":
        return
    names = args.tasks or list(group.tasks)
    expected = ", ".join(f"<folder>/{t}/{t}_TRAIN.tsv and {t}_TEST.tsv" for t in names)
    try:
        get_data_dir(args.data_dir)
    except FileNotFoundError as exc:
        if args.data_dir is not None:
            problem = f"--data-dir {args.data_dir!r} does not exist or is not a folder."
        elif "No UCR archive folder is set" in str(exc):
            problem = ("No UCR archive folder is set: pass --data-dir "
                       "/path/to/UCRArchive_2018 or set the environment variable "
                       "SKTSMTL_UCR_DIR to the folder that holds the dataset folders. "
                       "sktsmtl downloads nothing; get the archive from "
                       "https://www.cs.ucr.edu/~eamonn/time_series_data_2018/; the "
                       "embedded groups need none (sktsmtl datasets lists them).")
        else:
            problem = str(exc)
        raise ValueError(f"group {group.name!r} is read from the UCR archive folder. "
                         f"{problem} Expected files: {expected}.") from None


def _time_summary(results):
    """Mean fit and predict time per seed and method; numba's one-off compilation
    apart (a lazy learner such as 1NN-DTW spends its time predicting)."""
    cells = results.drop_duplicates(["method", "seed"])
    means = cells.groupby("method", sort=False)[
        ["fit_seconds", "score_seconds", "compile_seconds"]].mean()
    parts = []
    for method, row in means.iterrows():
        text = f"{method} {row['fit_seconds']:.1f} s / {row['score_seconds']:.1f} s"
        if row["compile_seconds"] >= 0.05:  # NaN (older cells) and 0 say nothing
            text += f" (+ numba compilation {row['compile_seconds']:.1f} s, once)"
        parts.append(text)
    return "mean time per seed, fit / predict: " + ", ".join(parts)


def _cmd_benchmark(args):
    from ..benchmarking import (
        BenchmarkInterrupted,
        paired_comparison,
        paired_markdown,
        rank_table,
        reference_tables,
        run_benchmark,
        to_markdown,
    )

    from ..benchmarking import DEFAULT_METHODS

    if args.methods is None:
        args.methods = list(DEFAULT_METHODS)
    _check_benchmark_args(args)
    _check_group(args)
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
            paths = _write_report(stop.results, args.out)
            print("Finished cells so far (rank in brackets, 1 = best):")
            print(to_markdown(rank_table(stop.results)))
            print("files: " + ", ".join(str(p) for p in paths.values()))
        return 130
    paths = _write_report(results, args.out)
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
    print(_time_summary(results))
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

    p = sub.add_parser(
        "benchmark", add_help=False, formatter_class=argparse.RawDescriptionHelpFormatter,
        help="fit and score methods on every task of a group over seeds; write the "
             "rank table (resumable)",
        description="Fit and score methods on every task of a group, over seeds, under a\n"
                    "protocol; print and write the papers' rank table. Finished fits are\n"
                    "stored in --out: after an interrupt, the same command goes on where\n"
                    "it stopped.")
    p.add_argument("-h", "--help", action=_HelpWithMethods,
                   help="show this help message, with every method, and exit")
    p.add_argument("--group", default="basic_motions", help="task group (see 'datasets'; "
                                                            "default: basic_motions)")
    p.add_argument("--data-dir", default=None,
                   help="UCR archive folder (default: $SKTSMTL_UCR_DIR)")
    p.add_argument("--methods", nargs="+", default=None, metavar="METHOD",
                   help="methods to compare, listed below (default: the ResNet2D paper's "
                        "five, marked *)")
    p.add_argument("--protocol", default="paper", choices=list(_PROTOCOL_NAMES),
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
