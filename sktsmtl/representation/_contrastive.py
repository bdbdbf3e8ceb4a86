"""The self-supervised training loop of TS2Vec: crops, batches, AdamW and weight averaging.

Plain torch (no skorch): the objective has no targets and no validation split, and its
training length is counted in optimiser steps, as in TS2Vec.
"""

import copy

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel

from ..nets import TS2VecEncoder, hierarchical_contrastive_loss
from ..training import autocast, resolve_precision

__all__ = ["TaskSeries", "default_n_iters", "overlapping_crops", "train_ts2vec"]


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


def _step_loss(encoder, data, rows, params, rng, device):
    values, lengths = data.values[rows], data.lengths[rows]
    if params["max_train_length"] is not None:
        # a random window of at most max_train_length steps per series
        limit = np.minimum(lengths, params["max_train_length"])
        offsets = rng.integers(0, lengths - limit + 1)
        values, lengths = _gather_windows(values, lengths, offsets, offsets + limit)
    c, a, e1, b, e2 = overlapping_crops(lengths, params["min_crop"], rng,
                                        params["crop_layout"])
    v1, l1 = _gather_windows(values, lengths, a, e1)
    v2, l2 = _gather_windows(values, lengths, b, e2)
    z = []
    for v, lv, offset in ((v1, l1, b - a), (v2, l2, np.zeros_like(b))):
        x = torch.from_numpy(v).to(device)
        lv_t = None if np.all(lv == v.shape[-1]) else torch.from_numpy(lv).to(device)
        with autocast(device, params.get("autocast_dtype")):
            h = encoder.timestep_representations(x, lv_t)  # (B, D, L_view)
        h = h.float()  # the loss in float32 whatever the precision of the passes
        index = torch.from_numpy(offset[:, None] + np.arange(c)[None, :]).to(device)
        index = index.unsqueeze(1).expand(-1, h.shape[1], -1)
        z.append(torch.gather(h, 2, index).transpose(1, 2))  # (B, c, D)
    return hierarchical_contrastive_loss(z[0], z[1], params["alpha"], params["temporal_unit"])


def train_ts2vec(datasets, encoder_params, n_iters, batch_size, lr, weight_decay, alpha,
                 temporal_unit, max_train_length, swa, device, seed, verbose=0, name="",
                 precision="float32", crop_layout="shared"):
    """Train one TS2Vec encoder on the series of one or several tasks.

    Parameters
    ----------
    datasets : list of TaskSeries
        One per task; batches are task-homogeneous.
    encoder_params : dict
        Keyword arguments of :class:`~sktsmtl.nets.TS2VecEncoder`.
    n_iters : int
        Optimiser steps.
    batch_size, lr, weight_decay, alpha, temporal_unit, max_train_length, swa, device
        See :class:`~sktsmtl.representation.TS2VecTransformer`.
    seed : int
        Seeds the weights, timestamp masks, dropout, crops and batch order.
    verbose : int, default=0
        Print the mean loss of every epoch when > 0.
    name : str, default=""
        Shown in the progress lines.
    precision : {"float32", "bfloat16", "auto"}, default="float32"
        Arithmetic of the training passes (see
        :func:`~sktsmtl.training.precision.resolve_precision`); inference is float64.
    crop_layout : {"shared", "per_series"}, default="shared"
        See :func:`overlapping_crops`.

    Returns
    -------
    encoder : TS2VecEncoder
        On the CPU, in float64, in evaluation mode (the averaged weights when ``swa``).
    losses : list of float
        Mean loss of every (possibly partial, for the last) epoch.
    """
    rng = np.random.default_rng(seed)
    params = dict(alpha=alpha, temporal_unit=temporal_unit,
                  min_crop=2 ** (temporal_unit + 1), max_train_length=max_train_length,
                  autocast_dtype=resolve_precision(precision, device),
                  crop_layout=crop_layout)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(2**31 - 1)))
        encoder = TS2VecEncoder(**encoder_params).to(device)
        averaged = AveragedModel(encoder) if swa else None
        optimizer = torch.optim.AdamW(encoder.parameters(), lr=lr, weight_decay=weight_decay)
        losses, step = [], 0
        encoder.train()
        while step < n_iters:
            epoch = []
            for k, rows in _epoch_batches(datasets, batch_size, rng):
                if step >= n_iters:
                    break
                optimizer.zero_grad()
                loss = _step_loss(encoder, datasets[k], rows, params, rng, device)
                if loss.requires_grad:  # not when no term applies (one series, alpha=1)
                    loss.backward()
                    optimizer.step()
                if averaged is not None:
                    averaged.update_parameters(encoder)
                epoch.append(float(loss.detach()))
                step += 1
            losses.append(float(np.mean(epoch)))
            if verbose > 0:
                print(f"[TS2Vec{' ' + name if name else ''}] epoch {len(losses)} "
                      f"step {step}/{n_iters} loss {losses[-1]:.4f}")
    final = averaged.module if averaged is not None else encoder
    # float64 for inference: a row's representation then does not depend, to float32
    # rounding, on the other rows of its batch
    final = copy.deepcopy(final).to("cpu").double().eval()
    return final, losses
