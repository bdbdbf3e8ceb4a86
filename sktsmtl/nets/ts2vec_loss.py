"""The hierarchical contrastive loss of TS2Vec (Yue et al. 2022, section 3.3).

Two views of the same series segments are encoded into per-time-step representations
``z1``, ``z2`` of shape ``(B, T, D)``, aligned step by step (the overlap of two random
crops). At every level of a max-pooling hierarchy along time, two InfoNCE terms are
added:

* the *instance-wise* term: at every time step, the positive of ``z1[i, t]`` is
  ``z2[i, t]`` and the negatives are the other series' representations at that step
  (in both views);
* the *temporal* term: for every series, the positive of ``z1[i, t]`` is ``z2[i, t]``
  and the negatives are that series' representations at the other steps (in both
  views).

Similarities are plain dot products (no normalisation, no temperature). After each
level the representations are max-pooled along time with kernel 2 and stride 2 (an
odd last step is dropped), until one step is left, where only the instance-wise term
applies. The loss is the mean over levels.
"""

import numbers

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "instance_contrastive_loss",
    "temporal_contrastive_loss",
    "hierarchical_contrastive_loss",
    "HierarchicalContrastiveLoss",
]


def _check_pair(z1, z2):
    if not (torch.is_tensor(z1) and torch.is_tensor(z2)):
        raise TypeError("z1 and z2 must be tensors of shape (B, T, D).")
    if z1.dim() != 3 or z1.shape != z2.shape:
        raise ValueError(
            "z1 and z2 must be tensors of the same shape (B, T, D); got "
            f"{tuple(z1.shape)} and {tuple(z2.shape)}."
        )
    if z1.shape[0] == 0 or z1.shape[1] == 0:
        raise ValueError(f"z1 and z2 need at least one series and one step; got {tuple(z1.shape)}.")


def _info_nce(z, n):
    """Mean InfoNCE over groups: ``z`` is ``(G, 2n, D)``; row ``i`` and ``i +/- n`` pair.

    Within each group the logits of a row are its dot products with the group's other
    ``2n - 1`` rows (itself excluded); the positive is its counterpart in the other view.
    """
    sim = torch.matmul(z, z.transpose(1, 2))  # (G, 2n, 2n)
    eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    log_p = F.log_softmax(sim.masked_fill(eye, float("-inf")), dim=-1)
    rows = torch.arange(2 * n, device=z.device)
    positives = (rows + n) % (2 * n)
    return -log_p[:, rows, positives].mean()


def instance_contrastive_loss(z1, z2):
    """Instance-wise contrastive term of TS2Vec.

    Parameters
    ----------
    z1, z2 : Tensor of shape (B, T, D)
        Two aligned views' per-step representations.

    Returns
    -------
    Tensor
        Scalar; 0 when ``B == 1`` (a series has no negative then).

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import instance_contrastive_loss
    >>> z = torch.tensor([[[1.0]], [[0.0]]])  # B=2, T=1, D=1
    >>> round(float(instance_contrastive_loss(z, z)), 4)
    0.825
    """
    _check_pair(z1, z2)
    b = z1.shape[0]
    if b == 1:
        return z1.new_zeros(())
    z = torch.cat([z1, z2], dim=0).transpose(0, 1)  # (T, 2B, D)
    return _info_nce(z, b)


def temporal_contrastive_loss(z1, z2):
    """Temporal contrastive term of TS2Vec.

    Parameters
    ----------
    z1, z2 : Tensor of shape (B, T, D)
        Two aligned views' per-step representations.

    Returns
    -------
    Tensor
        Scalar; 0 when ``T == 1``.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import temporal_contrastive_loss
    >>> z = torch.tensor([[[1.0], [0.0]]])  # B=1, T=2, D=1
    >>> round(float(temporal_contrastive_loss(z, z)), 4)
    0.825
    """
    _check_pair(z1, z2)
    t = z1.shape[1]
    if t == 1:
        return z1.new_zeros(())
    z = torch.cat([z1, z2], dim=1)  # (B, 2T, D)
    return _info_nce(z, t)


def _check_params(alpha, temporal_unit):
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}.")
    if (isinstance(temporal_unit, bool) or not isinstance(temporal_unit, numbers.Integral)
            or temporal_unit < 0):
        raise ValueError(f"temporal_unit must be an integer >= 0, got {temporal_unit!r}.")


def hierarchical_contrastive_loss(z1, z2, alpha=0.5, temporal_unit=0):
    """Hierarchical contrastive loss of TS2Vec.

    At level ``d = 0, 1, ...`` (the representations max-pooled ``d`` times along time,
    kernel 2, stride 2) the loss adds ``alpha`` times the instance-wise term and, from
    level ``temporal_unit`` on, ``1 - alpha`` times the temporal term; pooling stops
    when one step is left, where the instance-wise term is added once more unless the
    input had one step to begin with (then that is level 0). The sum is divided by the
    number of levels.

    Parameters
    ----------
    z1, z2 : Tensor of shape (B, T, D)
        Per-step representations of the two views, aligned step by step.
    alpha : float, default=0.5
        Weight of the instance-wise terms; ``1 - alpha`` weighs the temporal terms.
    temporal_unit : int, default=0
        Lowest level (pooling depth) at which the temporal term is used.

    Returns
    -------
    Tensor
        Scalar loss.

    Examples
    --------
    Two series of one step and one dimension: a single level with the instance-wise
    term, ``alpha * (2 * (log(2 + e) - 1) + 2 * log(3)) / 4``.

    >>> import math, torch
    >>> from sktsmtl.nets import hierarchical_contrastive_loss
    >>> z = torch.tensor([[[1.0]], [[0.0]]])
    >>> loss = hierarchical_contrastive_loss(z, z)
    >>> expected = 0.5 * (2 * (math.log(2 + math.e) - 1) + 2 * math.log(3)) / 4
    >>> abs(float(loss) - expected) < 1e-6
    True
    """
    _check_pair(z1, z2)
    _check_params(alpha, temporal_unit)
    loss = z1.new_zeros(())
    levels = 0
    while z1.shape[1] > 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2)
        if levels >= temporal_unit and alpha != 1:
            loss = loss + (1 - alpha) * temporal_contrastive_loss(z1, z2)
        levels += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.shape[1] == 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2)
        levels += 1
    return loss / levels


class HierarchicalContrastiveLoss(nn.Module):
    """:func:`hierarchical_contrastive_loss` as a module.

    Parameters
    ----------
    alpha : float, default=0.5
        Weight of the instance-wise terms (``1 - alpha``: temporal terms).
    temporal_unit : int, default=0
        Lowest pooling level at which the temporal term is used.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import HierarchicalContrastiveLoss
    >>> z1, z2 = torch.randn(4, 16, 8), torch.randn(4, 16, 8)
    >>> HierarchicalContrastiveLoss()(z1, z2).shape
    torch.Size([])
    """

    def __init__(self, alpha=0.5, temporal_unit=0):
        super().__init__()
        _check_params(alpha, temporal_unit)
        self.alpha = float(alpha)
        self.temporal_unit = int(temporal_unit)

    def forward(self, z1, z2):
        return hierarchical_contrastive_loss(z1, z2, self.alpha, self.temporal_unit)
