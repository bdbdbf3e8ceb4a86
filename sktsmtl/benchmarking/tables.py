"""The papers' comparison table: accuracy per task with its rank, and the average rank.

Layout of the ResNet2D paper's Table I: one row per task, one column per method, each
cell the accuracy (mean over seeds) with the method's rank on that task in brackets
(1 = best), and a last row with every method's average rank over tasks, the primary
comparison. Tied accuracies share the mean of the ranks they span
(:func:`scipy.stats.rankdata`, ``method="average"``). Ranks are taken on the accuracies
as the table prints them (rounded to ``decimals``), so two methods shown with the same
figure share a rank.
"""

import numpy as np
import pandas as pd
from scipy.stats import rankdata

__all__ = ["AVERAGE_RANK", "mean_accuracy", "accuracy_ranks", "rank_table", "to_markdown"]

#: Label of the table's last row.
AVERAGE_RANK = "Average rank"


def _in_order(values):
    return list(dict.fromkeys(values))


def mean_accuracy(results):
    """Mean accuracy over seeds, one row per task and one column per method.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results with columns ``method``, ``task``, ``accuracy`` (and ``seed``), as
        from :func:`run_benchmark`.

    Returns
    -------
    pandas.DataFrame
        Tasks and methods in order of first appearance.

    Raises
    ------
    ValueError
        A column is missing, or a method has no result on some task.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import mean_accuracy
    >>> results = pd.DataFrame({"method": ["a", "a", "b", "b"], "task": ["t", "t", "t", "t"],
    ...                         "seed": [0, 1, 0, 1], "accuracy": [0.5, 0.7, 0.9, 0.9]})
    >>> mean_accuracy(results).to_dict()
    {'a': {'t': 0.6}, 'b': {'t': 0.9}}
    """
    missing = {"method", "task", "accuracy"} - set(results.columns)
    if missing:
        raise ValueError(f"results lack the column(s) {sorted(missing)}.")
    acc = results.pivot_table(index="task", columns="method", values="accuracy",
                              aggfunc="mean", sort=False)
    acc = acc.reindex(index=_in_order(results["task"]), columns=_in_order(results["method"]))
    if acc.isna().any().any():
        gaps = [(m, t) for t in acc.index for m in acc.columns if pd.isna(acc.loc[t, m])]
        raise ValueError(f"no result for (method, task) {gaps}: every method needs a score "
                         "on every task to be ranked.")
    acc.columns.name, acc.index.name = "method", "task"
    return acc


def accuracy_ranks(accuracy, decimals=2):
    """Rank of every method on every task (1 = best; ties share the mean rank).

    Parameters
    ----------
    accuracy : pandas.DataFrame
        Tasks x methods, as from :func:`mean_accuracy`.
    decimals : int or None, default=2
        Accuracies are rounded to this many decimals before ranking; None ranks the
        exact values.

    Returns
    -------
    pandas.DataFrame
        Same shape, float ranks.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import accuracy_ranks
    >>> acc = pd.DataFrame({"a": [0.9, 0.5], "b": [0.9, 0.7], "c": [0.8, 0.6]},
    ...                    index=["t1", "t2"])
    >>> accuracy_ranks(acc)
          a    b    c
    t1  1.5  1.5  3.0
    t2  3.0  1.0  2.0
    """
    values = accuracy.to_numpy(dtype=float)
    if decimals is not None:
        values = np.round(values, decimals)
    ranks = np.vstack([rankdata(-row, method="average") for row in values]) if len(
        values) else values
    return pd.DataFrame(ranks, index=accuracy.index, columns=accuracy.columns)


def rank_table(results, decimals=2, interval=None):
    """The Table I layout: ``"accuracy (rank)"`` per task and method, then average ranks.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results (columns ``method``, ``task``, ``accuracy``, several seeds
        averaged), or an accuracy table (tasks x methods) as from
        :func:`mean_accuracy`.
    decimals : int or None, default=2
        Decimals of the printed accuracies, which are also the ones ranked; None ranks
        exact values and prints 3 decimals.
    interval : float, default=None
        With tidy results of several seeds, print the half-width of this confidence
        interval over seeds beside each mean (``"0.90 ± 0.03 (1.5)"``, see
        :func:`accuracy_intervals`); ranks stay those of the means.

    Returns
    -------
    pandas.DataFrame
        Strings; rows are the tasks then ``"Average rank"``, columns the methods.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import rank_table, to_markdown
    >>> acc = pd.DataFrame({"1nn-dtw": [0.9, 0.5], "resnet1d": [0.9, 0.7]},
    ...                    index=pd.Index(["t1", "t2"], name="task"))
    >>> print(to_markdown(rank_table(acc)))
    | task | 1nn-dtw | resnet1d |
    | --- | --- | --- |
    | t1 | 0.90 (1.5) | 0.90 (1.5) |
    | t2 | 0.50 (2.0) | 0.70 (1.0) |
    | Average rank | 1.75 | 1.25 |
    """
    if {"method", "task", "accuracy"} <= set(results.columns):
        accuracy = mean_accuracy(results)
    else:
        accuracy = results
    ranks = accuracy_ranks(accuracy, decimals)
    shown = 3 if decimals is None else decimals
    spread = pd.DataFrame(np.nan, index=accuracy.index, columns=accuracy.columns)
    if interval is not None and "seed" in results.columns:
        from .statistics import accuracy_intervals

        for row in accuracy_intervals(results, interval).itertuples():
            spread.loc[row.task, row.method] = row.half_width
    cells = pd.DataFrame(
        [[f"{a:.{shown}f}{'' if np.isnan(h) else f' ± {h:.{shown}f}'} ({r:.1f})"
          for a, h, r in zip(acc_row, half_row, rank_row)]
         for acc_row, half_row, rank_row in zip(accuracy.to_numpy(float),
                                                spread.to_numpy(float), ranks.to_numpy())],
        index=accuracy.index, columns=accuracy.columns)
    average = pd.DataFrame([[f"{r:.2f}" for r in ranks.mean(axis=0)]],
                           index=[AVERAGE_RANK], columns=accuracy.columns)
    table = pd.concat([cells, average])
    table.index.name = accuracy.index.name
    table.columns.name = None
    return table


def to_markdown(table):
    """A table as GitHub Markdown (the index as the first column).

    Parameters
    ----------
    table : pandas.DataFrame

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import to_markdown
    >>> print(to_markdown(pd.DataFrame({"a": ["0.90 (1.0)"]}, index=pd.Index(["t"],
    ...                                                                     name="task"))))
    | task | a |
    | --- | --- |
    | t | 0.90 (1.0) |
    """
    header = [str(table.index.name or "")] + [str(c) for c in table.columns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(["---"] * len(header)) + " |"]
    for index, row in table.iterrows():
        cells = [str(index)] + [str(v) for v in row.to_numpy()]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
