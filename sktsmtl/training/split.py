"""Validation split of a multi-task fit: stratified within every task."""

import warnings

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = ["split_per_task", "TaskStratifiedSplit"]


def split_per_task(task_index, y, fraction, random_state=None):
    """Hold out a fraction of every task, stratified by class where possible.

    A task's split is stratified when every class has at least two members and both
    parts can hold one series per class; otherwise it is a plain random split. A task
    too small to give at least one validation series keeps all its series for training.

    Parameters
    ----------
    task_index : array-like of int of shape (n,)
    y : array-like of shape (n,)
        Class of every row.
    fraction : float
        Share of every task held out, in [0, 1).
    random_state : int, numpy Generator or None
        Seed.

    Returns
    -------
    train_rows, valid_rows : ndarray of int
    """
    task_index = np.asarray(task_index)
    y = np.asarray(y)
    rng = np.random.default_rng(random_state)
    train, valid = [], []
    for t in np.unique(task_index):
        rows = np.flatnonzero(task_index == t)
        n_valid = int(round(fraction * len(rows)))
        if n_valid < 1 or n_valid >= len(rows):
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
    """

    def __init__(self, fraction, random_state=None):
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, **fit_params):
        train, valid = split_per_task(dataset.task_index, dataset.y, self.fraction,
                                      self.random_state)
        if len(valid) == 0:
            return dataset.subset(train), None
        return dataset.subset(train), dataset.subset(valid)
