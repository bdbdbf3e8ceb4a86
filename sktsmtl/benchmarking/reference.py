"""Published figures to compare a benchmark with.

``RESNET2D_TABLE1``: Table I of Yeh et al. (2023), test accuracy of five methods on the
25 UCR tasks of the paper's seven groups, under the paper's protocol (per-task 60/20/20
split, 400 epochs, best epoch on validation). The paper gives one figure per task and
method, rounded to two decimals; its bracketed ranks and average ranks are those that
:func:`rank_table` computes from these figures.
"""

import pandas as pd

__all__ = ["RESNET2D_TABLE1", "paper_results"]

_TABLE1_METHODS = ("1nn-dtw", "resnet1d", "resnet2d", "resnet1d-mtl", "resnet2d-mtl")

#: Table I of the ResNet2D paper: ``{task: accuracies}`` in the order 1nn-dtw, resnet1d,
#: resnet2d, resnet1d-mtl, resnet2d-mtl (the paper's column order).
RESNET2D_TABLE1 = {
    "CricketX": (0.80, 0.75, 0.80, 0.75, 0.95),
    "CricketY": (0.78, 0.78, 0.71, 0.68, 0.76),
    "CricketZ": (0.78, 0.78, 0.77, 0.75, 0.94),
    "UWaveGestureLibraryAll": (0.91, 0.90, 0.98, 0.82, 0.97),
    "UWaveGestureLibraryX": (0.77, 0.83, 0.86, 0.79, 0.85),
    "UWaveGestureLibraryY": (0.64, 0.73, 0.76, 0.69, 0.80),
    "UWaveGestureLibraryZ": (0.70, 0.78, 0.77, 0.75, 0.78),
    "AllGestureWiimoteX": (0.81, 0.79, 0.76, 0.69, 0.74),
    "AllGestureWiimoteY": (0.89, 0.90, 0.77, 0.74, 0.81),
    "AllGestureWiimoteZ": (0.74, 0.70, 0.64, 0.66, 0.68),
    "DodgerLoopDay": (0.53, 0.41, 0.53, 0.41, 0.50),
    "DodgerLoopGame": (0.97, 0.88, 0.97, 0.97, 0.94),
    "DodgerLoopWeekend": (1.00, 1.00, 1.00, 0.97, 1.00),
    "SemgHandGenderCh2": (0.84, 0.84, 0.86, 0.92, 0.99),
    "SemgHandMovementCh2": (0.62, 0.49, 0.65, 0.58, 0.83),
    "SemgHandSubjectCh2": (0.77, 0.74, 0.89, 0.83, 0.98),
    "GestureMidAirD1": (0.59, 0.54, 0.62, 0.50, 0.57),
    "GestureMidAirD2": (0.60, 0.47, 0.56, 0.60, 0.63),
    "GestureMidAirD3": (0.34, 0.22, 0.24, 0.31, 0.35),
    "ECG200": (0.82, 0.93, 0.90, 0.88, 0.93),
    "ECG5000": (0.94, 0.95, 0.95, 0.94, 0.95),
    "ECGFiveDays": (0.99, 1.00, 1.00, 1.00, 1.00),
    "NonInvasiveFetalECGThorax1": (0.80, 0.94, 0.89, 0.90, 0.88),
    "NonInvasiveFetalECGThorax2": (0.87, 0.94, 0.93, 0.92, 0.93),
    "TwoLeadECG": (1.00, 1.00, 1.00, 1.00, 1.00),
}


def paper_results(tasks=None, methods=None):
    """The ResNet2D paper's Table I as tidy results, to rank beside a run.

    Parameters
    ----------
    tasks : list of str, default=None
        Only these tasks (those absent from the table are left out); None: all 25.
    methods : list of str, default=None
        Only these of the table's methods, in this order (others are left out); None:
        all five.

    Returns
    -------
    pandas.DataFrame
        Columns ``method``, ``task``, ``seed`` (None: the paper reports one figure),
        ``accuracy``; empty when nothing matches.

    Examples
    --------
    >>> from sktsmtl.benchmarking import paper_results, rank_table, to_markdown
    >>> table = paper_results(["DodgerLoopDay", "DodgerLoopGame"], ["1nn-dtw", "resnet2d-mtl"])
    >>> print(to_markdown(rank_table(table)))
    | task | 1nn-dtw | resnet2d-mtl |
    | --- | --- | --- |
    | DodgerLoopDay | 0.53 (1.0) | 0.50 (2.0) |
    | DodgerLoopGame | 0.97 (1.0) | 0.94 (2.0) |
    | Average rank | 1.00 | 2.00 |
    """
    tasks = list(RESNET2D_TABLE1) if tasks is None else [
        t for t in tasks if t in RESNET2D_TABLE1]
    methods = list(_TABLE1_METHODS) if methods is None else [
        m for m in methods if m in _TABLE1_METHODS]
    rows = [dict(method=m, task=t, seed=None,
                 accuracy=RESNET2D_TABLE1[t][_TABLE1_METHODS.index(m)])
            for t in tasks for m in methods]
    return pd.DataFrame(rows, columns=["method", "task", "seed", "accuracy"])
