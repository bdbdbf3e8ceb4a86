"""Validation split of a multi-task fit: stratified within every task."""

import warnings

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = ["MIN_TRAIN_SERIES", "split_per_task", "TaskStratifiedSplit"]


#: Fewest training series a task keeps after the split: batch norm in training mode
#: needs two values per channel, so a task is never left with one series to train on.
MIN_TRAIN_SERIES = 2


def split_per_task(task_index, y, fraction, random_state=None, task_names=None):
    """Hold out a fraction of every task, stratified by class where possible.

    A task's split is stratified when every class has at least two members and both
    parts can hold one series per class; otherwise it is a plain random split. A task
    keeps at least :data:`MIN_TRAIN_SERIES` series for training; one too small to give
    a validation series besides keeps all its series for training, with a warning
    naming it (it then takes no part in choosing the best epoch).

    Parameters
    ----------
    task_index : array-like of int of shape (n,)
    y : array-like of shape (n,)
        Class of every row.
    fraction : float
        Share of every task held out, in [0, 1).
    random_state : int, numpy Generator or None
        Seed.
    task_names : list of str, default=None
        Display name of every task index, for the warnings.

    Returns
    -------
    train_rows, valid_rows : ndarray of int

    Warns
    -----
    UserWarning
        For every task too small to hold out a validation series.
    """
    task_index = np.asarray(task_index)
    y = np.asarray(y)
    rng = np.random.default_rng(random_state)
    train, valid = [], []
    for t in np.unique(task_index):
        rows = np.flatnonzero(task_index == t)
        n_valid = min(int(round(fraction * len(rows))), len(rows) - MIN_TRAIN_SERIES)
        if n_valid < 1:
            if fraction > 0:
                name = task_names[t] if task_names is not None else int(t)
                warnings.warn(
                    f"task {name!r} has {len(rows)} series: too few to hold out "
                    f"validation_fraction={fraction:g} of them and keep "
                    f"{MIN_TRAIN_SERIES} for training; it trains on all of them and takes "
                    "no part in choosing the best epoch.", UserWarning, stacklevel=2)
            train.append(rows)
            continue
        classes, counts = np.unique(y[rows], return_counts=True)
        stratify = None
        if counts.min() >= 2 and n_valid >= len(classes) and len(rows) - n_valid >= len(classes):
            stratify = y[rows]
        seed = int(rng.integers(2**31 - 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tr, va = train_test_split(rows, test_size=n_valid, stratify=stratify,
                                      random_state=seed)
        train.append(tr)
        valid.append(va)
    train = np.sort(np.concatenate(train)) if train else np.zeros(0, dtype=np.intp)
    valid = np.sort(np.concatenate(valid)) if valid else np.zeros(0, dtype=np.intp)
    return train, valid


class TaskStratifiedSplit:
    """skorch ``train_split`` that holds out a stratified share of every task.

    Parameters
    ----------
    fraction : float
        Share of every task for validation.
    random_state : int or None
        Seed.
    task_names : list of str, default=None
        Display name of every task index, for the warnings.
    """

    def __init__(self, fraction, random_state=None, task_names=None):
        self.fraction = fraction
        self.random_state = random_state
        self.task_names = task_names

    def __call__(self, dataset, y=None, **fit_params):
        train, valid = split_per_task(dataset.task_index, dataset.y, self.fraction,
                                      self.random_state, self.task_names)
        if len(valid) == 0:
            warnings.warn(
                f"validation_fraction={self.fraction:g} leaves no task a validation "
                "series: training keeps the last epoch (best_epoch_ is None). Give more "
                "series or set validation_fraction=0.", UserWarning, stacklevel=2)
            return dataset.subset(train), None
        return dataset.subset(train), dataset.subset(valid)
