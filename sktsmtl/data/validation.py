"""Input dispatch and validation shared by every multi-task estimator.

Estimators call :func:`check_task_data` in ``fit`` and :func:`check_task_input` in
``predict``; both raise ``ValueError``/``TypeError`` naming the task before any work
starts. :func:`format_like_input` gives per-task results back in the form of the input
(dict -> dict, ``TaskPanel`` -> ``TaskLabels``, array -> array).
"""

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from .panel import TaskLabels, TaskPanel, _check_label_array
from .series import series_from_task_input

__all__ = [
    "SINGLE_TASK",
    "check_not_iterator",
    "check_task_input",
    "check_task_data",
    "check_task_classes",
    "format_like_input",
]

#: Task id given to a plain array or list input (one task).
SINGLE_TASK = "default"

_DICT_TYPES = (dict, OrderedDict)


def check_not_iterator(value, name):
    """Refuse a generator or other one-shot iterator as ``X`` or ``y``.

    Estimators read their input more than once (validation, then training), and
    numpy turns a generator into a 0-d object array, so the error would come later and
    say something else.

    Parameters
    ----------
    value : object
    name : str
        ``"X"`` or ``"y"``, for the message.

    Raises
    ------
    TypeError
    """
    if isinstance(value, Iterator):
        raise TypeError(
            f"{name} is a {type(value).__name__}, which can be read only once; pass a "
            f"list or an array (list({name}) of it), or a dict {{task: ...}}."
        )


def _input_kind(X):
    check_not_iterator(X, "X")
    # Exact types: scipy's dok_matrix is a dict subclass and must not pass as tasks.
    if type(X) in _DICT_TYPES:
        return "dict"
    if type(X) is TaskPanel:
        return "panel"
    if type(X) is np.ndarray or type(X) in (list, tuple):
        return "array"
    if hasattr(X, "__array__") and not hasattr(X, "items"):
        return "array"
    raise TypeError(
        "X must be a dict {task: X_t}, a TaskPanel, an array of shape (n, L) or "
        f"(n, C, L), or a list of series; got {type(X).__name__}."
    )


def _validate_panel(X):
    """Check the values of a ``TaskPanel`` as given (it may have been built by hand)."""
    series = list(X.series)
    for task in X.tasks:
        rows = X.rows_of(task)
        checked, _ = series_from_task_input([X.series[i] for i in rows], task)
        for i, s in zip(rows, checked):
            series[i] = s
    return TaskPanel(series, X.task_ids, {t: X.is_univariate(t) for t in X.tasks})


def check_task_input(X, tasks=None, n_channels=None):
    """Validate ``X`` of any accepted form and pack it into a :class:`TaskPanel`.

    Parameters
    ----------
    X : dict, TaskPanel, array-like or list
        The input.
    tasks : list, default=None
        Known tasks (after fit); any other task in ``X`` is an error.
    n_channels : dict, default=None
        ``{task: C}`` seen at fit; a different channel count is an error.

    Returns
    -------
    panel : TaskPanel
    kind : {"dict", "panel", "array"}
        The form of the input, for :func:`format_like_input`.
    """
    kind = _input_kind(X)
    if kind == "dict":
        panel = TaskPanel.from_dict(dict(X))
    elif kind == "panel":
        if len(X) == 0:
            raise ValueError("X holds no series.")
        panel = _validate_panel(X)
    else:
        panel = TaskPanel.from_array(X if type(X) in (list, tuple) else np.asarray(X),
                                     SINGLE_TASK)
    if tasks is not None:
        unknown = [t for t in panel.tasks if t not in set(tasks)]
        if unknown:
            raise ValueError(
                f"task {unknown[0]!r} was not seen during fit; known tasks: {list(tasks)}."
            )
    if n_channels is not None:
        for task in panel.tasks:
            c = panel.n_channels(task)
            if task in n_channels and c != n_channels[task]:
                raise ValueError(
                    f"task {task!r}: X has {c} channels but the estimator was fitted "
                    f"with {n_channels[task]}."
                )
    return panel, kind


