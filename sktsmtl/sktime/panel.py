"""sktime panels whose instance ids carry the task: ``"<task>::<id>"``.

sktime's classifiers see one panel at a time, and its ``pd-multiindex`` mtype has exactly
two index levels (instance, time); a third level would make it a hierarchical panel,
which sktime's classifiers refuse. The task therefore travels inside the instance id,
as a string ``f"{task}{TASK_SEPARATOR}{id}"``. sktime's mtype checks accept any
hashable instance id, and its splitters (``evaluate``, the benchmarking harness) keep
the ids of the rows they select, so the task survives every split. A panel whose
instance ids hold no separator (integers, as sktime makes from numpy arrays) is one task.
"""

import numpy as np
import pandas as pd

from ..data import TaskPanel, check_task_data, check_task_input

__all__ = ["TASK_SEPARATOR", "to_sktime_panel", "task_of_instance"]

#: Separator between the task and the row id in an instance id: ``"accel_x::12"``.
TASK_SEPARATOR = "::"


def task_of_instance(instance_id):
    """The task named by an instance id, or None when the id names none.

    Parameters
    ----------
    instance_id : hashable
        An instance id of a ``pd-multiindex`` panel.

    Returns
    -------
    str or None
        The part before the first :data:`~sktsmtl.sktime.TASK_SEPARATOR` of a string
        id; None for ids that are not strings or hold no separator.

    Examples
    --------
    >>> from sktsmtl.sktime import task_of_instance
    >>> task_of_instance("accel_x::12"), task_of_instance(12)
    ('accel_x', None)
    """
    if isinstance(instance_id, str) and TASK_SEPARATOR in instance_id:
        return instance_id.split(TASK_SEPARATOR, 1)[0]
    return None


def _task_names(tasks):
    """``{task: str name}``, refusing names that would not come back out of an id."""
    names = {}
    for task in tasks:
        name = str(task)
        if TASK_SEPARATOR in name:
            raise ValueError(
                f"task {task!r}: task names must not contain {TASK_SEPARATOR!r}, which "
                "separates the task from the row id in sktime instance ids."
            )
        if not name:
            raise ValueError("task names must not be empty strings.")
        names[task] = name
    clashes = [n for n in set(names.values()) if list(names.values()).count(n) > 1]
    if clashes:
        raise ValueError(
            f"several tasks have the name {clashes[0]!r} as strings; sktime instance ids "
            "are strings, so task names must differ as strings."
        )
    return names


def _labels_array(per_task):
    """Concatenate per-task labels; tasks of different label kinds become strings."""
    kinds = {np.asarray(y).dtype.kind for y in per_task}
    if len(kinds) > 1:
        return np.concatenate([np.asarray(y).astype(str) for y in per_task])
    return np.concatenate([np.asarray(y) for y in per_task])


def to_sktime_panel(tasks_X, tasks_y=None):
    """Pack several tasks into one sktime ``pd-multiindex`` panel.

    Parameters
    ----------
    tasks_X : dict or TaskPanel
        ``{task: X_t}`` in any form :mod:`sktsmtl.data` accepts (arrays ``(n, L)`` or
        ``(n, C, L)``, NaN-padded or not, lists of series of varying length), or a
        ``TaskPanel``. All tasks need the same channel count: an sktime panel has one
        set of columns.
    tasks_y : dict or TaskLabels, default=None
        Labels in the matching form.

    Returns
    -------
    X : pandas.DataFrame
        Index ``(instances, timepoints)``; instance ids ``f"{task}::{i}"`` with ``i``
        the series' position within its task; columns ``var_0 ... var_{C-1}``. Trailing
        NaN padding is dropped, so series keep their own length.
    y : ndarray of shape (n_series,)
        Only when ``tasks_y`` is given: labels in the rows' order. Tasks whose labels
        are of different kinds (ints and strings) are given as strings, since an sktime
        ``y`` is one array.

    Raises
    ------
    ValueError
        Tasks with different channel counts, or task names holding ``"::"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.sktime import to_sktime_panel
    >>> X, y = to_sktime_panel({"a": np.zeros((2, 3)), "b": np.ones((1, 4))},
    ...                        {"a": [0, 1], "b": [1]})
    >>> X.index.get_level_values(0).unique().tolist()
    ['a::0', 'a::1', 'b::0']
    >>> y.tolist()
    [0, 1, 1]
    """
    if type(tasks_X) not in (dict, TaskPanel):
        raise TypeError(
            "tasks_X must be a dict {task: X_t} or a TaskPanel; got "
            f"{type(tasks_X).__name__}."
        )
    if tasks_y is None:
        panel, _ = check_task_input(tasks_X)
        labels = None
    else:
        panel, labels, _ = check_task_data(tasks_X, tasks_y)
    channels = panel.n_channels()
    if len(set(channels.values())) > 1:
        raise ValueError(
            f"tasks have different channel counts {channels}; an sktime panel has one "
            "set of columns."
        )
    names = _task_names(panel.tasks)

    instance_ids, series = [], []
    for task in panel.tasks:
        for i, s in enumerate(panel.task_series(task)):
            instance_ids.append(f"{names[task]}{TASK_SEPARATOR}{i}")
            series.append(s)
    lengths = [s.shape[1] for s in series]
    index = pd.MultiIndex.from_arrays(
        [np.repeat(np.array(instance_ids, dtype=object), lengths),
         np.concatenate([np.arange(n) for n in lengths])],
        names=["instances", "timepoints"],
    )
    values = np.concatenate([s.T for s in series], axis=0)
    X = pd.DataFrame(values, index=index,
                     columns=[f"var_{c}" for c in range(values.shape[1])])
    if labels is None:
        return X
    y = _labels_array([labels.task_labels(task) for task in panel.tasks])
    return X, y


def _split_instances(X):
    """Series and task of every instance of an sktime panel.

    Parameters
    ----------
    X : pandas.DataFrame (``pd-multiindex``) or ndarray (``numpy3D``)

    Returns
    -------
    series : list of ndarray of shape (C, L_i)
    tasks : list of str or None
        Task per instance (None for ids that name no task).
    """
    if isinstance(X, np.ndarray):
        return [np.asarray(s, dtype=np.float64) for s in X], [None] * len(X)
    codes, instance_ids = pd.factorize(X.index.get_level_values(0), sort=False)
    values = X.to_numpy(dtype=np.float64)
    # rows of an instance need not be contiguous; a stable sort keeps their order
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(instance_ids)))])
    series = [values[order[bounds[i]:bounds[i + 1]]].T for i in range(len(instance_ids))]
    tasks = [task_of_instance(i) for i in instance_ids]
    tagged = [t is not None for t in tasks]
    if any(tagged) and not all(tagged):
        untagged = instance_ids[tagged.index(False)]
        tagged_id = instance_ids[tagged.index(True)]
        raise ValueError(
            f"X mixes instance ids that name a task ({tagged_id!r}) with ids that do not "
            f"({untagged!r}); give every id the form 'task{TASK_SEPARATOR}id', or none."
        )
    return series, tasks
