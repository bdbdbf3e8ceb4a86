"""Shared-input training: several label sets over one set of series, one backbone pass.

When every task labels the same series (category, region and channel of one merchant's
week; gender and subject of one recording), Algorithm 2's task-homogeneous batches run
the backbone once per task on every series. Here a mini-batch is a plain shuffled batch
of series with a label column per task: the backbone runs once, every head reads its
embedding, and the loss is the sum over tasks of each task's mean cross-entropy on the
rows that have its label (a missing label, coded -1, trains nothing).
"""

import numpy as np
import torch
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.utils.data import Dataset

from ..data.mapped import RESIDENT_FILE_BYTES, read_only_file_mapping, read_rows
from .distributed import data_checksum
from .net import TaskHeadsNet, _as_float32
from .memory import check_training_memory, inference_batch_size
from .sampler import index_dtype
from .split import split_per_task

__all__ = ["SharedInputDataset", "SharedInputNet", "SharedInputSplit"]


def _batch_as_is(batch):
    """``collate_fn`` of a dataset whose ``__getitems__`` returns a finished batch."""
    return batch


class SharedInputDataset(Dataset):
    """Series with one label column per task, read a mini-batch at a time.

    The series are one array (or ``numpy.memmap``) of shape ``(n, C, L)``; a batch is
    read with one fancy index (``__getitems__``), so a memory-mapped array is never
    read whole. A read-only ``numpy.memmap`` is read a few rows at a time, and the
    pages read are unmapped from the process after each (``madvise(MADV_DONTNEED)``;
    the file and the kernel's page cache keep them), so that at most
    ``max_resident_bytes`` of the file count in the process's resident memory however
    large it is.

    Parameters
    ----------
    x : ndarray of shape (n, C, L)
        Series without NaN, zero-padded at the end where ``lengths`` is shorter.
    lengths : ndarray of int of shape (n,), default=None
        True length of every row; None when no row is padded.
    y : ndarray of int64 of shape (n, n_tasks), default=None
        Class index per task, -1 for a missing label; None for prediction.
    rows : ndarray of int, default=None
        The rows of ``x`` this dataset holds (a view for splits); None for all.
    max_resident_bytes : int, default=RESIDENT_FILE_BYTES (64 MiB)
        The most of a read-only memory-mapped ``x`` that a read keeps mapped (at least
        one row is read at a time).

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.training import SharedInputDataset
    >>> ds = SharedInputDataset(np.zeros((4, 1, 8), np.float32),
    ...                         y=np.array([[0, 1], [1, -1], [0, 0], [1, 1]]))
    >>> X, y = ds.__getitems__([0, 3])
    >>> X["x"].shape, y.tolist()
    (torch.Size([2, 1, 8]), [[0, 1], [1, 1]])
    """

    def __init__(self, x, lengths=None, y=None, rows=None,
                 max_resident_bytes=RESIDENT_FILE_BYTES):
        self.x = x
        self.lengths = None if lengths is None else np.asarray(lengths, dtype=np.int64)
        self.y = y
        self.rows = None if rows is None else np.asarray(rows, dtype=index_dtype(len(x)))
        self.max_resident_bytes = max_resident_bytes
        self._mapping = read_only_file_mapping(x)

    def __getstate__(self):  # DataLoader workers (spawned) map the file themselves
        state = dict(vars(self))
        state["_mapping"] = None
        return state

    def __setstate__(self, state):
        vars(self).update(state)
        self._mapping = read_only_file_mapping(self.x)

    def __len__(self):
        return len(self.x) if self.rows is None else len(self.rows)

    @property
    def padded_length(self):
        """Length of every row of ``x`` (the series' longest, padding included)."""
        return int(self.x.shape[-1])

    def labels(self):
        """The label codes of the held rows, ``(n, n_tasks)``."""
        return self.y if self.rows is None else self.y[self.rows]

    def subset(self, rows):
        """The dataset of some of its rows (the series are not copied).

        Parameters
        ----------
        rows : array-like of int

        Returns
        -------
        SharedInputDataset
        """
        rows = np.asarray(rows, dtype=index_dtype(len(self.x)))
        return SharedInputDataset(self.x, self.lengths, self.y,
                                  rows if self.rows is None else self.rows[rows],
                                  self.max_resident_bytes)

    def __getitem__(self, i):
        return self.__getitems__([i])

    def __getitems__(self, indices):
        index = np.asarray(indices, dtype=np.int64)
        if self.rows is not None:
            index = self.rows[index]
        # sorted reads are sequential on a memory-mapped file; the order is put back
        order = np.argsort(index, kind="stable")
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
        x = read_rows(self.x, index[order], np.float32, self.max_resident_bytes,
                      self._mapping)[back]
        if self.lengths is None:
            lengths = np.full(len(index), x.shape[-1], dtype=np.int64)
        else:
            lengths = self.lengths[index]
        y = (np.zeros((len(index), 0), dtype=np.int64) if self.y is None
             else np.asarray(self.y[index], dtype=np.int64))
        X = {"x": torch.from_numpy(np.ascontiguousarray(x)),
             "lengths": torch.from_numpy(lengths)}
        return X, torch.from_numpy(y)