def check_task_data(X, y):
    """Validate ``(X, y)`` for ``fit`` and pack them into aligned containers.

    Parameters
    ----------
    X : dict, TaskPanel, array-like or list
    y : dict, TaskLabels or array-like
        Same form as ``X`` (a dict of 1D arrays for a dict ``X``; a ``TaskLabels`` or a
        dict for a ``TaskPanel``; a 1D array for an array ``X``).

    Returns
    -------
    panel : TaskPanel
    labels : TaskLabels
        Row-aligned with ``panel``.
    kind : {"dict", "panel", "array"}
    """
    if y is None:
        raise ValueError("y is required; this estimator is supervised.")
    check_not_iterator(y, "y")
    panel, kind = check_task_input(X)
    if type(y) in _DICT_TYPES:
        y = dict(y)
        missing_y = [t for t in panel.tasks if t not in y]
        if missing_y:
            raise ValueError(f"task {missing_y[0]!r} is in X but not in y.")
        missing_x = [t for t in y if t not in set(panel.tasks)]
        if missing_x:
            raise ValueError(f"task {missing_x[0]!r} is in y but not in X.")
        labels_rows = np.empty(len(panel), dtype=object)
        dtypes = {}
        for task in panel.tasks:
            rows = panel.rows_of(task)
            y_t = _check_label_array(y[task], task)
            if len(y_t) != len(rows):
                raise ValueError(
                    f"task {task!r}: X has {len(rows)} series but y has {len(y_t)} labels."
                )
            labels_rows[rows] = list(y_t.tolist())
            dtypes[task] = y_t.dtype
        labels = TaskLabels(labels_rows, panel.task_ids, dtypes)
    elif type(y) is TaskLabels:
        if len(y) != len(panel):
            raise ValueError(
                f"X has {len(panel)} rows but y has {len(y)}; they must be aligned."
            )
        for task in set(panel.tasks) - set(y.tasks):
            raise ValueError(f"task {task!r} is in X but not in y.")
        for task in set(y.tasks) - set(panel.tasks):
            raise ValueError(f"task {task!r} is in y but not in X.")
        mismatch = np.flatnonzero(
            np.array([a != b for a, b in zip(panel.task_ids, y.task_ids)], dtype=bool)
        )
        if len(mismatch):
            i = mismatch[0]
            raise ValueError(
                f"row {i} is in task {panel.task_ids[i]!r} in X but in task "
                f"{y.task_ids[i]!r} in y; X and y must be row-aligned."
            )
        labels = y
    else:
        if kind == "dict":
            raise TypeError("X is a dict of tasks, so y must be a dict {task: y_t} too.")
        y_arr = _check_label_array(y, panel.tasks[0] if kind == "array" else "y")
        if len(y_arr) != len(panel):
            task = panel.tasks[0]
            raise ValueError(
                f"task {task!r}: X has {len(panel)} series but y has {len(y_arr)} labels."
            )
        if kind == "array":
            labels = TaskLabels(y_arr.tolist(), panel.task_ids, {SINGLE_TASK: y_arr.dtype})
        else:
            labels = TaskLabels(y_arr.tolist(), panel.task_ids)
    return panel, labels, kind


def check_task_classes(labels):
    """Classes of every task, with an error for tasks of a single class.

    Parameters
    ----------
    labels : TaskLabels

    Returns
    -------
    dict
        ``{task: ndarray of sorted classes}``.
    """
    classes = {}
    for task in labels.tasks:
        y_t = labels.task_labels(task)
        if any(v is None for v in y_t.tolist()):
            raise ValueError(f"task {task!r}: y contains None.")
        if y_t.dtype.kind == "f" and np.isnan(y_t).any():
            raise ValueError(f"task {task!r}: y contains NaN.")
        try:
            c = np.unique(y_t)
        except TypeError:
            raise TypeError(
                f"task {task!r}: labels of mixed types cannot be ordered; use one type."
            ) from None
        if len(c) < 2:
            raise ValueError(
                f"task {task!r}: y has one class ({c[0]!r}); a classifier needs at least "
                "two classes per task."
            )
        classes[task] = c
    return classes


def format_like_input(per_task, panel, kind):
    """Give per-task results back in the form of the input.

    Parameters
    ----------
    per_task : dict
        ``{task: ndarray}`` with rows in the order of ``panel.rows_of(task)``.
    panel : TaskPanel
        The validated input.
    kind : {"dict", "panel", "array"}
        The input's form.

    Returns
    -------
    dict, TaskLabels or ndarray
        A dict for a dict input; for a ``TaskPanel`` input a ``TaskLabels`` when the
        results are 1D (labels) and otherwise a dict; an array for an array input.
    """
    if kind == "dict":
        return {task: per_task[task] for task in panel.tasks}
    if kind == "array":
        return per_task[panel.tasks[0]]
    first = next(iter(per_task.values()))
    if np.ndim(first) != 1:
        return {task: per_task[task] for task in panel.tasks}
    rows = np.empty(len(panel), dtype=object)
    dtypes = {}
    for task in panel.tasks:
        values = np.asarray(per_task[task])
        rows[panel.rows_of(task)] = list(values.tolist())
        dtypes[task] = values.dtype
    return TaskLabels(rows, panel.task_ids, dtypes)
