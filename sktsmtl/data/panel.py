"""Sample-indexable multi-task containers: ``TaskPanel`` (X) and ``TaskLabels`` (y).

Both hold one row per series with the task id of that row. They expose ``shape``,
``__len__`` and row indexing (integer arrays, boolean masks, slices) returning the same
type, which is all scikit-learn's ``_safe_indexing`` needs, so ``GridSearchCV``,
``cross_val_score`` and ``train_test_split`` split them like arrays. ``TaskLabels``
converts to an array of ``(task, label)`` keys, so stratified splitters stratify by task
and class at once with no custom splitter.
"""

import numbers

import numpy as np

from .series import pad_series, series_from_task_input

__all__ = ["TaskPanel", "TaskLabels"]

# Separator of the (task, label) stratification keys; a control character so that it
# does not collide with ordinary task or class names.
_KEY_SEPARATOR = "\x1f"


def _row_index(key, n_rows):
    """Normalise an sklearn-style row key to an integer index array (or a slice)."""
    # sklearn's _array_indexing asks for array[key, ...]
    if isinstance(key, tuple):
        if len(key) == 2 and key[1] is Ellipsis:
            key = key[0]
        else:
            raise IndexError("task containers are indexed along rows only.")
    if isinstance(key, slice):
        return np.arange(n_rows)[key]
    if isinstance(key, numbers.Integral):
        return np.array([int(key)])
    key = np.asarray(key)
    if key.dtype == bool:
        if key.shape != (n_rows,):
            raise IndexError(
                f"boolean mask of shape {key.shape} does not match {n_rows} rows."
            )
        return np.flatnonzero(key)
    if key.size == 0:
        return np.zeros(0, dtype=np.intp)
    if not np.issubdtype(key.dtype, np.integer):
        raise IndexError(f"rows are indexed by integers, booleans or slices, not {key.dtype}.")
    return key.astype(np.intp, copy=False).ravel()


