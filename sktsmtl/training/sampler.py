"""Task-homogeneous mini-batches: Algorithm 2 of Yeh et al. (2023), section III-C.

Series of different tasks may differ in length, so every mini-batch holds rows of one
task only. An epoch lasts as many iterations as the largest task has mini-batches; at
every iteration the tasks are visited in a fresh random order and each contributes one
mini-batch; smaller tasks are reshuffled and restarted whenever they run out.
"""

import math
import numbers

import numpy as np
from torch.utils.data import Sampler

__all__ = ["TaskBatchSampler"]


def _as_index_array(indices, t):
    arr = np.asarray(indices)
    if arr.ndim != 1:
        raise ValueError(f"task_indices[{t}] must be 1D, got shape {arr.shape}.")
    if arr.size == 0:
        return arr.astype(np.int32)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"task_indices[{t}] must hold integer row indices, got {arr.dtype}.")
    if arr.min() < 0:
        raise ValueError(f"task_indices[{t}] holds negative row indices.")
    return arr.astype(index_dtype(int(arr.max()) + 1), copy=False)


def index_dtype(n):
    """The integer type of row indices into ``n`` rows: int32 below 2**31 rows (half the
    bookkeeping of int64 at a million rows), int64 above."""
    return np.int32 if n <= np.iinfo(np.int32).max else np.int64


