"""Published figures to compare a benchmark with.

``RESNET2D_TABLE1``: Table I of Yeh et al. (2023), test accuracy of five methods on the
25 UCR tasks of the paper's seven groups, under the paper's protocol (per-task 60/20/20
split, 400 epochs, best epoch on validation). The paper gives one figure per task and
method, rounded to two decimals; its bracketed ranks and average ranks are those that
:func:`rank_table` computes from these figures.

``MTCS_TABLE1``, ``MTCS_TABLE2``: Tables 1 and 2 of Wang et al. (2022), test accuracy on
the archive's train/test split of the 15 largest UCR datasets (MTCS, MTL, TS2Vec and
the paper's other baselines) and of 10 datasets with known semantics (MTCS, MTL,
TS2Vec). ``MTCS_SECTION441``: the averages of the paper's section 4.4.1 (self-supervised
pre-training on all 15 datasets jointly, then an SVM per task: 81.2%; MTCS: 88.2%).
Method columns are named after this package's methods: MTCS is ``mtcs-svm``, MTL
``mtl-svm``, TS2Vec (self-supervised, per dataset) ``ts2vec-ssl-svm``, DTW ``1nn-dtw``;
the baselines that this package does not implement keep their names (``t-loss``,
``tnc``, ``ts-tcc``, ``tst``).

:func:`reference_tables` gives every published table covering a run's tasks and
methods, to print beside the run.
"""

import pandas as pd

__all__ = [
    "RESNET2D_TABLE1",
    "MTCS_TABLE1",
    "MTCS_TABLE2",
    "MTCS_SECTION441",
    "paper_results",
    "reference_tables",
]

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


_MTCS_TABLE1_METHODS = ("mtcs-svm", "mtl-svm", "ts2vec-ssl-svm", "t-loss", "tnc", "ts-tcc",
                        "tst", "1nn-dtw")

#: Table 1 of the MTCS paper (15 largest UCR datasets): ``{task: accuracies}`` in the
#: order MTCS, MTL, TS2Vec, T-Loss, TNC, TS-TCC, TST, DTW (the paper's column order),
#: as printed (the DTW figure of UWaveGestureLibraryZ repeats that of
#: UWaveGestureLibraryAll in the paper).
MTCS_TABLE1 = {
    "Crop": (0.766, 0.765, 0.756, 0.722, 0.738, 0.742, 0.710, 0.665),
    "ElectricDevices": (0.707, 0.702, 0.721, 0.707, 0.700, 0.686, 0.676, 0.602),
    "StarLightCurves": (0.978, 0.969, 0.969, 0.964, 0.968, 0.967, 0.949, 0.907),
    "Wafer": (0.997, 0.996, 0.998, 0.992, 0.994, 0.994, 0.991, 0.980),
    "TwoPatterns": (1.0, 0.999, 1.0, 0.999, 0.993, 0.976, 0.871, 0.905),
    "ECG5000": (0.941, 0.938, 0.935, 0.933, 0.937, 0.941, 0.928, 0.924),
    "FordA": (0.945, 0.944, 0.936, 0.928, 0.894, 0.930, 0.568, 0.555),
    "UWaveGestureLibraryAll": (0.968, 0.968, 0.930, 0.896, 0.903, 0.692, 0.475, 0.892),
    "UWaveGestureLibraryX": (0.828, 0.828, 0.795, 0.785, 0.781, 0.733, 0.569, 0.728),
    "UWaveGestureLibraryY": (0.764, 0.762, 0.719, 0.71, 0.697, 0.641, 0.348, 0.634),
    "UWaveGestureLibraryZ": (0.782, 0.778, 0.770, 0.757, 0.721, 0.692, 0.475, 0.892),
    "FordB": (0.815, 0.812, 0.794, 0.793, 0.733, 0.815, 0.507, 0.620),
    "ChlorineConcentration": (0.827, 0.768, 0.832, 0.750, 0.760, 0.753, 0.562, 0.648),
    "NonInvasiveFetalECGThorax1": (0.961, 0.950, 0.930, 0.878, 0.898, 0.898, 0.471, 0.790),
    "NonInvasiveFetalECGThorax2": (0.951, 0.954, 0.938, 0.919, 0.912, 0.913, 0.832, 0.865),
}

_MTCS_TABLE2_METHODS = ("mtcs-svm", "mtl-svm", "ts2vec-ssl-svm")

#: Table 2 of the MTCS paper (10 datasets of known semantics): ``{task: accuracies}``
#: in the order MTCS, MTL, TS2Vec. The TS2Vec figures are those of the TS2Vec paper's
#: full UCR table (Yue et al. 2022).
MTCS_TABLE2 = {
    "Lightning2": (0.934, 0.918, 0.869),
    "Lightning7": (0.849, 0.849, 0.863),
    "EOGHorizontalSignal": (0.616, 0.588, 0.539),
    "EOGVerticalSignal": (0.530, 0.475, 0.503),
    "Chinatown": (0.977, 0.980, 0.965),
    "MelbournePedestrian": (0.957, 0.944, 0.959),
    "SmallKitchenAppliances": (0.731, 0.741, 0.731),
    "LargeKitchenAppliances": (0.885, 0.885, 0.861),
    "Computers": (0.676, 0.672, 0.660),
    "HouseTwenty": (0.933, 0.916, 0.916),
}

