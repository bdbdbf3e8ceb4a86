"""Multi-task output layers (hard parameter sharing): one linear classifier per task.

One linear classifier per task on top of a shared embedding (Yeh et al. 2023, Fig. 2d
and 3d). Tasks are addressed by integer index ``0 .. n_tasks - 1``; mapping task ids
(any hashable) to indices is the job of the training layer.
"""

import numbers

import torch
from torch import nn

__all__ = ["MultiTaskHead"]


def _task_index(task):
    """One integer task index from an int, a 0-d tensor, or a batch of equal indices."""
    if isinstance(task, numbers.Integral):
        return int(task)
    if isinstance(task, torch.Tensor) or hasattr(task, "__array__") or isinstance(
        task, (list, tuple)
    ):
        t = torch.as_tensor(task)
        if t.numel() == 0:
            raise ValueError("empty task index.")
        if t.dtype.is_floating_point or t.dtype == torch.bool:
            raise TypeError(f"task indices must be integers, got dtype {t.dtype}.")
        t = t.reshape(-1)
        first = int(t[0])
        if t.numel() > 1 and not bool((t == first).all()):
            raise ValueError(
                "a batch must hold rows of one task only (Algorithm 2); got task indices "
                f"{sorted(set(t.tolist()))}."
            )
        return first
    raise TypeError(f"task index must be an int or an integer tensor, got {type(task).__name__}.")


class MultiTaskHead(nn.Module):
    """One linear classifier per task on a shared embedding.

    Parameters
    ----------
    embedding_dim : int
        Size of the shared embedding.
    n_classes_per_task : list of int or dict of {int: int}
        Number of classes of each task: a list indexed by task index, or a dict from task
        index to class count.

    Attributes
    ----------
    heads : torch.nn.ModuleDict
        ``Linear(embedding_dim, n_classes)`` per task, keyed by ``str(task_index)``.
    task_indices : list of int
        Sorted task indices.
    n_classes_per_task : dict of {int: int}

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import MultiTaskHead
    >>> head = MultiTaskHead(16, [2, 5])
    >>> z = torch.randn(3, 16)
    >>> head(z, 1).shape
    torch.Size([3, 5])
    >>> [logits.shape[1] for logits in head.forward_all(z)]
    [2, 5]
    """

    def __init__(self, embedding_dim, n_classes_per_task):
        super().__init__()
        if isinstance(n_classes_per_task, dict):
            counts = {int(k): int(v) for k, v in n_classes_per_task.items()}
        else:
            counts = {i: int(v) for i, v in enumerate(n_classes_per_task)}
        if not counts:
            raise ValueError("n_classes_per_task is empty: at least one task is needed.")
        bad = {k: v for k, v in counts.items() if v < 1 or k < 0}
        if bad:
            raise ValueError(
                f"task indices must be >= 0 and class counts >= 1; got {bad}."
            )
        self.embedding_dim = int(embedding_dim)
        self.n_classes_per_task = dict(sorted(counts.items()))
        self.task_indices = list(self.n_classes_per_task)
        self.heads = nn.ModuleDict(
            {str(t): nn.Linear(self.embedding_dim, n) for t, n in self.n_classes_per_task.items()}
        )

    def forward(self, z, task):
        """Logits of one task.

        Parameters
        ----------
        z : Tensor of shape (B, embedding_dim)
            Embeddings.
        task : int or integer Tensor
            Task index; a tensor of per-row indices is accepted when all are equal.

        Returns
        -------
        Tensor of shape (B, n_classes of the task)
        """
        t = _task_index(task)
        key = str(t)
        if key not in self.heads:
            raise ValueError(f"no head for task index {t}; known: {self.task_indices}.")
        return self.heads[key](z)

    def forward_all(self, z):
        """Logits of every head, in order of ``task_indices``.

        Parameters
        ----------
        z : Tensor of shape (B, embedding_dim)

        Returns
        -------
        list of Tensor
            ``(B, n_classes_t)`` per task.

        Examples
        --------
        >>> import torch
        >>> from sktsmtl.nets import MultiTaskHead
        >>> len(MultiTaskHead(4, {0: 3, 1: 2, 2: 2}).forward_all(torch.randn(1, 4)))
        3
        """
        return [self.heads[str(t)](z) for t in self.task_indices]

    def weights(self):
        """Weight matrix of every head, in order of ``task_indices``.

        Returns
        -------
        list of Tensor
            ``(n_classes_t, embedding_dim)`` per task (the parameters themselves, so
            losses on them reach the heads).
        """
        return [self.heads[str(t)].weight for t in self.task_indices]
