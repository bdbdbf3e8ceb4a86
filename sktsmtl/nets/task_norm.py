"""Per-task batch-norm running statistics for a shared backbone.

Hard parameter sharing shares every learnable weight across tasks, batch-norm scale and
shift included. The running mean and variance are not learned, though: they estimate
the distribution of the activations, and tasks of different scale and length give very
different ones. Algorithm 2 interleaves task-homogeneous batches, so a single set of
running statistics ends up an average that fits no task; in evaluation mode a task whose
activations sit far from that average is classified at chance although its training
loss is zero (measured: ECGFiveDays beside ECG200 and TwoLeadECG). Keeping one set of
running statistics per task, selected by the batch's task, removes the mismatch and
leaves training itself unchanged: batch statistics are used in training mode either way.
"""

import contextlib

import torch
from torch.nn.modules.batchnorm import _NormBase

__all__ = ["attach_task_statistics", "task_statistics", "has_task_statistics",
           "reset_task_statistics"]

_MEAN, _VAR, _COUNT = "task_running_mean", "task_running_var", "task_num_batches_tracked"


def _tracked_norms(module):
    return [m for m in module.modules()
            if isinstance(m, _NormBase) and m.track_running_stats and m.running_mean is not None]


def attach_task_statistics(module, n_tasks):
    """Give every batch-norm layer of ``module`` one set of running statistics per task.

    The per-task statistics are buffers of the normalisation layers themselves
    (``task_running_mean`` and ``task_running_var`` of shape ``(n_tasks, C)``), so they
    travel with ``state_dict``, checkpoints and pickles. Each task starts from the
    layer's current statistics.

    Parameters
    ----------
    module : torch.nn.Module
        Network whose batch-norm layers (any subclass of torch's ``_NormBase`` that
        tracks running statistics) get per-task statistics.
    n_tasks : int
        Number of tasks.

    Returns
    -------
    int
        Number of layers equipped.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets.task_norm import attach_task_statistics, task_statistics
    >>> net = nn.Sequential(nn.Conv1d(1, 2, 3), nn.BatchNorm1d(2))
    >>> attach_task_statistics(net, 2)
    1
    >>> with task_statistics(net, 1):
    ...     _ = net(torch.randn(4, 1, 10) + 5.0)
    >>> net[1].task_running_mean.shape
    torch.Size([2, 2])
    """
    n_tasks = int(n_tasks)
    if n_tasks < 1:
        raise ValueError(f"n_tasks must be >= 1, got {n_tasks}.")
    norms = _tracked_norms(module)
    for m in norms:
        m.register_buffer(_MEAN, m.running_mean.detach().clone().unsqueeze(0).repeat(n_tasks, 1))
        m.register_buffer(_VAR, m.running_var.detach().clone().unsqueeze(0).repeat(n_tasks, 1))
        m.register_buffer(_COUNT, m.num_batches_tracked.detach().clone().repeat(n_tasks))
    return len(norms)


def has_task_statistics(module):
    """Whether :func:`attach_task_statistics` equipped ``module``'s batch-norm layers."""
    return any(hasattr(m, _MEAN) for m in _tracked_norms(module))


@contextlib.contextmanager
def task_statistics(module, task):
    """Run ``module`` with task ``task``'s running statistics.

    On entry the task's statistics are copied into every layer's ``running_mean`` and
    ``running_var``; on exit, in training mode, the updated statistics are copied back
    to the task's row. Layers without per-task statistics are left alone.

    Parameters
    ----------
    module : torch.nn.Module
    task : int
        Task index.
    """
    norms = [m for m in _tracked_norms(module) if hasattr(m, _MEAN)]
    task = int(task)
    if norms and not 0 <= task < getattr(norms[0], _MEAN).shape[0]:
        raise ValueError(
            f"task index {task} has no normalisation statistics; "
            f"the network holds {getattr(norms[0], _MEAN).shape[0]} task(s)."
        )
    with torch.no_grad():
        for m in norms:
            m.running_mean.copy_(getattr(m, _MEAN)[task])
            m.running_var.copy_(getattr(m, _VAR)[task])
            m.num_batches_tracked.copy_(getattr(m, _COUNT)[task])
    try:
        yield
    finally:
        with torch.no_grad():
            for m in norms:
                if m.training:
                    getattr(m, _MEAN)[task].copy_(m.running_mean)
                    getattr(m, _VAR)[task].copy_(m.running_var)
                    getattr(m, _COUNT)[task].copy_(m.num_batches_tracked)


def reset_task_statistics(module, task):
    """Reset task ``task``'s running statistics (mean 0, variance 1, no batch seen).

    Parameters
    ----------
    module : torch.nn.Module
    task : int
        Task index; layers without per-task statistics are left alone.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets.task_norm import attach_task_statistics, reset_task_statistics
    >>> net = nn.Sequential(nn.Conv1d(1, 2, 3), nn.BatchNorm1d(2))
    >>> _ = attach_task_statistics(net, 2)
    >>> net[1].task_running_var[1] += 3.0
    >>> reset_task_statistics(net, 1)
    >>> net[1].task_running_var[1].tolist()
    [1.0, 1.0]
    """
    with torch.no_grad():
        for m in _tracked_norms(module):
            if hasattr(m, _MEAN):
                getattr(m, _MEAN)[int(task)].zero_()
                getattr(m, _VAR)[int(task)].fill_(1.0)
                getattr(m, _COUNT)[int(task)].zero_()
