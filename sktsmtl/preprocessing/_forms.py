"""Read any accepted input form into a validated panel and give results back in that form.

The transformers of this subpackage work series by series on the ``(C, L_i)`` arrays of a
:class:`~sktsmtl.data.TaskPanel`. This module records how ``X`` was given (a dict
``{task: X_t}``, a ``TaskPanel``, a 2D/3D array or a list of series, and for a dict, the
form of every ``X_t``) together with the length of every input series, so that the
transformed series are returned in the same form with the same trailing NaN padding.
"""

import numpy as np
from scipy import sparse

from ..data import TaskPanel, check_task_input, pad_series

__all__ = ["InputForm", "read_input"]


def _last_dim(values):
    return int(np.shape(values)[-1])


class _TaskForm:
    """How one task's ``X_t`` was given: one array, or a list of 1D/2D series."""

    def __init__(self, X_t):
        if type(X_t) in (list, tuple):
            self.container = "list"
            self.ndims = [int(np.ndim(s)) for s in X_t]
            self.lengths = [_last_dim(s) for s in X_t]
        else:
            arr = np.asarray(X_t)
            self.container = "array"
            self.ndims = arr.ndim
            self.lengths = [arr.shape[-1]] * arr.shape[0]

    def rebuild(self, series):
        """Give a task's ``(C, L_i)`` output series back in this form."""
        if self.container == "list":
            return [s[0] if nd == 1 else s for s, nd in zip(series, self.ndims)]
        arr = pad_series(series)
        return arr[:, 0, :] if self.ndims == 2 else arr


class InputForm:
    """The form of a validated input, able to rebuild an output of the same form.

    Parameters
    ----------
    X : dict, TaskPanel, array-like or list
        The raw input, already validated by :func:`read_input`.
    panel : TaskPanel
        The validated panel of ``X``.

    Attributes
    ----------
    kind : {"dict", "panel", "array", "list"}
        The form of ``X``.
    lengths : ndarray of shape (n_rows,)
        The length of every input series (trailing NaN padding included), in panel
        row order.
    """

    def __init__(self, X, panel):
        self.tasks = panel.tasks
        self.task_ids = panel.task_ids.copy()
        self.rows = {task: panel.rows_of(task) for task in self.tasks}
        self.task_forms = {}
        if type(X) is TaskPanel:
            self.kind = "panel"
            self.univariate = {task: X.is_univariate(task) for task in self.tasks}
            lengths = [_last_dim(s) for s in X.series]
        elif isinstance(X, dict):
            self.kind = "dict"
            lengths = np.zeros(len(panel), dtype=np.intp)
            for task in self.tasks:
                form = _TaskForm(X[task])
                self.task_forms[task] = form
                lengths[self.rows[task]] = form.lengths
        else:
            form = _TaskForm(X)
            self.kind = form.container
            self.task_forms[self.tasks[0]] = form
            lengths = form.lengths
        self.lengths = np.asarray(lengths, dtype=np.intp)

    def restore(self, series, keep_length=True):
        """Give transformed series back in the form of the input.

        Parameters
        ----------
        series : list of ndarray of shape (C, L_i)
            One output series per panel row, in panel row order, without padding.
        keep_length : bool, default=True
            Pad every output series with NaN at the end back to the length of its input
            series (the input's padding stays padding). False for transformers that set
            the length themselves.

        Returns
        -------
        dict, TaskPanel, ndarray or list
            Of the same form as the input.
        """
        series = list(series)
        if keep_length:
            series = [_pad_to(s, n) for s, n in zip(series, self.lengths)]
        if self.kind == "panel":
            return TaskPanel(series, self.task_ids.copy(), dict(self.univariate))
        per_task = {
            task: self.task_forms[task].rebuild([series[i] for i in rows])
            for task, rows in self.rows.items()
        }
        if self.kind == "dict":
            return per_task
        return per_task[self.tasks[0]]


def _pad_to(series, length):
    if series.shape[1] >= length:
        return series
    out = np.full((series.shape[0], length), np.nan)
    out[:, : series.shape[1]] = series
    return out


def read_input(X, tasks=None, n_channels=None):
    """Validate ``X`` of any accepted form and record its form.

    Parameters
    ----------
    X : dict, TaskPanel, array-like or list
        ``{task: X_t}``, a ``TaskPanel``, an ``(n, L)`` or ``(n, C, L)`` array
        (NaN-padded or not) or a list of 1D/2D series of varying length.
    tasks : list, default=None
        Tasks seen at fit; any other task is an error.
    n_channels : dict, default=None
        ``{task: C}`` seen at fit; another channel count is an error.

    Returns
    -------
    panel : TaskPanel
        The validated series, trailing NaN padding removed.
    form : InputForm
        The form of ``X``.

    Raises
    ------
    ValueError, TypeError
        On bad input, naming the task.
    """
    if sparse.issparse(X):
        raise TypeError(
            "sparse input is not supported; pass a dense array of series, "
            "e.g. X.toarray()."
        )
    panel, _ = check_task_input(X, tasks=tasks, n_channels=n_channels)
    if not isinstance(X, (dict, list, tuple, TaskPanel)):
        X = np.asarray(X)
    return panel, InputForm(X, panel)