class TaskBatchSampler(Sampler):
    """Batch sampler yielding task-homogeneous mini-batches following Algorithm 2.

    Pass it as ``batch_sampler`` of a :class:`torch.utils.data.DataLoader`: it yields
    lists of dataset row indices, all of one task.

    With ``shuffle=True`` (training), one pass over the sampler (an epoch) is:

    1. every task's rows are reshuffled and its batch counter reset;
    2. ``n_iterations = max_t ceil(|D_t| / batch_size)`` iterations;
    3. at each iteration the order of the tasks is shuffled and one mini-batch of every
       task is yielded, so an epoch yields ``n_iterations * n_tasks`` batches;
    4. a task's mini-batches are consecutive slices of its current permutation; the
       last slice may be shorter than ``batch_size``; when a task reaches its end it is
       reshuffled and restarted (only tasks smaller than the largest ever do within an
       epoch).

    So the rows of the largest task(s) are each seen exactly once per epoch, and a
    smaller task's rows are all seen once before any is seen again.

    With ``shuffle=False`` (evaluation), tasks are visited in order, each task's rows in
    the given order, in consecutive batches: every row exactly once, no cycling.

    Parameters
    ----------
    task_indices : sequence of array-like of int
        ``task_indices[t]`` holds the dataset row indices of task ``t``. Empty tasks
        yield no batches and are not counted in ``n_tasks``.
    batch_size : int
        Rows per mini-batch.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
default=None
        Seed of the sampler's :class:`numpy.random.Generator`, created once: successive
        epochs differ, and the whole sequence of epochs is reproducible for an int seed.
        A ``Generator`` is used (and advanced) as is; a ``RandomState`` gives one seed.
    drop_last : bool, default=False
        Drop the short last slice of each pass through a task (the next batch of that
        task then comes from a fresh permutation), so that all batches are full. A task
        with fewer than ``batch_size`` rows is never dropped: it yields all its rows as
        one (short) batch. With ``drop_last=True``,
        ``n_iterations = max_t max(1, floor(|D_t| / batch_size))``.
    shuffle : bool, default=True
        Training order (Algorithm 2) or the deterministic evaluation order.
    min_batch_size : int, default=1
        A last slice shorter than this is merged into the slice before it (which then
        holds up to ``batch_size + min_batch_size - 1`` rows). Training uses 2: batch
        norm in training mode fails on a batch of one series ("Expected more than 1
        value per channel"), as with 41 series and ``batch_size=40``.

    Attributes
    ----------
    n_tasks : int
        Number of non-empty tasks.
    n_iterations : int
        Iterations per epoch (``shuffle=True``); each yields one batch per task.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.training import TaskBatchSampler
    >>> tasks = [np.arange(0, 5), np.arange(5, 7)]
    >>> sampler = TaskBatchSampler(tasks, batch_size=2, random_state=0)
    >>> len(sampler), sampler.n_iterations
    (6, 3)
    >>> batches = list(sampler)
    >>> all(set(b) <= set(range(5)) or set(b) <= {5, 6} for b in batches)
    True
    >>> list(TaskBatchSampler(tasks, batch_size=2, shuffle=False))
    [[0, 1], [2, 3], [4], [5, 6]]

    Use it with a data loader:

    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(torch.arange(7.0))
    >>> [len(b[0]) for b in DataLoader(ds, batch_sampler=sampler)][:2]
    [2, 2]
    """

    def __init__(self, task_indices, batch_size, random_state=None, drop_last=False,
                 shuffle=True, min_batch_size=1):
        super().__init__()
        for name, value in (("batch_size", batch_size), ("min_batch_size", min_batch_size)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (
                value < 1
            ):
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        self.min_batch_size = int(min_batch_size)
        if isinstance(task_indices, (str, bytes)) or not hasattr(task_indices, "__len__"):
            raise TypeError("task_indices must be a sequence of arrays of row indices.")
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)
        self.shuffle = bool(shuffle)
        self.random_state = random_state
        arrays = [_as_index_array(ix, t) for t, ix in enumerate(task_indices)]
        self.task_indices = arrays
        # positions (in task_indices) of the tasks that yield batches
        self._active = [t for t, a in enumerate(arrays) if a.size > 0]
        self.n_tasks = len(self._active)
        if isinstance(random_state, np.random.Generator):
            self._rng = random_state
        elif isinstance(random_state, np.random.RandomState):
            # sklearn-style RandomState: draw a seed from it once
            self._rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
        else:
            self._rng = np.random.default_rng(random_state)
        self.n_iterations = max(
            (self._batches_per_pass(arrays[t].size) for t in self._active), default=0
        )

    @classmethod
    def from_task_ids(cls, task_ids, batch_size, **kwargs):
        """Build the sampler from the task index of every dataset row.

        Parameters
        ----------
        task_ids : array-like of int of shape (n_rows,)
            Task index of each row; task ``t`` gets the rows where ``task_ids == t``,
            for ``t`` in ``0 .. max(task_ids)``.
        batch_size : int
            Rows per mini-batch.
        **kwargs
            Other arguments of :class:`TaskBatchSampler`.

        Returns
        -------
        TaskBatchSampler

        Examples
        --------
        >>> from sktsmtl.training import TaskBatchSampler
        >>> s = TaskBatchSampler.from_task_ids([0, 1, 0, 1, 1], 2, shuffle=False)
        >>> list(s)
        [[0, 2], [1, 3], [4]]
        """
        ids = np.asarray(task_ids)
        if ids.ndim != 1:
            raise ValueError(f"task_ids must be 1D, got shape {ids.shape}.")
        if ids.size and not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"task_ids must be integer task indices, got {ids.dtype}.")
        if ids.size and ids.min() < 0:
            raise ValueError("task_ids must be non-negative task indices.")
        n_tasks = int(ids.max()) + 1 if ids.size else 0
        return cls([np.flatnonzero(ids == t) for t in range(n_tasks)], batch_size, **kwargs)

    def _batches_per_pass(self, n):
        """Batches one full pass through a task of ``n`` rows yields."""
        if self.drop_last:
            return max(1, n // self.batch_size)
        full, rest = divmod(n, self.batch_size)
        if full and 0 < rest < self.min_batch_size:
            return full  # the short rest joins the last full batch
        return math.ceil(n / self.batch_size)

    def _slices(self, order):
        """Consecutive batches of ``order`` (a permutation or the given order), as views
        of it: an epoch over a million rows holds one index array, not a million
        Python ints (each batch becomes a list when it is yielded)."""
        n = order.size
        if self.drop_last and n >= self.batch_size:
            stop = (n // self.batch_size) * self.batch_size
        else:
            stop = n
        slices = [order[i:min(i + self.batch_size, stop)]
                  for i in range(0, stop, self.batch_size)]
        if len(slices) > 1 and len(slices[-1]) < self.min_batch_size:
            last = slices.pop()
            slices[-1] = np.concatenate([slices[-1], last])
        return slices

    def __iter__(self):
        if not self.shuffle:
            for t in self._active:
                for batch in self._slices(self.task_indices[t]):
                    yield batch.tolist()
            return
        rng = self._rng
        # line 7-8 of Algorithm 2: every task shuffled, counters reset, per epoch
        queues = {t: self._slices(rng.permutation(self.task_indices[t])) for t in self._active}
        cursor = {t: 0 for t in self._active}
        for _ in range(self.n_iterations):
            # line 10: shuffle the order of the tasks
            for pos in rng.permutation(self.n_tasks):
                t = self._active[pos]
                if cursor[t] == len(queues[t]):
                    # lines 13-15: end of the task reached; reshuffle and restart
                    queues[t] = self._slices(rng.permutation(self.task_indices[t]))
                    cursor[t] = 0
                batch = queues[t][cursor[t]]
                cursor[t] += 1
                yield batch.tolist()

    def __len__(self):
        if not self.shuffle:
            return sum(self._batches_per_pass(self.task_indices[t].size) for t in self._active)
        return self.n_iterations * self.n_tasks
