"""``TaskDataset``: the torch Dataset of a multi-task fit.

Rows keep their task index; each series is zero-padded at the end to its task's
reference length once, at construction, so that a series' padded tensor does not depend
on which other series share its mini-batch (predictions stay independent of batching).
"""

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["TaskDataset"]


class TaskDataset(Dataset):
    """Series of several tasks with their task index, length and class index.

    Parameters
    ----------
    series : list of ndarray of shape (C, L_i)
        Series without NaN (impute before).
    task_index : array-like of int of shape (n,)
        Index of each row's task (position in the estimator's ``tasks_``).
    y : array-like of int of shape (n,), default=None
        Class index of each row within its task; None for prediction (zeros are used).
    reference_lengths : dict, default=None
        ``{task_index: length}``: pad each task's series to at least this length (the
        longest series of that task seen at fit). Longer series keep their length and
        set the task's padded length for this dataset.

    Attributes
    ----------
    task_index : ndarray of shape (n,)
    lengths : ndarray of shape (n,)
    y : ndarray of shape (n,)
    """

    def __init__(self, series, task_index, y=None, reference_lengths=None):
        self.task_index = np.asarray(task_index, dtype=np.int64)
        self.lengths = np.array([s.shape[1] for s in series], dtype=np.int64)
        self.y = (np.zeros(len(series), dtype=np.int64) if y is None
                  else np.asarray(y, dtype=np.int64))
        reference_lengths = dict(reference_lengths or {})
        self.padded_lengths = {}
        for t in np.unique(self.task_index):
            rows = self.task_index == t
            self.padded_lengths[int(t)] = int(
                max(self.lengths[rows].max(), reference_lengths.get(int(t), 0))
            )
        self._x = []
        for s, t in zip(series, self.task_index):
            x = np.zeros((s.shape[0], self.padded_lengths[int(t)]), dtype=np.float32)
            x[:, : s.shape[1]] = s
            self._x.append(torch.from_numpy(x))

    def __len__(self):
        return len(self._x)

    def __getitem__(self, i):
        return self._x[i], self.task_index[i], self.lengths[i], self.y[i]

    def task_rows(self):
        """Row indices of every task present, as ``{task_index: ndarray}``."""
        return {int(t): np.flatnonzero(self.task_index == t)
                for t in np.unique(self.task_index)}

    def subset(self, rows):
        """A ``TaskDataset`` of some rows (tensors shared, not copied).

        Parameters
        ----------
        rows : array-like of int

        Returns
        -------
        TaskDataset
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = TaskDataset.__new__(TaskDataset)
        out.task_index = self.task_index[rows]
        out.lengths = self.lengths[rows]
        out.y = self.y[rows]
        out.padded_lengths = {int(t): self.padded_lengths[int(t)]
                              for t in np.unique(out.task_index)}
        out._x = [self._x[i] for i in rows]
        return out

    @staticmethod
    def collate(items):
        """Stack the items of one task-homogeneous batch into ``(X, y)``.

        ``X`` is a dict with ``x`` (B, C, L), ``task`` (B,) and ``lengths`` (B,), the
        keyword arguments of the network's forward.
        """
        xs, tasks, lengths, ys = zip(*items)
        X = {
            "x": torch.stack(xs),
            "task": torch.as_tensor(np.asarray(tasks)),
            "lengths": torch.as_tensor(np.asarray(lengths)),
        }
        return X, torch.as_tensor(np.asarray(ys))
