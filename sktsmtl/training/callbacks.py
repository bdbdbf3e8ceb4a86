"""skorch callbacks of the multi-task training loop."""

import copy
import sys

import numpy as np
import torch
from skorch.callbacks import Callback, ProgressBar

__all__ = ["TaskAccuracy", "BestEpochRestorer", "TaskBestStates", "EpochProgress",
           "TaskProgressBar", "epoch_rank"]


class TaskAccuracy(Callback):
    """Record validation accuracy per task and its mean over tasks.

    skorch's ``EpochScoring`` concatenates predictions of all batches, which fails when
    tasks have different class counts; this callback scores each task-homogeneous batch
    as it passes (with shared input, every head on the rows that have its label).
    History keys: ``valid_acc`` (mean over tasks, the papers' unit),
    ``valid_acc_<task>`` and ``valid_loss_<task>`` (mean cross-entropy) for every task.

    Parameters
    ----------
    task_names : list of str
        Display name of every task index.
    """

    def __init__(self, task_names):
        self.task_names = task_names

    def on_epoch_begin(self, net, **kwargs):
        self._correct = {}
        self._count = {}
        self._loss = {}

    def on_batch_end(self, net, batch, training, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        X, y = batch
        if isinstance(y_pred, tuple):  # shared input: every head, a label column each
            for task, logits in enumerate(y_pred):
                target = y[:, task].to(logits.device)
                labelled = target >= 0
                if bool(labelled.any()):
                    self._add(task, logits[labelled], target[labelled])
            return
        self._add(int(X["task"][0]), y_pred, y.to(y_pred.device))

    def _add(self, task, logits, y):
        hits = (logits.argmax(dim=1) == y).sum().item()
        loss = torch.nn.functional.cross_entropy(logits.float(), y, reduction="sum").item()
        self._correct[task] = self._correct.get(task, 0) + hits
        self._count[task] = self._count.get(task, 0) + len(y)
        self._loss[task] = self._loss.get(task, 0.0) + loss

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if dataset_valid is None or not self._count:
            return
        accs = []
        for task in sorted(self._count):
            acc = self._correct[task] / self._count[task]
            net.history.record(f"valid_acc_{self.task_names[task]}", acc)
            net.history.record(f"valid_loss_{self.task_names[task]}",
                               self._loss[task] / self._count[task])
            accs.append(acc)
        net.history.record("valid_acc", float(np.mean(accs)))


def epoch_rank(row, monitor, lower_is_better=False, loss="valid_loss"):
    """The rank of an epoch's history row by ``monitor``: the one best-epoch rule.

    A higher rank is a better epoch: a better ``monitor``, then (for an accuracy) a
    lower ``loss``; an equal rank keeps the earlier epoch (callers replace the best
    only on a strictly higher rank).

    Parameters
    ----------
    row : dict
        One epoch of a skorch history.
    monitor : str
        The history key the epochs are chosen by.
    lower_is_better : bool, default=False
    loss : str, default="valid_loss"
        The loss that breaks ties of an accuracy.

    Returns
    -------
    tuple

    Examples
    --------
    >>> from sktsmtl.training.callbacks import epoch_rank
    >>> a = {"valid_acc": 0.9, "valid_loss": 0.3}
    >>> b = {"valid_acc": 0.9, "valid_loss": 0.2}
    >>> epoch_rank(b, "valid_acc") > epoch_rank(a, "valid_acc")
    True
    """
    score = -row[monitor] if lower_is_better else row[monitor]
    if monitor == loss:
        return (score,)
    return (score, -row.get(loss, 0.0))


class BestEpochRestorer(Callback):
    """Keep the weights of the best validation epoch in memory; restore them at the end.

    The papers' protocol: a checkpoint per epoch, the one with the best validation
    score kept. When the monitored score is not the validation loss, ties go to the
    epoch with the lower validation loss, then to the earlier one. Without a validation
    split the last epoch's weights stay. The epoch kept is recorded as
    ``net.best_epoch_`` (1-based); a new best epoch records ``<monitor>_best`` in the
    history (skorch records ``valid_loss_best`` itself).

    Parameters
    ----------
    monitor : str, default="valid_acc"
        History key of the score.
    lower_is_better : bool, default=False
        Minimise the score (a loss) instead of maximising it (an accuracy).

    Examples
    --------
    >>> from sktsmtl.training import BestEpochRestorer
    >>> BestEpochRestorer("valid_loss", lower_is_better=True).lower_is_better
    True
    """

    def __init__(self, monitor="valid_acc", lower_is_better=False):
        self.monitor = monitor
        self.lower_is_better = lower_is_better

    def on_train_begin(self, net, **kwargs):
        self._best = None
        self._state = None
        net.best_epoch_ = None

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if self.monitor not in row:
            return
        key = epoch_rank(row, self.monitor, self.lower_is_better)
        if self._best is None or key > self._best:
            self._best = key
            self._state = copy.deepcopy(net.module_.state_dict())
            net.best_epoch_ = row["epoch"]
            if self.monitor != "valid_loss":
                net.history.record(f"{self.monitor}_best", True)

    def on_train_end(self, net, **kwargs):
        if self._state is not None:
            net.module_.load_state_dict(self._state)
        self._state = None


class TaskBestStates(Callback):
    """Keep, for every task, the weights of that task's own best validation epoch.

    Per-task model selection: task ``t``'s state is the one of the epoch with its best
    ``valid_acc_<t>`` (ties: lower ``valid_loss_<t>``, then the earlier epoch), kept in
    memory as ``net.task_states_[t]`` with the epoch in ``net.task_best_epochs_[t]``.
    Tasks that improve in the same epoch share one copy, so memory holds at most one
    state per task. Needs :class:`TaskAccuracy` before it in the callbacks.

    Parameters
    ----------
    task_names : list of str
        Display name of every task index.

    Examples
    --------
    >>> from sktsmtl.training import TaskBestStates
    >>> TaskBestStates(["a", "b"]).task_names
    ['a', 'b']
    """

    def __init__(self, task_names):
        self.task_names = task_names

    def on_train_begin(self, net, **kwargs):
        self._best = {}
        net.task_states_ = {}
        net.task_best_epochs_ = {}

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        state = None
        for task, name in enumerate(self.task_names):
            if f"valid_acc_{name}" not in row:
                continue
            key = epoch_rank(row, f"valid_acc_{name}", loss=f"valid_loss_{name}")
            if task not in self._best or key > self._best[task]:
                if state is None:
                    state = copy.deepcopy(net.module_.state_dict())
                self._best[task] = key
                net.task_states_[task] = state
                net.task_best_epochs_[task] = row["epoch"]


#: Most tasks whose validation accuracies an epoch line lists one by one; with more, the
#: line gives their mean only, so that it stays under 100 characters.
MAX_TASKS_PER_LINE = 6


class EpochProgress(Callback):
    """Print one compact line per epoch: loss, validation accuracy, best mark, duration.

    The line of ``verbose=1`` and of ``sktsmtl benchmark``::

        epoch  3/20  loss 0.512  valid 0.910 (0.94 1.00 0.88 0.92 0.81 0.90)  best  2.9 s

    ``valid`` is the mean validation accuracy over tasks (the papers' unit, the one the
    best epoch is chosen by), followed, for up to six tasks, by every task's in the
    order of a legend line written before the first epoch; ``best`` marks a new best
    epoch. Plain text without colour codes (skorch's table, ``verbose=2``, has them on
    a terminal), written with :func:`tqdm.tqdm.write` so that a progress bar of the same
    process is redrawn below the lines. A training stage other than the main one (a
    task's network, a fine-tuning) is named at the start of its lines. Six tasks fit
    in 100 characters with the prefix that ``sktsmtl benchmark`` writes (for example
    ``resnet1d-mtl s0:``).

    Parameters
    ----------
    prefix : str, default=""
        Start of every line, for example the method and seed, so that fits running in
        parallel processes can share a terminal.
    file : file-like, default=None
        Where to write; None is standard output.

    Examples
    --------
    >>> from sktsmtl.training import EpochProgress
    >>> EpochProgress("resnet1d-mtl s0").prefix
    'resnet1d-mtl s0'
    """

    def __init__(self, prefix="", file=None):
        self.prefix = prefix
        self.file = file

    def _write(self, net, text):
        from tqdm.auto import tqdm

        start = [p for p in (self.prefix, getattr(net, "stage_label_", "")) if p]
        line = ": ".join(start + [text])
        tqdm.write(line, file=self.file if self.file is not None else sys.stdout)

    def on_train_begin(self, net, **kwargs):
        self._legend_written = False

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        per_task = [(k[len("valid_acc_"):], v) for k, v in row.items()
                    if k.startswith("valid_acc_") and k != "valid_acc_best"]
        listed = 1 < len(per_task) <= MAX_TASKS_PER_LINE
        if listed and not getattr(self, "_legend_written", False):
            self._write(net, "valid = mean (" + " ".join(t for t, _ in per_task) + ")")
        self._legend_written = True
        width = len(str(net.max_epochs))
        parts = [f"epoch {row['epoch']:>{width}}/{net.max_epochs}"]
        if "train_loss" in row:
            parts.append(f"loss {row['train_loss']:.3f}")
        if "valid_acc" in row:
            valid = f"valid {row['valid_acc']:.3f}"
            if listed:
                valid += " (" + " ".join(f"{v:.2f}" for _, v in per_task) + ")"
            parts.append(valid)
        elif "valid_loss" in row:
            parts.append(f"valid loss {row['valid_loss']:.3f}")
        if row.get("valid_acc_best") or (
                "valid_acc" not in row and row.get("valid_loss_best")):
            parts.append("best")
        parts.append(f"{row.get('dur', 0.0):.1f} s")
        self._write(net, "  ".join(parts))


class TaskProgressBar(ProgressBar):
    """skorch's ``ProgressBar`` counting the batches of Algorithm 2's epoch.

    skorch's bar expects ``ceil(rows / batch_size)`` batches; an epoch of task-homogeneous
    batches has ``max_t ceil(|D_t| / batch_size)`` iterations of one batch per task, plus
    the validation batches of every task, so skorch's bar ends short or overflows. This
    bar asks the net (:meth:`~sktsmtl.training.MultiTaskNet.n_batches`). The estimators
    put it in place of a plain ``ProgressBar`` given in ``callbacks``, with the same
    arguments.

    Parameters
    ----------
    **kwargs
        The arguments of :class:`skorch.callbacks.ProgressBar`.

    Examples
    --------
    >>> from sktsmtl.training import TaskProgressBar
    >>> TaskProgressBar(postfix_keys=["train_loss"]).batches_per_epoch
    'auto'
    """

    def _get_batches_per_epoch_phase(self, net, dataset, training):
        if dataset is None or not hasattr(net, "n_batches"):
            return super()._get_batches_per_epoch_phase(net, dataset, training)
        return net.n_batches(dataset, training)
