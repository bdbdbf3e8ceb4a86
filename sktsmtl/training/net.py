"""``MultiTaskNet``: the skorch ``NeuralNet`` of multi-task training.

One core class, behaviour through skorch's hooks: ``get_iterator`` feeds task-homogeneous
mini-batches from :class:`TaskBatchSampler` (Algorithm 2 of Yeh et al. 2023) and
``infer`` routes each batch to its task's head. Losses, callbacks, optimizer and device
are the ordinary skorch constructor parameters, so later losses (the MTCS sharing loss)
override ``get_loss`` and nothing else.
"""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.utils.data import DataLoader

from .dataset import TaskDataset
from .distributed import (
    ShardedBatches,
    broadcast_module_buffers,
    check_same_data,
    data_parallel_group,
    wrap_data_parallel,
)
from .interrupts import interrupts_propagate, stopped_by_callback
from .memory import check_training_memory, inference_batch_size
from .precision import autocast, resolve_precision
from .sampler import TaskBatchSampler

__all__ = ["MultiTaskNet", "PrecisionNet", "TaskHeadsNet"]

# DataLoader arguments that the task-homogeneous batch sampler decides
_SAMPLER_ARGUMENTS = frozenset({"shuffle", "sampler", "batch_sampler", "drop_last"})


def _as_float32(out):
    if isinstance(out, torch.Tensor):
        return out.float() if out.is_floating_point() and out.dtype != torch.float32 else out
    if isinstance(out, (list, tuple)):
        return type(out)(_as_float32(o) for o in out)
    return out


class PrecisionNet(NeuralNet):
    """skorch ``NeuralNet`` whose forward passes may run in bfloat16 under autocast.

    The weights, the optimiser state and the loss stay float32: the module's outputs are
    cast back to float32 before the criterion (and before predictions leave the net).

    Parameters
    ----------
    module : torch.nn.Module
        As in skorch.
    precision : {"float32", "bfloat16", "auto"}, default="float32"
        See :func:`~sktsmtl.training.precision.resolve_precision`.
    *args, **kwargs
        Every other parameter of ``skorch.NeuralNet``.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.training import PrecisionNet
    >>> net = PrecisionNet(torch.nn.Linear(3, 2), criterion=torch.nn.MSELoss,
    ...                    precision="bfloat16", max_epochs=1, train_split=None,
    ...                    verbose=0)
    >>> X, y = torch.randn(8, 3), torch.randn(8, 2)
    >>> net.fit(X, y).predict(X).dtype
    dtype('float32')
    """

    #: Whether the net shards its training batches over the processes of a process
    #: group (:mod:`~sktsmtl.training.distributed`); other nets train whole on each.
    data_parallel = False

    def __init__(self, module, *args, precision="float32", **kwargs):
        self.precision = precision
        super().__init__(module, *args, **kwargs)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_parallel_module", None)  # lives only during a fit
        return state

    def _process_group(self):
        return data_parallel_group() if self.data_parallel else None

    def _training_module(self):
        """The module of a training forward pass: wrapped in DistributedDataParallel
        during a data-parallel fit (it averages the gradients), else the module."""
        parallel = vars(self).get("_parallel_module")
        if parallel is not None and self.module_.training and torch.is_grad_enabled():
            return parallel
        return self.module_

    def _data_summary(self, dataset):
        """What every process of a data-parallel fit must agree on about its data."""
        return len(dataset)

    def _global_loss(self, step):
        """In a data-parallel fit, the step's loss averaged over the processes (the
        loss of the global batch, which the history then records on every process)."""
        if vars(self).get("_parallel_module") is not None:
            loss = step["loss"].detach().clone()
            torch.distributed.all_reduce(loss)
            step = dict(step, loss=loss / torch.distributed.get_world_size())
        return step

    def train_step(self, batch, **fit_params):
        return self._global_loss(super().train_step(batch, **fit_params))

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        if training and vars(self).get("_parallel_module") is not None:
            # validation then reads the same batch-norm statistics on every process
            broadcast_module_buffers(self.module_)

    def initialize(self):
        self.autocast_dtype_ = resolve_precision(self.precision, self.device)
        return super().initialize()

    def _autocast(self):
        return autocast(self.device, getattr(self, "autocast_dtype_", None))

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """skorch's ``partial_fit``, with two differences.

        An interrupt (not an early stop) sets ``interrupted_`` and drops the unfinished
        epoch from the history; inside
        :func:`~sktsmtl.training.interrupts.propagate_interrupts` it is raised instead of
        ending the fit. And a net restored from a checkpoint (``resume_from_epoch_``
        set) continues its loop for the epochs it has left, without a second
        ``on_train_begin`` (which would reset its callbacks' records).
        """
        if not self.initialized_:
            self.initialize()
        routing_method = fit_params.pop("_routing_method", "partial_fit")
        resumed = vars(self).pop("resume_from_epoch_", None)
        epochs = None
        if resumed is None:
            self.notify("on_train_begin", X=X, y=y)
        else:
            epochs = max(0, self.max_epochs - resumed)
        self.interrupted_ = False
        group = self._process_group()
        try:
            if group is not None:
                check_same_data(self._data_summary(X), "training data")
                # (skorch lets only its initialize methods set torch modules)
                object.__setattr__(self, "_parallel_module",
                                   wrap_data_parallel(self.module_, self.device))
            if epochs != 0:
                self.fit_loop(X, y, epochs=epochs, _routing_method=routing_method,
                              **fit_params)
        except KeyboardInterrupt:
            if not stopped_by_callback(self):
                self.interrupted_ = True
                if len(self.history) and "dur" not in self.history[-1]:
                    del self.history[-1]  # the epoch the interrupt cut short
                if interrupts_propagate():
                    raise
        finally:
            vars(self).pop("_parallel_module", None)
        self.notify("on_train_end", X=X, y=y)
        return self

    def infer(self, x, **fit_params):
        with self._autocast():
            out = super().infer(x, **fit_params)
        return _as_float32(out)


