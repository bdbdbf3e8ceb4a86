"""Split helpers: the archive's train/test split, all rows, and the paper's 60/20/20.

The ResNet2D paper (Yeh et al., 2023) merges each task's train and test rows and splits
them again into 60 % training, 20 % validation and 20 % test rows. Here that split is
made per task, stratified by class, in two steps with scikit-learn's
``train_test_split``: first the test rows are drawn from all rows, then the validation
rows from the rest.

Rules, so that the split can be reproduced exactly:

* Counts: ``n_test = round(n * test_size)`` and ``n_val = round(n * val_size)`` (halves
  round up), each at least 1 when its size is positive; ``n_train`` is the rest and must
  be at least 1.
* Seed: every task is split with the same integer seed (``random_state`` itself when it
  is an int; one integer drawn from it when it is a ``RandomState``; a fresh one when it
  is None). A task's split therefore depends only on its own labels and the seed, not
  on which other tasks are loaded with it.
* Stratification: a step is stratified when every class of the rows it splits has at
  least 2 series and both of its parts get at least as many series as there are
  classes (scikit-learn's own requirements). Otherwise that step falls back to a plain
  shuffled split and a ``UserWarning`` names the task and the reason.
* The indices of each part are returned sorted, so series keep their original order.
"""

import numbers
import warnings

import numpy as np

from .rows import concat_rows, n_rows, take_rows

__all__ = [
    "SPLITS",
    "PAPER_SIZES",
    "train_val_test_indices",
    "train_val_test_split_tasks",
    "paper_split",
]

#: Split names accepted by the loaders.
SPLITS = ("train", "test", "all", "paper_train", "paper_val", "paper_test")

#: Train, validation and test fractions of the ResNet2D paper's protocol.
PAPER_SIZES = (0.6, 0.2, 0.2)


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}.")
    return split


def _resolve_seed(random_state):
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    from sklearn.utils import check_random_state  # scikit-learn is imported on use

    rng = check_random_state(random_state)
    return int(rng.randint(np.iinfo(np.int32).max))


def _check_sizes(sizes):
    try:
        sizes = tuple(float(s) for s in sizes)
    except (TypeError, ValueError):
        raise TypeError(f"sizes must be three fractions, got {sizes!r}.") from None
    if len(sizes) != 3:
        raise ValueError(f"sizes must be three fractions (train, val, test), got {sizes}.")
    if any(s < 0 for s in sizes) or sizes[0] <= 0 or abs(sum(sizes) - 1.0) > 1e-6:
        raise ValueError(
            "sizes must be non-negative fractions (train, val, test) summing to 1 with a "
            f"positive train fraction, got {sizes}."
        )
    return sizes


def _round_half_up(x):
    return int(np.floor(x + 0.5))


def _counts(n, sizes, task):
    _, val, test = sizes
    n_test = max(1, _round_half_up(n * test)) if test > 0 else 0
    n_val = max(1, _round_half_up(n * val)) if val > 0 else 0
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"task {task!r}: {n} series are too few for a train/val/test split of sizes "
            f"{sizes}: it leaves no training series."
        )
    return n_train, n_val, n_test


def _stratify_problem(y_pool, n_first, n_second):
    classes, counts = np.unique(y_pool, return_counts=True)
    if counts.min() < 2:
        rare = classes[counts < 2]
        return f"class(es) {rare.tolist()} have a single series"
    if n_second < len(classes) or n_first < len(classes):
        return (
            f"a part of {min(n_first, n_second)} series cannot hold all {len(classes)} "
            "classes"
        )
    return None


def _two_way(idx, y, n_second, seed, stratify, task, step):
    from sklearn.model_selection import train_test_split  # imported on use

    if n_second == 0:
        return idx, idx[:0]
    y_pool = y[idx]
    strat = None
    if stratify:
        problem = _stratify_problem(y_pool, len(idx) - n_second, n_second)
        if problem is None:
            strat = y_pool
        else:
            where = "" if task is None else f"task {task!r}: "
            warnings.warn(
                f"{where}the {step} split is not stratified because {problem}; "
                "it falls back to a plain shuffled split.",
                UserWarning,
                stacklevel=3,
            )
    first, second = train_test_split(
        idx, test_size=n_second, stratify=strat, random_state=seed, shuffle=True
    )
    return np.sort(first), np.sort(second)


def train_val_test_indices(y, sizes=PAPER_SIZES, random_state=0, stratify=True, task=None):
    """Indices of a stratified train/validation/test split of one task.

    Parameters
    ----------
    y : array-like of shape (n,)
        The task's labels.
    sizes : tuple of 3 floats, default=(0.6, 0.2, 0.2)
        Train, validation and test fractions, summing to 1.
    random_state : int, RandomState instance or None, default=0
        Seed; see the module's rules.
    stratify : bool, default=True
        Stratify by class where possible (see the module's rules).
    task : hashable, default=None
        Task name for warnings and errors.

    Returns
    -------
    train, val, test : ndarray of int
        Disjoint sorted index arrays whose union is ``range(n)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import train_val_test_indices
    >>> y = np.repeat([0, 1], 10)
    >>> train, val, test = train_val_test_indices(y, random_state=0)
    >>> len(train), len(val), len(test)
    (12, 4, 4)
    >>> np.bincount(y[test]).tolist()
    [2, 2]
    """
    sizes = _check_sizes(sizes)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"task {task!r}: y must be 1D, got shape {y.shape}.")
    seed = _resolve_seed(random_state)
    n = len(y)
    _, n_val, n_test = _counts(n, sizes, task)
    idx = np.arange(n)
    rest, test = _two_way(idx, y, n_test, seed, stratify, task, "test")
    train, val = _two_way(rest, y, n_val, seed, stratify, task, "validation")
    return train, val, test


