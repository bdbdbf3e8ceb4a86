"""Label columns: several tasks' labels over one set of series (shared-input tasks).

scikit-learn's multi-output convention: ``y`` of shape ``(n, n_tasks)`` (an array or a
DataFrame, one column per task), or here also a dict ``{task: labels}`` of equal-length
label arrays, all over the same ``X``. A label may be missing (NaN, None, ``pandas.NA``
or a masked entry): that row then trains the heads of the tasks it has.
"""

from collections import OrderedDict

import numpy as np

from .validation import check_not_iterator

__all__ = ["LabelColumns", "check_label_columns", "is_label_columns"]

#: Code of a missing label in :attr:`LabelColumns.codes`.
MISSING = -1


def is_label_columns(y):
    """Whether ``y`` gives several tasks' labels over one set of series.

    True for a dict of label arrays, a DataFrame, and an array of shape
    ``(n, n_tasks)`` with two or more columns (one column is one task's labels, as in
    scikit-learn, which ravels it).

    Parameters
    ----------
    y : object

    Returns
    -------
    bool
    """
    if type(y) in (dict, OrderedDict):
        return True
    if hasattr(y, "columns") and hasattr(y, "iloc"):  # a DataFrame
        return True
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, (list, tuple)) and len(y) and isinstance(
            y[0], (list, tuple, np.ndarray)):
        shape = np.shape(y)
    return shape is not None and len(shape) == 2 and shape[1] >= 2


def _missing(values):
    """Boolean mask of the missing entries of a 1D array (NaN, None, pd.NA, masked)."""
    mask = np.zeros(len(values), dtype=bool)
    if isinstance(values, np.ma.MaskedArray):
        mask |= np.ma.getmaskarray(values)
        values = values.data
    if values.dtype.kind == "f":
        return mask | np.isnan(values)
    if values.dtype == object:
        import pandas as pd

        mask |= np.fromiter((v is None or v is pd.NA or (isinstance(v, float) and v != v)
                             for v in values), bool, len(values))
    return mask


class LabelColumns:
    """Labels of several tasks over one set of series, coded for training.

    Parameters
    ----------
    tasks : list
        Task of every column.
    codes : ndarray of signed int of shape (n, n_tasks)
        Class index of every row in every task (into ``classes[task]``); -1 where the
        label is missing. The smallest signed integer type that holds them.
    classes : dict
        ``{task: ndarray of sorted classes}``.
    form : {"array", "frame", "dict"}
        How ``y`` was given: predictions come back as an array of shape
        ``(n, n_tasks)`` for an array or a DataFrame, as a dict for a dict.
    """

    def __init__(self, tasks, codes, classes, form):
        self.tasks = list(tasks)
        self.codes = codes
        self.classes = classes
        self.form = form

    def __len__(self):
        return self.codes.shape[0]

    def labelled(self, task):
        """Rows that have a label for ``task``."""
        return np.flatnonzero(self.codes[:, self.tasks.index(task)] != MISSING)

    def task_labels(self, task):
        """The labels ``task`` has, in row order (missing ones left out)."""
        return self.classes[task][self.codes[self.labelled(task), self.tasks.index(task)]]


def _columns(y):
    """``(tasks, [1D label array per task], form)`` of label columns."""
    if type(y) in (dict, OrderedDict):
        if not y:
            raise ValueError("y is an empty dict; give one label array per task.")
        tasks = list(y)
        for t in tasks:
            if t is None:
                raise ValueError("None is not a valid task name in y; name every task.")
        columns = []
        for t in tasks:
            check_not_iterator(y[t], f"y[{t!r}]")
            col = y[t] if isinstance(y[t], np.ma.MaskedArray) else np.asarray(y[t])
            if col.ndim == 2 and col.shape[1] == 1:
                col = col[:, 0]
            if col.ndim != 1:
                raise ValueError(f"task {t!r}: y must be 1D (one label per series), got "
                                 f"shape {col.shape}.")
            columns.append(col)
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            sizes = ", ".join(f"{t!r}: {len(c)}" for t, c in zip(tasks, columns))
            raise ValueError(f"the label arrays of y differ in length ({sizes}); over one "
                             "X every task has one label (or a missing one) per series.")
        return tasks, columns, "dict"
    if hasattr(y, "columns") and hasattr(y, "iloc"):
        tasks = list(y.columns)
        if len(set(tasks)) != len(tasks):
            raise ValueError(f"y has repeated column names {tasks!r}; every column is "
                             "one task and needs its own name.")
        columns = [y[c].to_numpy(dtype=object if y[c].dtype.kind not in "iuf" else None)
                   for c in tasks]
        return tasks, columns, "frame"
    arr = y if isinstance(y, np.ma.MaskedArray) else np.asarray(y)
    if arr.ndim != 2:
        raise ValueError(f"y must be 2D (n_series, n_tasks) for tasks over one X, got "
                         f"shape {arr.shape}.")
    return list(range(arr.shape[1])), [arr[:, j] for j in range(arr.shape[1])], "array"