def _object_array(values):
    """1D object array; np.asarray would turn a list of tuple task ids into 2D."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _rows_of(task_ids, task):
    return np.flatnonzero(np.fromiter((t == task for t in task_ids), bool, len(task_ids)))


def _ordered_unique(values):
    seen = {}
    for v in values:
        if v not in seen:
            seen[v] = None
    return list(seen)


def _check_task_ids(task_ids):
    """The tasks in order of first appearance; None is refused as a task id.

    None cannot be a task: it is what "no task given" means everywhere else (the
    ``tasks=None`` arguments), and the labels of such a task could not be told apart.
    """
    try:
        tasks = _ordered_unique(task_ids.tolist())
    except TypeError:
        bad = next(t for t in task_ids.tolist() if not _hashable(t))
        raise TypeError(
            f"task ids must be hashable (str, int, tuple, ...); got {type(bad).__name__} "
            f"{bad!r}."
        ) from None
    if any(t is None for t in tasks):
        raise ValueError(
            "None is not a valid task id; name every task (a string or an int), for "
            "example {'task_a': X_a, ...}."
        )
    return tasks


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True


class TaskPanel:
    """Series of several tasks, one row per series with its task id.

    A ``TaskPanel`` is the ``X`` of multi-task estimators in scikit-learn's model
    selection tools. Series may differ in length and channel count across tasks and in
    length within a task.

    Parameters
    ----------
    series : list of ndarray of shape (C, L_i)
        One float array per row.
    task_ids : array-like of shape (n_rows,)
        Task id of each row (any hashable).
    univariate : dict, default=None
        ``{task: bool}``: whether a task was given without a channel axis, so that
        :meth:`to_dict` gives it back as ``(n, L)``. Defaults to True for tasks whose
        series have one channel.

    Attributes
    ----------
    tasks : list
        Task ids in order of first appearance.
    task_ids : ndarray of shape (n_rows,)
        Task id per row.
    shape : tuple
        ``(n_rows,)``.

    See Also
    --------
    TaskLabels : the matching container of labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data import TaskPanel
    >>> X = TaskPanel.from_dict({"a": np.zeros((3, 10)), "b": np.ones((2, 2, 7))})
    >>> len(X), X.tasks
    (5, ['a', 'b'])
    >>> X[[0, 4]].tasks
    ['a', 'b']
    >>> X.to_dict()["b"].shape
    (2, 2, 7)
    """

    def __init__(self, series, task_ids, univariate=None):
        task_ids = _object_array(task_ids)
        if len(task_ids) != len(series):
            raise ValueError(
                f"task_ids must be 1D with one id per series; got {task_ids.shape} for "
                f"{len(series)} series."
            )
        self.series = list(series)
        self.task_ids = task_ids
        tasks = _check_task_ids(task_ids)
        univariate = dict(univariate or {})
        self._univariate = {
            t: univariate[t] if t in univariate else self._first_channels(t) == 1
            for t in tasks
        }

    def _first_channels(self, task):
        for s, t in zip(self.series, self.task_ids):
            if t == task:
                return s.shape[0]
        return None

    @classmethod
    def from_dict(cls, tasks_X):
        """Build a panel from ``{task: X_t}``.

        Parameters
        ----------
        tasks_X : dict
            ``X_t`` of shape ``(n, L)`` or ``(n, C, L)`` (NaN-padded or not), or a list
            of 1D/2D arrays of varying length.

        Returns
        -------
        TaskPanel
        """
        if type(tasks_X) is not dict:
            raise TypeError(
                f"from_dict expects a dict {{task: X_t}}, got {type(tasks_X).__name__}."
            )
        if not tasks_X:
            raise ValueError("X holds no tasks.")
        series, task_ids, univariate = [], [], {}
        for task, X_t in tasks_X.items():
            s, uni = series_from_task_input(X_t, task)
            series.extend(s)
            task_ids.extend([task] * len(s))
            univariate[task] = uni
        return cls(series, _object_array(task_ids), univariate)

    @classmethod
    def from_array(cls, X, task="default"):
        """Build a one-task panel from an array or a list of series.

        Parameters
        ----------
        X : array-like or list of array-like
            ``(n, L)``, ``(n, C, L)`` or a list of 1D/2D series.
        task : hashable, default="default"
            The task id to give the rows.

        Returns
        -------
        TaskPanel
        """
        return cls.from_dict({task: X})

    # -- sklearn's sample-indexable protocol -------------------------------------------
    @property
    def shape(self):
        return (len(self.series),)

    def __len__(self):
        return len(self.series)

    def __getitem__(self, key):
        idx = _row_index(key, len(self))
        if isinstance(idx, np.ndarray) and len(idx) and (idx.max() >= len(self)):
            raise IndexError(f"row {idx.max()} out of range for {len(self)} rows.")
        series = [self.series[i] for i in idx]
        out = TaskPanel.__new__(TaskPanel)
        out.series = series
        out.task_ids = self.task_ids[idx]
        kept = set(out.task_ids.tolist())
        out._univariate = {t: u for t, u in self._univariate.items() if t in kept}
        return out

    def __repr__(self):
        return f"TaskPanel(n_rows={len(self)}, tasks={self.tasks!r})"

    # -- views -------------------------------------------------------------------------
    @property
    def tasks(self):
        return _ordered_unique(self.task_ids.tolist())

    def rows_of(self, task):
        """Row indices of one task, in panel order."""
        return _rows_of(self.task_ids, task)

    def task_series(self, task):
        """List of the ``(C, L_i)`` series of one task."""
        return [self.series[i] for i in self.rows_of(task)]

    def n_channels(self, task=None):
        """Channel count of a task, or ``{task: C}`` when ``task`` is None."""
        if task is None:
            return {t: self.n_channels(t) for t in self.tasks}
        rows = self.rows_of(task)
        if len(rows) == 0:
            raise KeyError(task)
        return self.series[rows[0]].shape[0]

    def lengths(self):
        """Length of every row's series, as an int array."""
        return np.array([s.shape[1] for s in self.series], dtype=np.intp)

    def to_dict(self, padded=True):
        """Give the panel back as ``{task: X_t}``.

        Parameters
        ----------
        padded : bool, default=True
            True: ``X_t`` is one array, ``(n, L)`` for univariate tasks and
            ``(n, C, L)`` otherwise, with shorter series NaN-padded at the end (the UCR
            form). False: ``X_t`` is a list of arrays, 1D for univariate tasks, of each
            series' own length.

        Returns
        -------
        dict
        """
        return {task: self.task_array(task, padded=padded) for task in self.tasks}

    def task_array(self, task, padded=True):
        """One task's series in the form of :meth:`to_dict`.

        Parameters
        ----------
        task : hashable
            The task id.
        padded : bool, default=True
            NaN-padded array, or a list of arrays of each series' own length.

        Returns
        -------
        ndarray or list of ndarray
        """
        series = self.task_series(task)
        uni = self._univariate.get(task, series[0].shape[0] == 1)
        if padded:
            arr = pad_series(series)
            return arr[:, 0, :] if uni else arr
        return [s[0] if uni else s for s in series]

    def is_univariate(self, task):
        """Whether the task was given without a channel axis."""
        return self._univariate[task]