class TaskHeadsNet(PrecisionNet):
    """What :class:`MultiTaskNet` and :class:`SharedInputNet` share: the per-task
    training parameters, the seeded batch order from :class:`TaskBatchSampler`, the
    classifier-sharing criterion and data-parallel batches.

    A subclass names the dataset it draws batches of (``dataset_class``; other datasets
    go through skorch's loader), its collate function and ``_batches``, which returns
    the DataLoader arguments and the sampler of one pass.

    Parameters
    ----------
    module : torch.nn.Module
        The multi-task network (instance or class, as in skorch).
    sampler_seed : int, default=None
        Seed of the training batch order (required for data-parallel training).
    task_names : list of str, default=None
        Display name of every task (head) index.
    task_weights : sequence of float, default=None
        Weight of every task's training loss; None weighs every task 1.
    class_weights : sequence of (sequence of float or None), default=None
        Per task, the weight of every class in its training cross-entropy, or None.
    gradient_surgery : {None, "pcgrad"}, default=None
        How the tasks' backbone gradients are combined (see the subclasses).
    sharing_criterion : torch.nn.Module class or instance, default=None
        Classifier-sharing term added to the training loss (the MTCS loss).
    *args, **kwargs
        Every other parameter of ``skorch.NeuralNet``.
    """

    data_parallel = True
    #: The dataset whose batches the net draws itself.
    dataset_class = None
    #: What decides the batches, for the message that refuses DataLoader arguments.
    batch_rule = "the batches come from TaskBatchSampler"

    def __init__(self, module, *args, sampler_seed=None, task_names=None,
                 task_weights=None, class_weights=None, gradient_surgery=None,
                 sharing_criterion=None, **kwargs):
        # set before NeuralNet.__init__: afterwards skorch refuses torch modules outside
        # the initialize methods (an instance is a valid value, as for ``criterion``)
        self.sampler_seed = sampler_seed
        self.task_names = task_names
        self.task_weights = task_weights
        self.class_weights = class_weights
        self.gradient_surgery = gradient_surgery
        self.sharing_criterion = sharing_criterion
        super().__init__(module, *args, **kwargs)

    def initialize(self):
        if self._process_group() is not None and self.sampler_seed is None:
            raise ValueError("data-parallel training needs an int sampler_seed: every "
                             "process must draw the same mini-batches.")
        # One generator per fit, advanced by every training epoch (and by partial_fit
        # calls), so epochs differ while the whole sequence follows sampler_seed.
        self.sampler_rng_ = np.random.default_rng(self.sampler_seed)
        if self.gradient_surgery not in (None, "pcgrad"):
            raise ValueError(
                f"gradient_surgery must be None or 'pcgrad', got {self.gradient_surgery!r}.")
        self.surgery_rng_ = torch.Generator().manual_seed(
            int(self.sampler_rng_.integers(2**31)) if self.sampler_seed is not None else 0)
        return super().initialize()

    def initialize_criterion(self):
        super().initialize_criterion()
        if self.sharing_criterion is None:
            self.sharing_criterion_ = None
        else:
            params = self.get_params_for("sharing_criterion")
            self.sharing_criterion_ = self.initialized_instance(self.sharing_criterion, params)
        return self

    # -- batches -----------------------------------------------------------------------
    def _loader_params(self, training):
        """The DataLoader arguments of a pass and its batch size."""
        prefix = "iterator_train" if training else "iterator_valid"
        loader_params = self.get_params_for(prefix)
        batch_size = loader_params.pop("batch_size", self.batch_size)
        taken = sorted(set(loader_params) & _SAMPLER_ARGUMENTS)
        if taken:
            raise ValueError(
                f"{', '.join(f'{prefix}__{k}' for k in taken)}: {self.batch_rule}; these "
                "DataLoader arguments cannot be set.")
        return loader_params, batch_size

    def _sampler(self, groups, batch_size, training):
        """:class:`TaskBatchSampler` over ``groups`` of rows: shuffled by the fit's
        generator in training, in order otherwise."""
        group = self._process_group() if training else None
        world = 1 if group is None else group[1]
        return TaskBatchSampler(
            groups, batch_size=batch_size,
            random_state=self.sampler_rng_ if training else None, shuffle=training,
            # batch norm in training mode needs two series per batch (per process)
            min_batch_size=2 * world if training else 1)

    def _batches(self, dataset, training, check_memory):
        """``(DataLoader arguments, sampler)`` of one pass over ``dataset``."""
        raise NotImplementedError

    def _training_sampler(self, sampler):
        """Hook: the sampler of a training pass, before it is sharded."""

    @staticmethod
    def collate(items):
        """The collate function of the net's batches."""
        raise NotImplementedError

    def n_batches(self, dataset, training):
        """Mini-batches of one pass over ``dataset`` (what a progress bar counts to;
        skorch's ``ProgressBar`` counts rows / batch size, which these passes are not).

        Parameters
        ----------
        dataset : the net's ``dataset_class`` or any dataset
        training : bool

        Returns
        -------
        int
        """
        if not isinstance(dataset, self.dataset_class):
            return len(super().get_iterator(dataset, training=training))
        return len(self._batches(dataset, training, check_memory=False)[1])

    def get_iterator(self, dataset, training=False):
        if not isinstance(dataset, self.dataset_class):
            return super().get_iterator(dataset, training=training)
        loader_params, sampler = self._batches(dataset, training, check_memory=True)
        if training:
            self._training_sampler(sampler)
            group = self._process_group()
            if group is not None:
                sampler = ShardedBatches(sampler, *group)
        loader_params.setdefault("collate_fn", self.collate)
        return DataLoader(dataset, batch_sampler=sampler, **loader_params)


