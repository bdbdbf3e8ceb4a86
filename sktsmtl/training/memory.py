"""Activation memory of a batch, checked before it is allocated.

ResNet2D's activations grow with ``n_templates * length * template_length`` per series:
40 series of length 20,000 ask for tens of GB in one tensor, and the allocation then
fails deep inside torch (or the machine swaps). A backbone that can estimate its
activation memory has ``activation_bytes(length, batch_size)``; the training layer
compares it with the memory free on the device before training (a clear error naming
the task, the estimate and what to change) and, for prediction, splits batches so that
each fits.
"""

from .._memory import available_memory, limiting_memory

__all__ = ["available_memory", "check_training_memory", "inference_batch_size"]

# Share of the free memory one batch may take: the rest is for the weights, the
# optimizer state and everything else the process holds.
_BUDGET_SHARE = 0.8


def _estimate(module, length, batch_size):
    backbone = getattr(module, "backbone", module)
    estimate = getattr(backbone, "activation_bytes", None)
    return None if estimate is None else int(estimate(length, batch_size))


def _gb(n_bytes):
    return f"{n_bytes / 1e9:.1f} GB"


def check_training_memory(module, padded_lengths, batch_size, device, task_names=None,
                          task_sizes=None):
    """Raise a clear error when a training batch of some task would not fit in memory.

    Parameters
    ----------
    module : torch.nn.Module
        The network (a :class:`~sktsmtl.nets.MultiTaskNetwork` or a backbone); a
        backbone without ``activation_bytes`` is not checked.
    padded_lengths : dict
        ``{task_index: padded length}`` of the training data.
    batch_size : int
    device : str
    task_names : list of str, default=None
        Display names of the task indices.
    task_sizes : dict, default=None
        ``{task_index: rows}``; a task with fewer rows than ``batch_size`` is checked at
        its size.

    Raises
    ------
    MemoryError
        Naming the task, the estimate, the memory free and the parameters to change.
    """
    free = available_memory(device)
    if free is None:
        return
    _, limit = limiting_memory(device)
    budget = _BUDGET_SHARE * free
    for task, length in sorted(padded_lengths.items()):
        rows = batch_size if task_sizes is None else min(batch_size, task_sizes[task])
        need = _estimate(module, length, rows)
        if need is None or need <= budget:
            continue
        per_series = _estimate(module, length, 1)
        fits = int(budget // per_series) if per_series else 0
        name = task_names[task] if task_names is not None else task
        hint = (f"batch_size={fits} would fit" if fits >= 2 else
                "even a batch of two series does not fit")
        raise MemoryError(
            f"task {name!r}: a training batch of {rows} series of length {length} "
            f"needs about {_gb(need)} of activations on {device}, more than the "
            f"{_gb(budget)} that can be used there ({_gb(free)} free under the {limit}). "
            f"Lower batch_size "
            f"({hint}), lower the backbone's size (ResNet2D: template_length, "
            "n_templates, or stem_stride > 1 to shrink the maps), or shorten the series "
            "(sktsmtl.preprocessing.Resampler)."
        )


def inference_batch_size(module, length, batch_size, device):
    """The largest batch of at most ``batch_size`` series of ``length`` that fits.

    Prediction needs no backward pass, so the training estimate is an upper bound.

    Parameters
    ----------
    module : torch.nn.Module
    length : int
    batch_size : int
    device : str

    Returns
    -------
    int
        At least 1.
    """
    per_series = _estimate(module, length, 1)
    if not per_series:
        return batch_size
    free = available_memory(device)
    if free is None:
        return batch_size
    return max(1, min(batch_size, int(_BUDGET_SHARE * free // per_series)))
