"""TS2Vec's self-supervised training on the package's skorch stack: crops, the batches of
an epoch, the contrastive net and the averaged weights.

:class:`ContrastiveNet` is a :class:`~sktsmtl.training.PrecisionNet` whose training step
computes TS2Vec's hierarchical contrastive loss (its criterion) on two overlapping crops
of every series of a task-homogeneous mini-batch; :class:`AveragedWeights` is TS2Vec's
weight averaging as a skorch callback. The estimator builds both through
:meth:`~sktsmtl.training.NetworkEstimator._make_net`, so the optimiser, callbacks,
progress, precision, device and checkpoints are those of every network estimator.
"""

import math

import numpy as np
import torch
from skorch.callbacks import Callback
from torch.optim.swa_utils import AveragedModel
from torch.utils.data import Dataset

from ..training import PrecisionNet

__all__ = ["TaskSeries", "ContrastiveDataset", "ContrastiveNet", "AveragedWeights",
           "default_n_iters", "epoch_steps", "epochs_for", "overlapping_crops"]


class TaskSeries:
    """One task's series as a zero-padded float32 array with their lengths.

    Parameters
    ----------
    task : hashable
    series : list of ndarray of shape (C, L_i)
        Without NaN (missing values already filled) and without padding.
    dtype : numpy dtype, default=np.float32
    """

    def __init__(self, task, series, dtype=np.float32):
        self.task = task
        self.lengths = np.array([s.shape[1] for s in series], dtype=np.int64)
        n_channels = series[0].shape[0]
        self.values = np.zeros((len(series), n_channels, int(self.lengths.max())),
                               dtype=dtype)
        for i, s in enumerate(series):
            self.values[i, :, : s.shape[1]] = s

    def __len__(self):
        return len(self.lengths)

    @property
    def size(self):
        """Number of values (series x channels x longest length), TS2Vec's data size."""
        return int(self.values.size)


def default_n_iters(size):
    """TS2Vec's training length: 200 optimiser steps up to 100,000 values, else 600."""
    return 200 if size <= 100_000 else 600