def _check_tasks(tasks_X, tasks_y):
    if not isinstance(tasks_X, dict) or not isinstance(tasks_y, dict):
        raise TypeError("tasks_X and tasks_y must be dicts {task: X_t} and {task: y_t}.")
    if set(tasks_X) != set(tasks_y):
        raise ValueError(
            f"tasks_X and tasks_y name different tasks: {sorted(map(str, tasks_X))} vs "
            f"{sorted(map(str, tasks_y))}."
        )
    for task in tasks_X:
        if n_rows(tasks_X[task]) != len(tasks_y[task]):
            raise ValueError(
                f"task {task!r}: X has {n_rows(tasks_X[task])} series but y has "
                f"{len(tasks_y[task])} labels."
            )


def train_val_test_split_tasks(
    tasks_X, tasks_y, sizes=PAPER_SIZES, random_state=0, stratify=True
):
    """Split every task into train, validation and test parts.

    Each task is split on its own, stratified by its classes, with the same seed (rules
    in :mod:`sktsmtl.datasets.splits`).

    Parameters
    ----------
    tasks_X : dict
        ``{task: X_t}``; ``X_t`` an array ``(n, L)``/``(n, C, L)`` (NaN-padded or not) or
        a list of series of varying length.
    tasks_y : dict
        ``{task: y_t}`` with ``len(y_t) == n``.
    sizes : tuple of 3 floats, default=(0.6, 0.2, 0.2)
        Train, validation and test fractions, summing to 1.
    random_state : int, RandomState instance or None, default=0
        Seed shared by all tasks.
    stratify : bool, default=True
        Stratify by class where possible.

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test) : tuple of dict pairs
        Dicts with the same tasks; arrays stay arrays, lists stay lists.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import train_val_test_split_tasks
    >>> tasks_X = {"a": np.zeros((20, 8)), "b": [np.zeros(5 + i) for i in range(10)]}
    >>> tasks_y = {"a": np.repeat([0, 1], 10), "b": np.repeat(["x", "y"], 5)}
    >>> (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split_tasks(tasks_X, tasks_y)
    >>> Xtr["a"].shape, len(Xtr["b"]), len(Xva["b"]), len(Xte["b"])
    ((12, 8), 6, 2, 2)
    """
    _check_tasks(tasks_X, tasks_y)
    sizes = _check_sizes(sizes)
    seed = _resolve_seed(random_state)
    out_X, out_y = ({}, {}, {}), ({}, {}, {})
    for task in tasks_X:
        indices = train_val_test_indices(
            tasks_y[task], sizes=sizes, random_state=seed, stratify=stratify, task=task
        )
        for k, idx in enumerate(indices):
            out_X[k][task] = take_rows(tasks_X[task], idx)
            out_y[k][task] = take_rows(np.asarray(tasks_y[task]), idx)
    return tuple((out_X[k], out_y[k]) for k in range(3))


def paper_split(tasks_X, tasks_y, random_state=0):
    """The ResNet2D paper's protocol: a stratified 60/20/20 split of every task.

    Give it each task's train and test rows merged (``split="all"`` of the loaders).
    Same as ``train_val_test_split_tasks(tasks_X, tasks_y, (0.6, 0.2, 0.2),
    random_state)``; the loaders' splits ``"paper_train"``, ``"paper_val"`` and
    ``"paper_test"`` give the same parts with the same ``random_state``.

    Parameters
    ----------
    tasks_X : dict
        ``{task: X_t}``, arrays or lists of series.
    tasks_y : dict
        ``{task: y_t}``.
    random_state : int, RandomState instance or None, default=0
        Seed shared by all tasks.

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test) : tuple of dict pairs

    Examples
    --------
    >>> from sktsmtl.datasets import load_task_group, paper_split
    >>> tasks_X, tasks_y = load_task_group("basic_motions", split="all")
    >>> train, val, test = paper_split(tasks_X, tasks_y, random_state=0)
    >>> train[0]["accel_x"].shape, val[0]["accel_x"].shape, test[0]["accel_x"].shape
    ((48, 100), (16, 100), (16, 100))
    """
    return train_val_test_split_tasks(
        tasks_X, tasks_y, sizes=PAPER_SIZES, random_state=random_state
    )


def _select_split(parts, split, random_state, task):
    """Pick ``split`` of one task from its archive parts ``{"train": (X, y), ...}``."""
    if split in ("train", "test"):
        return parts[split]
    X_train, y_train = parts["train"]
    X_test, y_test = parts["test"]
    X = concat_rows(X_train, X_test)
    y = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    if split == "all":
        return X, y
    indices = train_val_test_indices(y, PAPER_SIZES, random_state=random_state, task=task)
    idx = indices[("paper_train", "paper_val", "paper_test").index(split)]
    return take_rows(X, idx), y[idx]