# rows per block of label coding
_BLOCK = 1 << 16


def _as_own_type(block):
    """Labels of one Python type in an object array, as an array of that type's dtype."""
    return np.asarray(block.tolist())


def _classes(task, values, missing):
    """``(classes, as_type)`` of one label column: its sorted distinct labels and the
    conversion of a block of its labels to their type (labels of one Python type in an
    object column get that type's dtype back)."""
    as_type = np.asarray
    if values.dtype == object:
        kinds = set()
        for lo in range(0, len(values), _BLOCK):
            kinds.update(map(type, values[lo:lo + _BLOCK][~missing[lo:lo + _BLOCK]]))
        if len(kinds) == 1:
            as_type = _as_own_type
    found = []
    try:
        for lo in range(0, len(values), _BLOCK):
            block = as_type(values[lo:lo + _BLOCK][~missing[lo:lo + _BLOCK]])
            found.append(np.unique(block))
        c = np.unique(np.concatenate(found)) if found else np.zeros(0)
    except TypeError:
        raise TypeError(f"task {task!r}: labels of mixed types cannot be ordered; use "
                        "one type.") from None
    if len(c) < 2:
        what = "no label" if len(c) == 0 else f"one class ({c[0]!r})"
        raise ValueError(f"task {task!r}: y has {what}; a classifier needs at least "
                         "two classes per task.")
    return c, as_type


def check_label_columns(y, n_series):
    """Validate label columns over ``n_series`` series and code them.

    Parameters
    ----------
    y : dict, DataFrame or array-like of shape (n_series, n_tasks)
        One label column per task; missing labels are NaN, None, ``pandas.NA`` or
        masked.
    n_series : int
        Rows of ``X``.

    Returns
    -------
    LabelColumns

    Raises
    ------
    ValueError
        Naming the task: a length that does not match ``X``, a task with no label or
        with one class.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data.label_columns import check_label_columns
    >>> Y = check_label_columns({"size": ["s", "l", None], "colour": [0, 1, 1]}, 3)
    >>> Y.tasks, Y.codes.tolist()
    (['size', 'colour'], [[1, 0], [0, 1], [-1, 1]])
    """
    check_not_iterator(y, "y")
    tasks, columns, form = _columns(y)
    # two passes over blocks of rows (classes, then codes): a million labels per task
    # never take more than a block's worth of temporary index arrays
    classes, parts = {}, []
    for task, col in zip(tasks, columns):
        if len(col) != n_series:
            raise ValueError(f"task {task!r}: X has {n_series} series but y has "
                             f"{len(col)} labels.")
        missing = _missing(col)
        values = np.asarray(col.data if isinstance(col, np.ma.MaskedArray) else col)
        classes[task], as_type = _classes(task, values, missing)
        parts.append((values, missing, as_type))
    largest = max(len(c) for c in classes.values())
    codes = np.empty((n_series, len(tasks)), dtype=np.min_scalar_type(-largest))
    for j, (task, (values, missing, as_type)) in enumerate(zip(tasks, parts)):
        for lo in range(0, n_series, _BLOCK):
            present = ~missing[lo:lo + _BLOCK]
            block = codes[lo:lo + _BLOCK, j]
            block[:] = MISSING
            block[present] = np.searchsorted(classes[task],
                                             as_type(values[lo:lo + _BLOCK][present]))
    return LabelColumns(tasks, codes, classes, form)