def overlapping_crops(lengths, min_crop, rng, layout="shared"):
    """Draw two overlapping crops per series (TS2Vec's contextual consistency views).

    Both layouts draw one overlap length ``c`` for the batch, uniformly in
    ``[min_crop, m]`` with ``m = min(lengths)``; view 1 ends with the overlap and view 2
    starts with it.

    ``"shared"`` (TS2Vec's code): one layout for the batch, drawn inside ``[0, m)``: an
    overlap start ``b0`` in ``[0, m - c]``, a first-view start ``a0`` in ``[0, b0]`` and
    a second-view end ``e0`` in ``[b0 + c, m]``; then the whole layout is shifted per
    series of length ``L`` by an offset drawn in ``[-a0, L - e0]``. Every row's views
    then have the same widths and hold the overlap at the same place.

    ``"per_series"``: per series of length ``L``, an overlap start ``b`` in
    ``[0, L - c]``, then ``a`` in ``[0, b]`` and ``e`` in ``[b + c, L]``; the views' widths
    differ between rows.

    Parameters
    ----------
    lengths : ndarray of int of shape (B,)
    min_crop : int
        Shortest overlap, at most ``min(lengths)``.
    rng : numpy.random.Generator
    layout : {"shared", "per_series"}, default="shared"

    Returns
    -------
    c : int
        Overlap length.
    starts1, ends1, starts2, ends2 : ndarray of shape (B,)
        View bounds: view 1 is ``[starts1, ends1)`` and ends with the overlap, view 2 is
        ``[starts2, ends2)`` and starts with it (``ends1 - c == starts2``).

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.representation._contrastive import overlapping_crops
    >>> c, a, e1, b, e2 = overlapping_crops(np.array([10, 12]), 2, np.random.default_rng(0))
    >>> bool(np.all(e1 - b == c) and np.all(a <= b) and np.all(e2 >= b + c))
    True
    >>> len(set(e1 - a)), len(set(e2 - b))  # shared: the same widths in every row
    (1, 1)
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    shortest = int(lengths.min())
    c = int(rng.integers(min_crop, shortest + 1))
    if layout == "shared":
        b0 = int(rng.integers(0, shortest - c + 1))
        a0 = int(rng.integers(0, b0 + 1))
        e0 = int(rng.integers(b0 + c, shortest + 1))
        offset = rng.integers(-a0, lengths - e0 + 1)
        return c, offset + a0, offset + b0 + c, offset + b0, offset + e0
    if layout != "per_series":
        raise ValueError(f"layout must be 'shared' or 'per_series', got {layout!r}.")
    b = rng.integers(0, lengths - c + 1)
    a = rng.integers(0, b + 1)
    e = rng.integers(b + c, lengths + 1)
    return c, a, b + c, b, e


def _gather_windows(values, lengths, starts, ends):
    """Rows cut to ``[start, end)``, zero-padded to the longest cut, and their lengths."""
    widths = ends - starts
    out = np.zeros((len(starts), values.shape[1], int(widths.max())), dtype=np.float32)
    for i, (s, w) in enumerate(zip(starts, widths)):
        out[i, :, :w] = values[i, :, s:s + w]
    return out, widths


def _epoch_batches(datasets, batch_size, rng):
    """Task-homogeneous batches of one epoch, in shuffled order.

    Each task is shuffled and cut into batches of ``min(batch_size, n_task)`` series;
    an incomplete last batch is dropped (TS2Vec's ``drop_last``), and the batches of
    all tasks are shuffled together (MTCS: a mini-batch of one dataset per iteration).
    """
    batches = []
    for k, data in enumerate(datasets):
        size = min(batch_size, len(data))
        order = rng.permutation(len(data))
        for start in range(0, len(data) - size + 1, size):
            batches.append((k, order[start:start + size]))
    return [batches[i] for i in rng.permutation(len(batches))]


def epoch_steps(datasets, batch_size):
    """Optimiser steps of one epoch: every task's full batches (TS2Vec's ``drop_last``)."""
    return sum(len(d) // min(batch_size, len(d)) for d in datasets)


class ContrastiveDataset(Dataset):
    """The series of the tasks one encoder is trained on, one :class:`TaskSeries` each.

    Parameters
    ----------
    tasks : list of TaskSeries
    """

    def __init__(self, tasks):
        self.tasks = list(tasks)

    def __len__(self):
        return sum(len(t) for t in self.tasks)

    def __getitem__(self, i):
        raise TypeError("a ContrastiveDataset is read by ContrastiveNet's batches "
                        "(task, rows), not row by row.")

    @property
    def size(self):
        """Number of values of all its series, TS2Vec's data size."""
        return sum(t.size for t in self.tasks)


class _EpochBatches:
    """The batches of every epoch of a :class:`ContrastiveNet` (drawn when iterated)."""

    def __init__(self, net, dataset):
        self.net, self.dataset = net, dataset

    def _remaining(self, n):
        limit = self.net.step_limit
        return n if limit is None else max(0, min(n, limit - self.net.steps_done_))

    def __len__(self):
        return self._remaining(epoch_steps(self.dataset.tasks, self.net.batch_size))

    def __iter__(self):
        batches = _epoch_batches(self.dataset.tasks, self.net.batch_size, self.net.rng_)
        for k, rows in batches[:self._remaining(len(batches))]:
            X = {"task": torch.full((len(rows),), k, dtype=torch.long),
                 "rows": torch.from_numpy(np.asarray(rows, dtype=np.int64))}
            yield X, torch.zeros(len(rows))


