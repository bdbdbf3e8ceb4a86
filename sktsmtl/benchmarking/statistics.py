"""Seed-aware summaries of a benchmark: intervals over seeds and paired comparisons.

One seed on a test part of 32-200 series swings by 5-8 points, so a claim that one
method beats another needs several seeds. :func:`accuracy_intervals` gives every
method's mean test accuracy per task with a Student-t interval over seeds;
:func:`paired_comparison` sets a method against another on the same (task, seed)
cells, the same split and seed for both (wins, ties and losses, the mean difference,
a two-sided sign test and a Wilcoxon signed-rank test). By default every multi-task
method ``<name>-mtl`` is compared with the same backbone learnt apart, ``<name>``.
"""

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["PEER_METHODS", "accuracy_intervals", "default_pairs", "paired_comparison"]


def _check_columns(results, needed):
    missing = set(needed) - set(results.columns)
    if missing:
        raise ValueError(f"results lack the column(s) {sorted(missing)}.")


def accuracy_intervals(results, confidence=0.95):
    """Mean test accuracy over seeds with a Student-t interval, per method and task.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results (columns ``method``, ``task``, ``seed``, ``accuracy``), as from
        :func:`run_benchmark`.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per method and task (in order of first appearance): ``n_seeds``,
        ``mean``, ``std`` (sample standard deviation), ``low``, ``high`` (clipped to
        [0, 1]; NaN with a single seed) and ``half_width``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import accuracy_intervals
    >>> results = pd.DataFrame({"method": ["a"] * 3, "task": ["t"] * 3,
    ...                         "seed": [0, 1, 2], "accuracy": [0.8, 0.9, 1.0]})
    >>> accuracy_intervals(results)[["mean", "low", "high"]].round(3).to_dict("records")
    [{'mean': 0.9, 'low': 0.652, 'high': 1.0}]
    """
    _check_columns(results, ("method", "task", "seed", "accuracy"))
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    rows = []
    for (method, task), part in results.groupby(["method", "task"], sort=False):
        acc = part["accuracy"].to_numpy(dtype=float)
        n = len(acc)
        mean = float(acc.mean())
        std = float(acc.std(ddof=1)) if n > 1 else np.nan
        half = (float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / np.sqrt(n))
                if n > 1 else np.nan)
        rows.append(dict(method=method, task=task, n_seeds=n, mean=mean, std=std,
                         low=max(0.0, mean - half) if n > 1 else np.nan,
                         high=min(1.0, mean + half) if n > 1 else np.nan,
                         half_width=half))
    return pd.DataFrame(rows, columns=["method", "task", "n_seeds", "mean", "std", "low",
                                       "high", "half_width"])


#: Single-task peers every multi-task method is compared with when they run: the
#: fast first choice of a practitioner.
PEER_METHODS = ("minirocket", "multirocket")


def default_pairs(methods):
    """``(method, baseline)`` pairs: every multi-task method (``-mtl`` in its name)
    against the same method learnt apart (the name without ``-mtl``: ``resnet1d`` for
    ``resnet1d-mtl``, ``resnet1d+minirocket`` for ``resnet1d-mtl+minirocket``) when
    both run, and against each ROCKET peer (:data:`PEER_METHODS`) that runs.

    Parameters
    ----------
    methods : sequence of str

    Returns
    -------
    list of tuple

    Examples
    --------
    >>> from sktsmtl.benchmarking import default_pairs
    >>> default_pairs(["1nn-dtw", "resnet1d", "resnet1d-mtl", "resnet2d-mtl"])
    [('resnet1d-mtl', 'resnet1d')]
    >>> default_pairs(["minirocket", "resnet1d", "resnet1d-mtl"])
    [('resnet1d-mtl', 'resnet1d'), ('resnet1d-mtl', 'minirocket')]
    >>> default_pairs(["minirocket", "minirocket-mtl"])
    [('minirocket-mtl', 'minirocket')]
    >>> default_pairs(["minirocket", "resnet1d+minirocket", "resnet1d-mtl+minirocket"])
    [('resnet1d-mtl+minirocket', 'resnet1d+minirocket'), \
('resnet1d-mtl+minirocket', 'minirocket')]
    """
    methods = list(methods)
    shared = [m for m in methods if "-mtl" in m]
    pairs = [(m, m.replace("-mtl", "", 1)) for m in shared
             if m.replace("-mtl", "", 1) in methods]
    pairs += [(m, peer) for peer in PEER_METHODS if peer in methods for m in shared]
    return list(dict.fromkeys(pairs))  # minirocket-mtl's apart method is a peer too


def paired_comparison(results, pairs=None, tie_tolerance=1e-9):
    """Compare methods on the same (task, seed) cells: wins, ties, losses and tests.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results (columns ``method``, ``task``, ``seed``, ``accuracy``).
    pairs : list of (str, str), default=None
        ``(method, baseline)`` pairs; None uses :func:`default_pairs` (every multi-task
        method against the same backbone learnt apart).
    tie_tolerance : float, default=1e-9
        Accuracies closer than this are a tie.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``method``, ``baseline``, ``n`` (paired cells), ``wins``,
        ``ties``, ``losses`` (of ``method``), ``mean_difference`` (method minus
        baseline, over the cells), ``sign_p`` (two-sided binomial sign test on the
        non-tied cells) and ``wilcoxon_p`` (two-sided Wilcoxon signed-rank test; NaN
        when every cell is a tie).

    Raises
    ------
    ValueError
        A method of ``pairs`` is not in the results.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.benchmarking import paired_comparison
    >>> results = pd.DataFrame({
    ...     "method": ["m"] * 4 + ["m-mtl"] * 4, "task": ["a", "a", "b", "b"] * 2,
    ...     "seed": [0, 1] * 4, "accuracy": [.8, .7, .9, .9, .9, .8, .9, 1.]})
    >>> table = paired_comparison(results)
    >>> table[["method", "baseline", "wins", "ties", "losses"]].to_dict("records")
    [{'method': 'm-mtl', 'baseline': 'm', 'wins': 3, 'ties': 1, 'losses': 0}]
    >>> print(f"{table['sign_p'].iloc[0]:.3f}")
    0.250
    """
    _check_columns(results, ("method", "task", "seed", "accuracy"))
    known = list(dict.fromkeys(results["method"]))
    pairs = default_pairs(known) if pairs is None else [tuple(p) for p in pairs]
    table = results.pivot_table(index=["task", "seed"], columns="method", values="accuracy",
                                aggfunc="mean")
    rows = []
    for method, baseline in pairs:
        for name in (method, baseline):
            if name not in known:
                raise ValueError(f"method {name!r} is not in the results; they hold {known}.")
        both = table[[method, baseline]].dropna()
        diff = (both[method] - both[baseline]).to_numpy(dtype=float)
        ties = np.abs(diff) <= tie_tolerance
        wins, losses = int(((diff > 0) & ~ties).sum()), int(((diff < 0) & ~ties).sum())
        decided = wins + losses
        sign_p = float(stats.binomtest(wins, decided, 0.5).pvalue) if decided else 1.0
        wilcoxon_p = (float(stats.wilcoxon(diff[~ties]).pvalue) if decided else np.nan)
        rows.append(dict(method=method, baseline=baseline, n=len(diff), wins=wins,
                         ties=int(ties.sum()), losses=losses,
                         mean_difference=float(diff.mean()) if len(diff) else np.nan,
                         sign_p=sign_p, wilcoxon_p=wilcoxon_p))
    return pd.DataFrame(rows, columns=["method", "baseline", "n", "wins", "ties", "losses",
                                       "mean_difference", "sign_p", "wilcoxon_p"])