class SharedInputSplit:
    """skorch ``train_split`` of a :class:`SharedInputDataset`: one held-out share of
    the series, stratified by the labels of the task with the most classes (a missing
    label counts as a class of its own).

    Parameters
    ----------
    fraction : float
        Share of the series held out.
    random_state : int or None
        Seed.
    """

    def __init__(self, fraction, random_state=None):
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, **fit_params):
        codes = dataset.labels()
        finest = int(np.argmax(codes.max(axis=0)))
        train, valid = split_per_task(np.zeros(len(dataset), dtype=np.int8),
                                      codes[:, finest], self.fraction, self.random_state,
                                      ["the series"])
        if len(valid) == 0:
            return dataset.subset(train), None
        return dataset.subset(train), dataset.subset(valid)


class SharedInputNet(TaskHeadsNet):
    """skorch ``NeuralNet`` of shared-input training: every head on every batch.

    The module is a :class:`~sktsmtl.nets.MultiTaskNetwork` (one set of batch-norm
    statistics: the tasks share their input); ``infer`` returns the tuple of every
    head's logits. Batches are plain shuffled batches of series
    (:class:`TaskBatchSampler` over one group of rows, so a last batch of one series
    joins the one before it: batch norm needs two).

    Parameters
    ----------
    module : torch.nn.Module
        The multi-task network (instance or class, as in skorch).
    sampler_seed : int, default=None
        Seed of the training batch order.
    task_names : list of str, default=None
        Display name of every task (head) index.
    task_weights : sequence of float, default=None
        Weight of every task's training loss; None weighs every task 1.
    class_weights : sequence of (sequence of float or None), default=None
        Per task, the weight of every class in its training cross-entropy, or None.
    gradient_surgery : {None, "pcgrad"}, default=None
        ``"pcgrad"``: the backbone gradients of the tasks' losses on a batch are
        combined with :func:`~sktsmtl.training.gradient_surgery.pcgrad`; each head gets
        its own task's gradient.
    sharing_criterion : torch.nn.Module class or instance, default=None
        Classifier-sharing term added to the training loss, called as
        ``sharing_criterion_(logits_per_head, weights_per_head)`` (the MTCS loss).
    *args, **kwargs
        Every other parameter of ``skorch.NeuralNet``.
    """

    dataset_class = SharedInputDataset
    batch_rule = "the batches of shared-input training come from TaskBatchSampler"
    collate = staticmethod(_batch_as_is)

    # -- batches -----------------------------------------------------------------------
    def _batches(self, dataset, training, check_memory):
        loader_params, batch_size = self._loader_params(training)
        if training:
            if check_memory:
                check_training_memory(self.module_, {0: dataset.padded_length}, batch_size,
                                      self.device, ["the series"], {0: len(dataset)})
        else:
            batch_size = inference_batch_size(self.module_, dataset.padded_length,
                                              batch_size, self.device)
        rows = np.arange(len(dataset), dtype=index_dtype(len(dataset)))
        return loader_params, self._sampler([rows], batch_size, training)

    def _data_summary(self, dataset):
        if not isinstance(dataset, SharedInputDataset):
            return len(dataset)
        return (len(dataset), data_checksum(dataset.x), int(dataset.labels().sum()))

    # -- forward and loss --------------------------------------------------------------
    def _batch_inputs(self, X):
        lengths = X["lengths"]
        padded = X["x"].shape[-1]
        lengths = None if bool((lengths == padded).all()) else to_tensor(lengths, self.device)
        return to_tensor(X["x"], device=self.device), lengths

    def infer(self, x, **fit_params):
        x, lengths = self._batch_inputs(x)
        with self._autocast():
            out = self._training_module()(x, None, lengths=lengths, all_heads=True,
                                          **fit_params)
        return tuple(_as_float32(list(out)))

    def task_losses(self, y_pred, y_true, training=False):
        """Each task's mean cross-entropy on the batch rows that have its label.

        Parameters
        ----------
        y_pred : tuple of Tensor
            Every head's logits.
        y_true : Tensor of shape (B, n_tasks)
            Class codes, -1 where missing.
        training : bool
            Whether the training weights (task and class weights) apply.

        Returns
        -------
        dict
            ``{task index: loss}`` of the tasks with a label in the batch.
        """
        y_true = to_tensor(y_true, device=y_pred[0].device)
        losses = {}
        for t, logits in enumerate(y_pred):
            target = y_true[:, t]
            if not bool((target >= 0).any()):
                continue
            weight = None
            if training and self.class_weights is not None and \
                    self.class_weights[t] is not None:
                weight = torch.as_tensor(self.class_weights[t], dtype=logits.dtype,
                                         device=logits.device)
            loss = torch.nn.functional.cross_entropy(logits, target, weight=weight,
                                                     ignore_index=-1)
            if training and self.task_weights is not None:
                loss = loss * float(self.task_weights[t])
            losses[t] = loss
        return losses

    def get_loss(self, y_pred, y_true, X=None, training=False):
        losses = self.task_losses(y_pred, y_true, training=training)
        if not losses:  # no label in the batch: a zero that keeps the graph
            return sum(p.sum() for p in y_pred) * 0.0
        return sum(losses.values())

    def train_step_single(self, batch, **fit_params):
        if self.gradient_surgery is None and self.sharing_criterion_ is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        losses = self.task_losses(y_pred, yi, training=True)
        sharing = None
        if self.sharing_criterion_ is not None:
            sharing = self.sharing_criterion_(list(y_pred), self.module_.head.weights())
            self.history.record_batch("sharing_loss", sharing.item())
        if self.gradient_surgery is None or len(losses) < 2:
            total = sum(losses.values()) if losses else sum(p.sum() for p in y_pred) * 0.0
            if sharing is not None:
                total = total + sharing
            total.backward()
            return {"loss": total, "y_pred": y_pred}
        from .gradient_surgery import pcgrad

        # PCGrad: one backbone gradient per task, combined; the heads keep their own
        shared = [p for p in self.module_.backbone.parameters() if p.requires_grad]
        grads = []
        for loss in losses.values():
            g = torch.autograd.grad(loss, shared, retain_graph=True, allow_unused=True)
            grads.append(torch.cat([(gi if gi is not None else torch.zeros_like(p))
                                    .reshape(-1) for gi, p in zip(g, shared)]))
        if vars(self).get("_parallel_module") is not None:
            # (autograd.grad bypasses DistributedDataParallel: average them here)
            world = torch.distributed.get_world_size()
            for g in grads:
                torch.distributed.all_reduce(g)
                g /= world
        total = sum(losses.values())
        if sharing is not None:
            total = total + sharing
        total.backward()  # the heads' gradients (and the sharing term's)
        combined = pcgrad(grads, generator=self.surgery_rng_)
        offset = 0
        for p in shared:
            n = p.numel()
            extra = 0.0 if sharing is None or p.grad is None else p.grad - \
                sum(gr[offset:offset + n] for gr in grads).view_as(p)
            p.grad = combined[offset:offset + n].view_as(p).to(p.dtype) + extra
            offset += n
        return {"loss": total, "y_pred": y_pred}

    # -- prediction --------------------------------------------------------------------
    def head_logits(self, dataset):
        """Every head's logits on every row, in dataset order.

        Parameters
        ----------
        dataset : SharedInputDataset

        Returns
        -------
        list of ndarray
            ``(n, n_classes_t)`` per task.
        """
        return [o.numpy() for o in self.forward(dataset, training=False, device="cpu")]

    def embed(self, dataset):
        """Shared embeddings of every row, in dataset order.

        Parameters
        ----------
        dataset : SharedInputDataset

        Returns
        -------
        ndarray of shape (n, embedding_dim)
        """
        self.check_is_fitted()
        self.module_.eval()
        chunks = []
        with torch.no_grad():
            for X, _ in self.get_iterator(dataset, training=False):
                x, lengths = self._batch_inputs(X)
                with self._autocast():
                    z = _as_float32(self.module_.embed(x, lengths=lengths))
                chunks.append(z.cpu().numpy())
        return np.concatenate(chunks)