class ContrastiveNet(PrecisionNet):
    """skorch net of TS2Vec's self-supervised training (no targets, no validation).

    Every training step takes a task-homogeneous mini-batch of series, cuts two
    overlapping crops of every series (:func:`overlapping_crops`), encodes both views
    with the module's per-step representations and minimises the criterion (the
    :class:`~sktsmtl.nets.HierarchicalContrastiveLoss`) on their overlap.

    Parameters
    ----------
    module : TS2VecEncoder
        As in skorch.
    step_limit : int, default=None
        Stop after this many optimiser steps (TS2Vec counts its training in steps),
        inside an epoch if need be; None trains ``max_epochs`` whole epochs.
    random_state : int or numpy Generator, default=None
        Draws the batches, the crops and the training windows.
    max_train_length : int, default=None
        Longer series are cut, at every step, to a random window of this length.
    crop_layout : {"shared", "per_series"}, default="shared"
        See :func:`overlapping_crops`.
    *args, **kwargs
        Every other parameter of :class:`~sktsmtl.training.PrecisionNet`.
    """

    def __init__(self, module, *args, step_limit=None, random_state=None,
                 max_train_length=None, crop_layout="shared", **kwargs):
        self.step_limit = step_limit
        self.random_state = random_state
        self.max_train_length = max_train_length
        self.crop_layout = crop_layout
        super().__init__(module, *args, **kwargs)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_data", None)  # the training series live only during a fit
        return state

    def initialize(self):
        rng = self.random_state
        self.rng_ = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.steps_done_ = 0
        return super().initialize()

    def get_iterator(self, dataset, training=False):
        if not isinstance(dataset, ContrastiveDataset):
            return super().get_iterator(dataset, training=training)
        # (skorch lets only its initialize methods set some attributes)
        object.__setattr__(self, "_data", dataset)
        return _EpochBatches(self, dataset)

    def n_batches(self, dataset, training):
        """Mini-batches of one epoch (what a progress bar counts to)."""
        return len(_EpochBatches(self, dataset))

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        X, _ = batch
        data = self._data.tasks[int(X["task"][0])]
        loss = self._contrastive_loss(data, X["rows"].numpy())
        if loss.requires_grad:  # not when no term applies (one series, weight 1)
            loss.backward()
        self.steps_done_ += 1
        return {"loss": loss, "y_pred": None}

    def _contrastive_loss(self, data, rows):
        rng = self.rng_
        values, lengths = data.values[rows], data.lengths[rows]
        if self.max_train_length is not None:
            # a random window of at most max_train_length steps per series
            limit = np.minimum(lengths, self.max_train_length)
            offsets = rng.integers(0, lengths - limit + 1)
            values, lengths = _gather_windows(values, lengths, offsets, offsets + limit)
        min_crop = 2 ** (self.criterion_.temporal_unit + 1)
        c, a, e1, b, e2 = overlapping_crops(lengths, min_crop, rng, self.crop_layout)
        v1, l1 = _gather_windows(values, lengths, a, e1)
        v2, l2 = _gather_windows(values, lengths, b, e2)
        z = []
        for v, lv, offset in ((v1, l1, b - a), (v2, l2, np.zeros_like(b))):
            x = torch.from_numpy(v).to(self.device)
            lv_t = None if np.all(lv == v.shape[-1]) else torch.from_numpy(lv).to(self.device)
            with self._autocast():
                h = self.module_.timestep_representations(x, lv_t)  # (B, D, L_view)
            h = h.float()  # the loss in float32 whatever the precision of the passes
            index = torch.from_numpy(offset[:, None] + np.arange(c)[None, :]).to(self.device)
            index = index.unsqueeze(1).expand(-1, h.shape[1], -1)
            z.append(torch.gather(h, 2, index).transpose(1, 2))  # (B, c, D)
        return self.criterion_(z[0], z[1])


class AveragedWeights(Callback):
    """TS2Vec's weight averaging: the mean of the weights after every optimiser step
    (the initial ones not included), in ``net.averaged_`` (a
    :class:`torch.optim.swa_utils.AveragedModel`)."""

    def on_train_begin(self, net, **kwargs):
        if getattr(net, "averaged_", None) is None:
            object.__setattr__(net, "averaged_", AveragedModel(net.module_))

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            net.averaged_.update_parameters(net.module_)


def epochs_for(steps, datasets, batch_size):
    """Epochs that ``steps`` optimiser steps take (the last one possibly cut short)."""
    return max(1, math.ceil(steps / max(1, epoch_steps(datasets, batch_size))))