class MultiTaskNet(TaskHeadsNet):
    """skorch ``NeuralNet`` over a :class:`TaskDataset` with one head per task.

    The module is called as ``module(x, task_index, lengths=lengths)`` and returns the
    logits of that task; it must also have ``embed(x, lengths=lengths)``.

    Parameters
    ----------
    module : torch.nn.Module
        The multi-task network (instance or class, as in skorch).
    sampler_seed : int, default=None
        Seed of the training batch sampler.
    task_names : list of str, default=None
        Display name of every task index, for error messages.
    task_weights : sequence of float, default=None
        Weight of every task index's training loss (its batches' cross-entropy is
        multiplied by it); None weighs every task 1. Validation losses are unweighted.
    class_weights : sequence of (sequence of float or None), default=None
        Per task index, the weight of every class in its batches' training
        cross-entropy (scikit-learn's ``class_weight``), or None for equal weights.
    gradient_surgery : {None, "pcgrad"}, default=None
        ``"pcgrad"``: the gradients of the shared backbone from the batches of one
        iteration of Algorithm 2 (one batch per task) are combined with
        :func:`~sktsmtl.training.gradient_surgery.pcgrad` and applied in one optimiser
        step; the heads get their own task's gradient. An epoch then takes one step
        per iteration instead of one per batch.
    recalibrate_norm : bool, default=False
        After every training epoch (before validation), recompute the batch-norm
        running statistics of every task with the epoch's final weights: one pass over
        the task's training rows in training mode, without gradients, dropout off, as a
        cumulative average. The running averages of training mix statistics of weights
        that kept moving (and, for a shared network, of batches of other tasks).
    sharing_criterion : torch.nn.Module class or instance, default=None
        Classifier-sharing term added to the training loss, called as
        ``sharing_criterion_(logits_per_head, weights_per_head)`` with the logits of
        every task's head on the batch and every head's weight matrix (the MTCS loss,
        :class:`sktsmtl.nets.ClassifierSharingLoss`); initialised like skorch's
        ``criterion``. None trains with the task's cross-entropy alone (hard parameter
        sharing).
    *args, **kwargs
        Every other parameter of ``skorch.NeuralNet`` (criterion, optimizer, lr,
        max_epochs, batch_size, train_split, callbacks, device, verbose, ...).
    """

    dataset_class = TaskDataset
    batch_rule = ("the batches of multi-task training come from TaskBatchSampler (one "
                  "task per batch, Algorithm 2)")
    collate = staticmethod(TaskDataset.collate)

    def __init__(self, module, *args, sampler_seed=None, sharing_criterion=None,
                 task_names=None, task_weights=None, gradient_surgery=None,
                 recalibrate_norm=False, class_weights=None, **kwargs):
        self.recalibrate_norm = recalibrate_norm
        super().__init__(module, *args, sampler_seed=sampler_seed, task_names=task_names,
                         task_weights=task_weights, class_weights=class_weights,
                         gradient_surgery=gradient_surgery,
                         sharing_criterion=sharing_criterion, **kwargs)

    def initialize(self):
        self._pending_grads = []
        self._group_size = 1
        return super().initialize()

    # -- task balancing ----------------------------------------------------------------
    def get_loss(self, y_pred, y_true, X=None, training=False):
        weights = (self.class_weights[int(X["task"][0])]
                   if training and self.class_weights is not None and X is not None
                   else None)
        if weights is None:
            loss = super().get_loss(y_pred, y_true, X=X, training=training)
        else:  # the batch's task weighs its classes (the validation loss stays plain)
            loss = torch.nn.functional.cross_entropy(
                y_pred, to_tensor(y_true, device=y_pred.device),
                weight=torch.as_tensor(weights, dtype=y_pred.dtype, device=y_pred.device))
        if training and self.task_weights is not None and X is not None:
            loss = loss * float(self.task_weights[int(X["task"][0])])
        return loss

    def _shared_parameters(self):
        return [p for p in self.module_.backbone.parameters() if p.requires_grad]

    def train_step(self, batch, **fit_params):
        if self.gradient_surgery is None:
            return super().train_step(batch, **fit_params)
        # PCGrad: keep this batch's backbone gradient aside; the heads' gradients
        # accumulate (each head belongs to one task); one step per group of batches
        shared = self._shared_parameters()
        if not self._pending_grads:
            self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        flat = [p.grad.reshape(-1) if p.grad is not None else torch.zeros_like(p).reshape(-1)
                for p in shared]
        self._pending_grads.append(torch.cat(flat).clone())
        for p in shared:
            p.grad = None
        self.notify("on_grad_computed", named_parameters=list(self.get_all_learnable_params()),
                    batch=batch)
        if len(self._pending_grads) >= self._group_size:
            self._surgery_step()
        return self._global_loss(step)

    def _surgery_step(self):
        from .gradient_surgery import pcgrad

        combined = pcgrad(self._pending_grads, generator=self.surgery_rng_)
        offset = 0
        for p in self._shared_parameters():
            n = p.numel()
            p.grad = combined[offset:offset + n].view_as(p).to(p.dtype)
            offset += n
        self._step_optimizer(None)
        self._pending_grads = []

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        if training and self.gradient_surgery is not None and self._pending_grads:
            self._surgery_step()  # the epoch's last, incomplete group
        if training and self.recalibrate_norm and iterator is not None:
            self.recalibrate_norm_statistics(iterator.dataset)

    def recalibrate_norm_statistics(self, dataset):
        """Recompute every task's batch-norm running statistics on ``dataset``.

        Parameters
        ----------
        dataset : TaskDataset
            Training rows; every task's statistics come from its own rows.

        Returns
        -------
        self
        """
        from torch.nn.modules.batchnorm import _BatchNorm
        from torch.nn.modules.dropout import _DropoutNd

        from ..nets import reset_task_statistics

        norms = [m for m in self.module_.modules()
                 if isinstance(m, _BatchNorm) and m.track_running_stats]
        if not norms or not isinstance(dataset, TaskDataset):
            return self
        dropouts = [m for m in self.module_.modules() if isinstance(m, _DropoutNd)]
        momenta = [m.momentum for m in norms]
        was_training = self.module_.training
        rows = dataset.task_rows()
        self.module_.train()
        for d in dropouts:
            d.eval()
        try:
            for m in norms:
                m.momentum = None  # cumulative average over the pass
                m.reset_running_stats()
            with torch.no_grad():
                for t in sorted(rows):
                    reset_task_statistics(self.module_, t)
                    for X, _ in self.get_iterator(dataset.subset(rows[t]), training=False):
                        x, task, lengths = self._batch_inputs(X)
                        with self._autocast():
                            self.module_(x, task, lengths=lengths)
        finally:
            for m, momentum in zip(norms, momenta):
                m.momentum = momentum
            self.module_.train(was_training)
        return self

    def _batches(self, dataset, training, check_memory):
        """The DataLoader arguments and the Algorithm 2 sampler of ``dataset``."""
        rows = dataset.task_rows()
        loader_params, batch_size = self._loader_params(training)
        if training:
            if check_memory:
                check_training_memory(self.module_, dataset.padded_lengths, batch_size,
                                      self.device, self.task_names,
                                      {t: len(r) for t, r in rows.items()})
        else:
            # prediction splits batches that would not fit (no backward pass to keep)
            batch_size = min(inference_batch_size(self.module_, length, batch_size,
                                                  self.device)
                             for length in dataset.padded_lengths.values())
        return loader_params, self._sampler([rows[t] for t in sorted(rows)], batch_size,
                                            training)

    def _data_summary(self, dataset):
        if not isinstance(dataset, TaskDataset):
            return len(dataset)
        return (sorted((t, len(r)) for t, r in dataset.task_rows().items()),
                int(dataset.y.sum()))

    def _training_sampler(self, sampler):
        # an iteration of Algorithm 2 yields one batch of every task: PCGrad's group
        self._group_size = sampler.n_tasks

    def train_step_single(self, batch, **fit_params):
        if self.sharing_criterion_ is None:
            return super().train_step_single(batch, **fit_params)
        # MTCS: every input of the batch goes through every task's head; the batch's own
        # head gives the cross-entropy, all heads together give the sharing term
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        x, task, lengths = self._batch_inputs(Xi)
        with self._autocast():
            logits = _as_float32(self._training_module()(x, task, lengths=lengths,
                                                         all_heads=True))
        position = self.module_.head.task_indices.index(task)
        y_pred = logits[position]
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        sharing = self.sharing_criterion_(logits, self.module_.head.weights())
        total = loss + sharing
        total.backward()
        self.history.record_batch("sharing_loss", sharing.item())
        return {"loss": total, "y_pred": y_pred}

    def _batch_inputs(self, X):
        """Series on the device, task index and lengths of a collated batch.

        Task and lengths are read on the host, before the batch moves: reading them
        back from a GPU would synchronise it at every batch. Lengths are dropped when no
        row is padded, so the networks take their unmasked fast path.
        """
        task = int(X["task"][0])
        lengths = X["lengths"]
        padded = X["x"].shape[-1]
        lengths = None if bool((lengths == padded).all()) else to_tensor(lengths, self.device)
        return to_tensor(X["x"], device=self.device), task, lengths

    def infer(self, x, **fit_params):
        x, task, lengths = self._batch_inputs(x)
        with self._autocast():
            out = self._training_module()(x, task, lengths=lengths, **fit_params)
        return _as_float32(out)

    def forward_task(self, dataset):
        """Logits of a one-task dataset, rows in dataset order.

        Parameters
        ----------
        dataset : TaskDataset
            Rows of one task.

        Returns
        -------
        torch.Tensor of shape (n, n_classes)
        """
        return self.forward(dataset, training=False, device="cpu")

    def forward_all_heads(self, dataset):
        """Logits of every task's head on a one-task dataset, rows in dataset order.

        Parameters
        ----------
        dataset : TaskDataset
            Rows of one task; the batch-norm statistics of that task are used.

        Returns
        -------
        list of ndarray
            ``(n, n_classes_h)`` per head, in head order.
        """
        self.check_is_fitted()
        self.module_.eval()
        chunks = []
        with torch.no_grad():
            for X, _ in self.get_iterator(dataset, training=False):
                x, task, lengths = self._batch_inputs(X)
                with self._autocast():
                    out = _as_float32(self.module_.forward_all(x, lengths=lengths, task=task))
                chunks.append([o.cpu().numpy() for o in out])
        return [np.concatenate(parts) for parts in zip(*chunks)]

    def embed(self, dataset):
        """Shared embeddings of every row, in dataset order.

        Parameters
        ----------
        dataset : TaskDataset

        Returns
        -------
        ndarray of shape (n, embedding_dim)
        """
        self.check_is_fitted()
        self.module_.eval()
        out = np.empty(len(dataset), dtype=object)
        rows = dataset.task_rows()
        with torch.no_grad():
            for t in sorted(rows):
                sub = dataset.subset(rows[t])
                chunks = []
                for X, _ in self.get_iterator(sub, training=False):
                    x, task, lengths = self._batch_inputs(X)
                    with self._autocast():
                        z = _as_float32(self.module_.embed(x, lengths=lengths, task=task))
                    chunks.append(z.cpu().numpy())
                z = np.concatenate(chunks)
                for i, r in enumerate(rows[t]):
                    out[r] = z[i]
        return np.stack(list(out))
