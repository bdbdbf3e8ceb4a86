"""A figure of a benchmark: accuracy per task and method, and the average ranks.

matplotlib is imported when a figure is drawn; it is not needed otherwise.
"""

import numpy as np

from .tables import accuracy_ranks, mean_accuracy

__all__ = ["plot_benchmark"]


def plot_benchmark(results, decimals=2, figsize=None):
    """Grouped bars of per-task accuracy beside the methods' average ranks.

    Left: one group of bars per task, one bar per method, the mean accuracy over seeds
    with the spread over seeds (standard deviation) as error bars when there are several
    seeds. Right: every method's average rank over tasks (lower is better), best at the
    top, ranked as in :func:`rank_table`.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results as from :func:`run_benchmark` (columns ``method``, ``task``,
        ``seed``, ``accuracy``).
    decimals : int or None, default=2
        Rounding of the accuracies before ranking, as in :func:`rank_table`.
    figsize : tuple of float, default=None
        Figure size in inches; None scales the width with the number of tasks.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import plot_benchmark
    >>> results = pd.DataFrame({"method": ["a", "b", "a", "b"], "task": ["t1", "t1", "t2", "t2"],
    ...                         "seed": 0, "accuracy": [0.9, 0.8, 0.6, 0.7]})
    >>> fig = plot_benchmark(results)
    >>> [ax.get_title() for ax in fig.axes]
    ['Test accuracy per task', 'Average rank (lower is better)']
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_benchmark needs matplotlib: pip install matplotlib.") from None

    accuracy = mean_accuracy(results)
    spread = results.pivot_table(index="task", columns="method", values="accuracy",
                                 aggfunc=lambda v: float(np.std(v)), sort=False)
    spread = spread.reindex(index=accuracy.index, columns=accuracy.columns).fillna(0.0)
    several_seeds = "seed" in results.columns and results["seed"].nunique() > 1
    ranks = accuracy_ranks(accuracy, decimals).mean(axis=0).sort_values()

    tasks, methods = list(accuracy.index), list(accuracy.columns)
    if figsize is None:
        figsize = (max(6.0, 1.1 * len(tasks) + 2.5) + 3.5, 3.8)
    fig, (ax_acc, ax_rank) = plt.subplots(
        1, 2, figsize=figsize, gridspec_kw={"width_ratios": [max(2, len(tasks)), 2]})
    colours = plt.get_cmap("tab10")
    width = 0.8 / len(methods)
    x = np.arange(len(tasks))
    for j, method in enumerate(methods):
        ax_acc.bar(x + (j - (len(methods) - 1) / 2) * width, accuracy[method], width,
                   yerr=spread[method] if several_seeds else None, capsize=2,
                   label=method, color=colours(j % 10))
    ax_acc.set_xticks(x, [str(t) for t in tasks], rotation=30, ha="right")
    # room above 1.0 for the legend, so that it hides no bar
    n_columns = min(len(methods), 4)
    ax_acc.set_ylim(0, 1.04 + 0.09 * -(-len(methods) // n_columns))
    ax_acc.set_yticks(np.linspace(0, 1, 6))
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("Test accuracy per task")
    ax_acc.legend(fontsize="small", loc="upper center", ncol=n_columns, frameon=False)

    order = list(ranks.index)
    ax_rank.barh(np.arange(len(order)), ranks.to_numpy(),
                 color=[colours(methods.index(m) % 10) for m in order])
    ax_rank.set_yticks(np.arange(len(order)), order)
    ax_rank.invert_yaxis()
    ax_rank.set_xlim(0, len(methods) + 0.5)
    ax_rank.set_xlabel("average rank")
    ax_rank.set_title("Average rank (lower is better)")
    for i, value in enumerate(ranks.to_numpy()):
        ax_rank.text(value + 0.05, i, f"{value:.2f}", va="center", fontsize="small")
    fig.tight_layout()
    return fig