#: Section 4.4.1 of the MTCS paper: mean accuracy over the 15 datasets of Table 1 of
#: self-supervised TS2Vec pre-trained on all 15 jointly (then an SVM per task) and of
#: MTCS. No per-task figures are published.
MTCS_SECTION441 = {"ts2vec-ssl-joint-svm": 0.812, "mtcs-svm": 0.882}

#: Task name of the section 4.4.1 averages in :func:`reference_tables`.
_SECTION441_TASK = "average of Table 1's 15 datasets"

_TABLES = {
    "resnet2d-table1": (RESNET2D_TABLE1, _TABLE1_METHODS,
                        "ResNet2D paper (Yeh et al. 2023), Table I"),
    "mtcs-table1": (MTCS_TABLE1, _MTCS_TABLE1_METHODS,
                    "MTCS paper (Wang et al. 2022), Table 1"),
    "mtcs-table2": (MTCS_TABLE2, _MTCS_TABLE2_METHODS,
                    "MTCS paper (Wang et al. 2022), Table 2"),
}


def _tidy(table, table_methods, tasks, methods):
    tasks = list(table) if tasks is None else [t for t in tasks if t in table]
    methods = list(table_methods) if methods is None else [
        m for m in methods if m in table_methods]
    rows = [dict(method=m, task=t, seed=None,
                 accuracy=table[t][table_methods.index(m)])
            for t in tasks for m in methods]
    return pd.DataFrame(rows, columns=["method", "task", "seed", "accuracy"])


def paper_results(tasks=None, methods=None, table="resnet2d-table1"):
    """A published table as tidy results, to rank beside a run.

    Parameters
    ----------
    tasks : list of str, default=None
        Only these tasks (those absent from the table are left out); None: all 25.
    methods : list of str, default=None
        Only these of the table's methods, in this order (others are left out); None:
        all of the table's methods.
    table : {"resnet2d-table1", "mtcs-table1", "mtcs-table2"}, default="resnet2d-table1"
        The ResNet2D paper's Table I (25 tasks, five methods) or the MTCS paper's
        Table 1 (15 datasets, eight methods) or Table 2 (10 datasets, three methods).

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
    >>> paper_results(["Chinatown"], ["ts2vec-ssl-svm"], table="mtcs-table2").accuracy[0]
    np.float64(0.965)
    """
    if table not in _TABLES:
        raise ValueError(f"table must be one of {sorted(_TABLES)}; got {table!r}.")
    values, table_methods, _ = _TABLES[table]
    return _tidy(values, table_methods, tasks, methods)


def reference_tables(tasks=None, methods=None):
    """Every published table that covers some of a run's tasks and methods.

    Parameters
    ----------
    tasks : list of str, default=None
        The run's tasks; None: all tasks of every table.
    methods : list of str, default=None
        The run's methods; None: all methods of every table.

    Returns
    -------
    list of (str, pandas.DataFrame)
        ``(title, tidy results)`` for the ResNet2D paper's Table I and the MTCS
        paper's Tables 1 and 2, in this order, each restricted to the given tasks and
        methods and left out when nothing of it remains; the frames have the columns
        of :func:`paper_results` (methods in the order given) and go to
        :func:`rank_table` as they are. When
        ``methods`` holds ``"ts2vec-ssl-joint-svm"`` (or is None) and ``tasks`` covers
        all of Table 1's datasets (or is None), a last entry gives the section 4.4.1
        averages, under the task name "average of Table 1's 15 datasets".

    Examples
    --------
    >>> from sktsmtl.benchmarking import rank_table, reference_tables, to_markdown
    >>> tables = reference_tables(["Lightning7", "Chinatown"],
    ...                           ["ts2vec-ssl-svm", "mtcs-svm", "resnet2d"])
    >>> for title, frame in tables:
    ...     print(title)
    ...     print(to_markdown(rank_table(frame, decimals=3)))
    MTCS paper (Wang et al. 2022), Table 2
    | task | ts2vec-ssl-svm | mtcs-svm |
    | --- | --- | --- |
    | Lightning7 | 0.863 (1.0) | 0.849 (2.0) |
    | Chinatown | 0.965 (2.0) | 0.977 (1.0) |
    | Average rank | 1.50 | 1.50 |
    """
    out = []
    for values, table_methods, title in _TABLES.values():
        frame = _tidy(values, table_methods, tasks, methods)
        if len(frame):
            out.append((title, frame))
    covers_table1 = tasks is None or set(MTCS_TABLE1) <= set(tasks)
    if covers_table1 and (methods is None or "ts2vec-ssl-joint-svm" in methods):
        chosen = [m for m in MTCS_SECTION441 if methods is None or m in methods]
        frame = pd.DataFrame(
            [dict(method=m, task=_SECTION441_TASK, seed=None, accuracy=MTCS_SECTION441[m])
             for m in chosen], columns=["method", "task", "seed", "accuracy"])
        out.append(("MTCS paper (Wang et al. 2022), section 4.4.1", frame))
    return out
