"""Which rows of a task group are the same recording, and a split that keeps them whole.

Tasks of one group may share recordings: DodgerLoopDay, DodgerLoopGame and
DodgerLoopWeekend are the same 158 series under three label sets; the axes of a
gesture data set (UWaveGestureLibrary, AllGestureWiimote, basic_motions) are views of
one recording per row. A split drawn per task then puts a series (or another view of
its recording) into one task's training part and another task's test part, and a
network shared by the tasks trains on test series: the comparison of multi-task and
per-task learning is not clean.

:func:`task_recordings` gives every row a recording id: the same id for identical
series across tasks (found from the data), or for the same row of every task where the
group declares its rows aligned. :func:`recording_split_tasks` draws the split once
per recording and applies it to every task, so no test series (or view of one) is in
any task's training or validation part.
"""

import hashlib
import warnings

import numpy as np

from .rows import n_rows, take_rows
from .splits import _check_sizes, _check_tasks, _resolve_seed, train_val_test_indices

__all__ = ["task_recordings", "recording_split_tasks", "shared_test_rows"]


def _series_key(series):
    values = np.asarray(series, dtype=np.float64)
    if values.ndim == 1:
        values = values[np.newaxis, :]
    # NaN padding at the end does not make two series different
    observed = ~np.isnan(values).all(axis=0)
    end = int(np.flatnonzero(observed)[-1]) + 1 if observed.any() else 0
    values = np.where(np.isnan(values[:, :end]), np.inf, values[:, :end])
    digest = hashlib.sha1(f"{values.shape}".encode())
    digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def task_recordings(tasks_X, aligned=False):
    """A recording id for every row of every task.

    Parameters
    ----------
    tasks_X : dict
        ``{task: X_t}``: arrays ``(n, L)``/``(n, C, L)`` or lists of series.
    aligned : bool, default=False
        Row ``i`` of every task is one recording (the group declares it; all tasks must
        then have as many rows).

    Returns
    -------
    recordings : dict
        ``{task: ndarray of int}``: rows with the same id are one recording. Identical
        series (NaN padding aside) share an id across and within tasks.
    shared : bool
        Whether some recording has rows in more than one task.

    Raises
    ------
    ValueError
        ``aligned`` with tasks of different row counts.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import task_recordings
    >>> X = np.arange(12.0).reshape(4, 3)
    >>> ids, shared = task_recordings({"day": X, "weekend": X[[2, 0, 1, 3]]})
    >>> ids["day"].tolist(), ids["weekend"].tolist(), shared
    ([0, 1, 2, 3], [2, 0, 1, 3], True)
    """
    if aligned:
        counts = {t: n_rows(X) for t, X in tasks_X.items()}
        if len(set(counts.values())) > 1:
            raise ValueError(
                f"the group declares its rows aligned (row i of every task is one "
                f"recording), but its tasks have different row counts: {counts}.")
        ids = {t: np.arange(n) for t, n in counts.items()}
        return ids, len(tasks_X) > 1
    index, ids, owners = {}, {}, {}
    for task, X in tasks_X.items():
        out = np.empty(n_rows(X), dtype=np.int64)
        for i in range(len(out)):
            key = _series_key(X[i])
            out[i] = index.setdefault(key, len(index))
            owners.setdefault(out[i], set()).add(task)
        ids[task] = out
    return ids, any(len(o) > 1 for o in owners.values())


def recording_split_tasks(tasks_X, tasks_y, recordings, sizes=(0.6, 0.2, 0.2),
                          random_state=0, stratify=True):
    """Train, validation and test parts drawn once per recording, for every task.

    The recordings are split (stratified by the labels they carry in all tasks, where
    each combination is frequent enough; else by those of the first task, else not) with
    the rules of :func:`~sktsmtl.datasets.train_val_test_indices`, and every row goes
    to its recording's part.

    Parameters
    ----------
    tasks_X, tasks_y : dict
        ``{task: X_t}`` and ``{task: y_t}``.
    recordings : dict
        ``{task: ids}`` from :func:`task_recordings`.
    sizes : tuple of 3 floats, default=(0.6, 0.2, 0.2)
    random_state : int, RandomState instance or None, default=0
    stratify : bool, default=True

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test) : tuple of dict pairs
        As :func:`~sktsmtl.datasets.train_val_test_split_tasks`.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import recording_split_tasks, task_recordings
    >>> X = np.random.default_rng(0).normal(size=(20, 5))
    >>> tasks_X = {"fine": X, "coarse": X}
    >>> tasks_y = {"fine": np.arange(20) % 4, "coarse": np.arange(20) % 2}
    >>> ids, _ = task_recordings(tasks_X)
    >>> parts = recording_split_tasks(tasks_X, tasks_y, ids)
    >>> (X_tr, _), _, (X_te, _) = parts
    >>> train = {r.tobytes() for X_t in X_tr.values() for r in X_t}
    >>> any(r.tobytes() in train for X_t in X_te.values() for r in X_t)
    False
    """
    _check_tasks(tasks_X, tasks_y)
    sizes = _check_sizes(sizes)
    seed = _resolve_seed(random_state)
    units = np.unique(np.concatenate([np.asarray(r) for r in recordings.values()]))
    labels = {u: [] for u in units.tolist()}
    first = {}
    for task in tasks_X:
        for rec, label in zip(recordings[task].tolist(), np.asarray(tasks_y[task]).tolist()):
            labels[rec].append(f"{task}={label}")
            first.setdefault(rec, f"{task}={label}")
    combined = np.array(["|".join(sorted(labels[u])) for u in units.tolist()])
    parts = None
    if stratify:
        for strata in (combined, np.array([first[u] for u in units.tolist()])):
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)
                try:
                    parts = train_val_test_indices(strata, sizes, seed, True)
                    break
                except UserWarning:
                    continue  # too few recordings per stratum: try the coarser one
    if parts is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parts = train_val_test_indices(np.zeros(len(units)), sizes, seed, False)
        if stratify:
            warnings.warn("the split of the recordings is not stratified: too few "
                          "recordings per class; it is a plain shuffled split.",
                          UserWarning, stacklevel=2)
    part_of = {}
    for k, idx in enumerate(parts):
        for u in units[idx].tolist():
            part_of[u] = k
    out_X, out_y = ({}, {}, {}), ({}, {}, {})
    for task in tasks_X:
        where = np.array([part_of[r] for r in recordings[task].tolist()])
        for k in range(3):
            rows = np.flatnonzero(where == k)
            out_X[k][task] = take_rows(tasks_X[task], rows)
            out_y[k][task] = take_rows(np.asarray(tasks_y[task]), rows)
    return tuple((out_X[k], out_y[k]) for k in range(3))


def shared_test_rows(fit_ids, test_ids):
    """How many test rows of every task are a recording in another task's fit rows.

    Parameters
    ----------
    fit_ids, test_ids : dict
        ``{task: recording ids}`` of the fit (train and validation) and test rows.

    Returns
    -------
    dict
        ``{task: count}`` for the tasks with at least one such row.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import shared_test_rows
    >>> fit = {"day": np.array([0, 1, 2]), "weekend": np.array([1, 3, 4])}
    >>> test = {"day": np.array([3, 5]), "weekend": np.array([0, 6])}
    >>> shared_test_rows(fit, test)
    {'day': 1, 'weekend': 1}
    """
    out = {}
    for task, ids in test_ids.items():
        others = set()
        for other, fit in fit_ids.items():
            if other != task:
                others.update(np.asarray(fit).tolist())
        count = sum(1 for r in np.asarray(ids).tolist() if r in others)
        if count:
            out[task] = count
    return out
