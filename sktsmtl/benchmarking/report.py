"""Files of a finished benchmark: tidy results, the rank table and the figure."""

import io
import warnings

import pandas as pd

from ._files import check_output_dir, write_atomic
from .statistics import PEER_METHODS, accuracy_intervals, paired_comparison
from .tables import rank_table, to_markdown

__all__ = ["paired_markdown", "settings_table", "write_report"]


def settings_table(results):
    """Per method: the settings in effect and the mean fit time of one cell.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results as from :func:`run_benchmark`.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``max_epochs``, ``lr``, ``batch_size``, ``normalize``,
        ``device``, ``validation_fraction`` (empty where a method has no such
        parameter), ``seeds`` and ``mean fit s``.

    Examples
    --------
    >>> from sktsmtl.benchmarking import run_benchmark, settings_table
    >>> results = run_benchmark("basic_motions", ["1nn-dtw"], protocol="ucr",
    ...                         tasks=["accel_x"])
    >>> settings_table(results).loc["1nn-dtw", ["normalize", "seeds"]].tolist()
    ['False', '0']
    """
    rows = []
    for method, part in results.groupby("method", sort=False):
        row = {"method": method}
        for column in ("max_epochs", "lr", "batch_size", "normalize", "device",
                       "validation_fraction"):
            values = part[column].dropna().unique() if column in part else []
            row[column] = ", ".join(str(v) for v in values)
        row["seeds"] = ", ".join(str(s) for s in part["seed"].unique())
        per_cell = part.drop_duplicates("seed")["fit_seconds"]
        row["mean fit s"] = f"{per_cell.mean():.1f}"
        rows.append(row)
    return pd.DataFrame(rows).set_index("method")


def paired_markdown(paired):
    """Lines of Markdown for a :func:`paired_comparison` table (none when it is empty).

    Parameters
    ----------
    paired : pandas.DataFrame

    Returns
    -------
    list of str
    """
    if not len(paired):
        return []
    shown = paired.assign(
        mean_difference=paired["mean_difference"].map(lambda v: f"{v:+.3f}"),
        sign_p=paired["sign_p"].map(lambda v: f"{v:.3f}"),
        wilcoxon_p=paired["wilcoxon_p"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
    ).set_index("method")
    against = "the same backbone learnt apart"
    if paired["baseline"].isin(PEER_METHODS).any():
        against += " and against the ROCKET peers"
    return [f"Multi-task against {against}, on the same (task, seed) "
            "cells: wins / ties / losses of the multi-task method, mean accuracy "
            "difference, two-sided sign and Wilcoxon signed-rank p-values:", "",
            to_markdown(shown), ""]


def _stem(results):
    parts = []
    for column in ("group", "protocol"):
        if column in results:
            parts.append("+".join(str(v) for v in results[column].unique()))
    return "_".join(parts) or "benchmark"


def write_report(results, out_dir, decimals=2, plot=True, interval=0.95):
    """Write the results CSV, the rank table (Markdown and CSV) and the figure (PNG).

    Every file is written atomically. Names start with ``<group>_<protocol>``:
    ``_results.csv`` (tidy, one row per method, seed and task), ``_table.md`` (the
    Table I layout with intervals over seeds, the paired comparisons of multi-task
    methods with their single-task twins, then the settings), ``_table.csv`` (the
    Table I layout), ``_intervals.csv`` (:func:`accuracy_intervals`), ``_paired.csv``
    (:func:`paired_comparison`; only when a ``<name>-mtl`` method runs beside
    ``<name>``) and ``_plot.png`` (:func:`plot_benchmark`; left out with a warning when
    matplotlib is not installed).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results as from :func:`run_benchmark`.
    out_dir : str or path-like
        Folder, created if needed.
    decimals : int or None, default=2
        As in :func:`rank_table`.
    plot : bool, default=True
        Write the PNG figure.
    interval : float, default=0.95
        Confidence of the intervals over seeds.

    Returns
    -------
    dict
        ``{"results": path, "table_md": path, "table_csv": path, "plot": path}``
        (``"plot"`` absent when no figure was written).

    Examples
    --------
    >>> import tempfile
    >>> from sktsmtl.benchmarking import run_benchmark, write_report
    >>> results = run_benchmark("basic_motions", ["1nn-dtw"], protocol="ucr",
    ...                         tasks=["accel_x"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_report(results, folder, plot=False)
    ...     names = sorted(p.name for p in paths.values())
    >>> for name in names:
    ...     print(name)
    basic_motions_ucr_intervals.csv
    basic_motions_ucr_results.csv
    basic_motions_ucr_table.csv
    basic_motions_ucr_table.md
    """
    out = check_output_dir(out_dir)
    stem = _stem(results)
    table = rank_table(results, decimals, interval=interval)
    paired = paired_comparison(results)
    paths = {
        "results": write_atomic(out / f"{stem}_results.csv", results.to_csv(index=False)),
        "table_csv": write_atomic(out / f"{stem}_table.csv", table.to_csv()),
        "intervals": write_atomic(out / f"{stem}_intervals.csv",
                                  accuracy_intervals(results, interval).to_csv(index=False)),
    }
    if len(paired):
        paths["paired"] = write_atomic(out / f"{stem}_paired.csv", paired.to_csv(index=False))
    title = ", ".join(f"{column} {'+'.join(str(v) for v in results[column].unique())}"
                      for column in ("group", "protocol") if column in results)
    seeds = ", ".join(str(s) for s in results["seed"].unique()) if "seed" in results else ""
    markdown = "\n".join([
        f"# Benchmark: {title or stem}",
        "",
        f"Mean test accuracy over seeds ({seeds}), with the half-width of its "
        f"{interval:.0%} Student-t interval over seeds where there are several; rank "
        "per task in brackets (1 = best, ties share the mean rank); last row: average "
        "rank.",
        "",
        to_markdown(table),
        "",
        *paired_markdown(paired),
        "Settings per method (empty: the method has no such parameter):",
        "",
        to_markdown(settings_table(results)),
        "",
    ])
    paths["table_md"] = write_atomic(out / f"{stem}_table.md", markdown)
    if plot:
        try:
            import matplotlib.pyplot as plt

            from .plotting import plot_benchmark
        except ImportError:
            warnings.warn("matplotlib is not installed: the figure is not written.",
                          UserWarning, stacklevel=2)
        else:
            fig = plot_benchmark(results, decimals)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=120)
            plt.close(fig)
            paths["plot"] = write_atomic(out / f"{stem}_plot.png", buffer.getvalue())
    return paths