class TaskLabels:
    """Class labels of several tasks, one row per series with its task id.

    The ``y`` that goes with a :class:`TaskPanel`. Labels may be of any hashable type,
    independently per task. ``np.asarray(labels)`` gives one string key per row built
    from ``(task, label)``, which is what stratified splitters stratify on.

    Parameters
    ----------
    labels : array-like of shape (n_rows,)
        Label per row.
    task_ids : array-like of shape (n_rows,)
        Task id per row.
    dtypes : dict, default=None
        ``{task: numpy dtype}`` used to give each task's labels back by :meth:`to_dict`.

    Attributes
    ----------
    tasks : list
        Task ids in order of first appearance.
    labels : ndarray of object of shape (n_rows,)
    task_ids : ndarray of object of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data import TaskLabels
    >>> y = TaskLabels.from_dict({"a": np.array([1, -1, 1]), "b": np.array(["x", "y"])})
    >>> y.to_dict()["a"]
    array([ 1, -1,  1])
    >>> y[np.array([True, False, False, True, True])].to_dict()["b"]
    array(['x', 'y'], dtype='<U1')
    """

    def __init__(self, labels, task_ids, dtypes=None):
        labels_arr = np.empty(len(labels), dtype=object)
        labels_arr[:] = list(labels)
        task_ids = _object_array(task_ids)
        if task_ids.shape != labels_arr.shape:
            raise ValueError("labels and task_ids must be 1D and of equal length.")
        _check_task_ids(task_ids)
        self.labels = labels_arr
        self.task_ids = task_ids
        self._dtypes = dict(dtypes or {})

    @classmethod
    def from_dict(cls, tasks_y):
        """Build labels from ``{task: y_t}`` with ``y_t`` 1D.

        Parameters
        ----------
        tasks_y : dict

        Returns
        -------
        TaskLabels
        """
        if type(tasks_y) is not dict:
            raise TypeError(
                f"from_dict expects a dict {{task: y_t}}, got {type(tasks_y).__name__}."
            )
        labels, task_ids, dtypes = [], [], {}
        for task, y_t in tasks_y.items():
            y_arr = _check_label_array(y_t, task)
            labels.extend(y_arr.tolist())
            task_ids.extend([task] * len(y_arr))
            dtypes[task] = y_arr.dtype
        return cls(labels, _object_array(task_ids), dtypes)

    @property
    def shape(self):
        return (len(self.labels),)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, key):
        idx = _row_index(key, len(self))
        return TaskLabels(self.labels[idx], self.task_ids[idx], self._dtypes)

    def __array__(self, dtype=None, copy=None):
        keys = np.array(
            [f"{t}{_KEY_SEPARATOR}{label}" for t, label in zip(self.task_ids, self.labels)],
            dtype=object,
        )
        return keys if dtype is None else keys.astype(dtype)

    def __repr__(self):
        return f"TaskLabels(n_rows={len(self)}, tasks={self.tasks!r})"

    @property
    def tasks(self):
        return _ordered_unique(self.task_ids.tolist())

    def rows_of(self, task):
        """Row indices of one task, in order."""
        return _rows_of(self.task_ids, task)

    def task_labels(self, task):
        """The labels of one task as a 1D array of the task's dtype."""
        values = self.labels[self.rows_of(task)].tolist()
        dtype = self._dtypes.get(task)
        if dtype is None:
            return np.asarray(values)
        return np.asarray(values, dtype=dtype)

    def to_dict(self):
        """Give the labels back as ``{task: y_t}``."""
        return {task: self.task_labels(task) for task in self.tasks}


def _check_label_array(y_t, task):
    y_arr = np.asarray(y_t)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        raise ValueError(
            f"task {task!r}: y has shape {y_arr.shape}; pass a 1D array of labels "
            "(y.ravel())."
        )
    if y_arr.ndim != 1:
        raise ValueError(
            f"task {task!r}: y has shape {y_arr.shape}; expected a 1D array of labels."
        )
    return y_arr
