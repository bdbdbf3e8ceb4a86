"""The network the estimators train: a shared backbone followed by per-task heads."""

from torch import nn

from .heads import _task_index
from .task_norm import attach_task_statistics, task_statistics

__all__ = ["MultiTaskNetwork"]


class MultiTaskNetwork(nn.Module):
    """A shared backbone followed by per-task heads.

    Parameters
    ----------
    backbone : torch.nn.Module
        Maps ``(x, lengths=...)`` to ``(B, embedding_dim)``, e.g. :class:`ResNet1D` or
        :class:`ResNet2D`. ``lengths`` is passed only when given.
    head : MultiTaskHead
        Per-task output layers.
    task_norm_stats : bool, default=True
        Keep the backbone's batch-norm running statistics per task (learnable weights
        stay shared). Tasks of different scale otherwise share averaged statistics
        that fit none of them in evaluation mode; see :mod:`sktsmtl.nets.task_norm`.
        Ignored (False) with a single head.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import MultiTaskHead, MultiTaskNetwork, ResNet1D
    >>> backbone = ResNet1D(filters=(8, 8, 8))
    >>> net = MultiTaskNetwork(backbone, MultiTaskHead(backbone.embedding_dim, [2, 3]))
    >>> x = torch.randn(4, 1, 30)
    >>> net(x, 1).shape
    torch.Size([4, 3])
    >>> net.embed(x, task=1).shape
    torch.Size([4, 8])
    """

    def __init__(self, backbone, head, task_norm_stats=True):
        super().__init__()
        self.backbone = backbone
        self.head = head
        # one task has one set of statistics: nothing to keep apart
        self.task_norm_stats = bool(task_norm_stats) and len(head.task_indices) > 1
        if self.task_norm_stats:
            attach_task_statistics(backbone, max(head.task_indices) + 1)

    def embed(self, x, lengths=None, task=None):
        """Shared embedding of a batch.

        Parameters
        ----------
        x : Tensor
            Input accepted by the backbone.
        lengths : Tensor of shape (B,), optional
            True lengths of padded rows.
        task : int or integer Tensor, optional
            Task of the batch; selects the batch-norm running statistics when they are
            kept per task. Needed then, unless the network has a single task.

        Returns
        -------
        Tensor of shape (B, embedding_dim)
        """
        if not self.task_norm_stats:
            return self._backbone(x, lengths)
        if task is None:
            if len(self.head.task_indices) > 1:
                raise ValueError(
                    "embed needs the batch's task: this network keeps batch-norm "
                    "statistics per task (task_norm_stats=True)."
                )
            task = self.head.task_indices[0]
        with task_statistics(self.backbone, _task_index(task)):
            return self._backbone(x, lengths)

    def _backbone(self, x, lengths):
        if lengths is None:
            return self.backbone(x)
        return self.backbone(x, lengths=lengths)

    def forward(self, x, task, lengths=None, all_heads=False):
        """Logits of ``task`` for a task-homogeneous batch (or of every head).

        Parameters
        ----------
        x : Tensor
            Input accepted by the backbone.
        task : int or integer Tensor or None
            Task index of the batch (None: see :meth:`embed`).
        lengths : Tensor of shape (B,), optional
            True lengths of padded rows.
        all_heads : bool, default=False
            Return :meth:`forward_all` instead (so that a wrapper that calls
            ``forward``, such as ``DistributedDataParallel``, reaches every head).

        Returns
        -------
        Tensor of shape (B, n_classes of the task), or list of Tensor
        """
        if all_heads:
            return self.forward_all(x, lengths, task)
        return self.head(self.embed(x, lengths, task), task)

    def forward_all(self, x, lengths=None, task=None):
        """Logits of every task's head for one batch (for classifier-sharing losses).

        Parameters
        ----------
        x : Tensor
            Input accepted by the backbone.
        lengths : Tensor of shape (B,), optional
            True lengths of padded rows.
        task : int or integer Tensor, optional
            Task the batch belongs to (see :meth:`embed`).

        Returns
        -------
        list of Tensor

        Examples
        --------
        >>> import torch
        >>> from sktsmtl.nets import MultiTaskHead, MultiTaskNetwork, ResNet1D
        >>> net = MultiTaskNetwork(ResNet1D(filters=(4,)), MultiTaskHead(4, [2, 3]))
        >>> [o.shape[1] for o in net.forward_all(torch.randn(2, 1, 9), task=0)]
        [2, 3]
        """
        return self.head.forward_all(self.embed(x, lengths, task))
