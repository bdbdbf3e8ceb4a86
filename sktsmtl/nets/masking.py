"""Padding masks: series padded at their tail, and batch norm that ignores the padding.

A batch may hold series of different lengths padded (with anything) at the end of the
time axis. The networks of :mod:`sktsmtl.nets` take the true ``lengths`` of the rows and

1. zero every padded position before each convolution, so that a padded series sees the
   same zeros that 'same' padding gives the unpadded series at its end;
2. compute batch-norm statistics over valid positions only (:class:`MaskedBatchNorm1d`,
   :class:`MaskedBatchNorm2d`);
3. average over valid positions only in the global average pooling.

With these three rules the embedding of a row does not depend on the values in its padded
tail, and in evaluation mode it equals the embedding of the unpadded series.
"""

import torch
from torch import nn

__all__ = [
    "can_fold",
    "fold_conv_norm",
    "folded_conv_norm",
    "length_mask",
    "conv_output_lengths",
    "masked_mean",
    "MaskedBatchNorm1d",
    "MaskedBatchNorm2d",
]


def length_mask(lengths, size):
    """Boolean mask of the valid (unpadded) positions of each row.

    Parameters
    ----------
    lengths : Tensor of shape (B,) or None
        Valid length of each row, ``1 <= lengths[i] <= size``.
    size : int
        Padded length of the axis.

    Returns
    -------
    Tensor of shape (B, size), dtype bool, or None
        ``mask[i, j]`` is True where ``j < lengths[i]``, on the device of ``lengths``.
        None when ``lengths`` is None or, for CPU lengths, every row is full length (no
        masking needed: the fast path).

    Raises
    ------
    ValueError
        If a length is outside ``[1, size]`` or ``lengths`` is not 1D (CPU lengths).

    Notes
    -----
    Lengths on an accelerator are neither range-checked nor tested for the fast path:
    both would read the values back to the host, and one such synchronisation per layer
    and batch stalls a GPU's queue. The training layer's lengths come from the data
    layer, which has already validated them.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.masking import length_mask
    >>> length_mask(torch.tensor([2, 3]), 3)
    tensor([[ True,  True, False],
            [ True,  True,  True]])
    >>> length_mask(torch.tensor([3, 3]), 3) is None
    True
    """
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1:
        raise ValueError(f"lengths must be 1D (one per row), got shape {tuple(lengths.shape)}.")
    if lengths.device.type != "cpu":
        return torch.arange(size, device=lengths.device)[None, :] < lengths[:, None]
    if lengths.numel() and (int(lengths.min()) < 1 or int(lengths.max()) > size):
        raise ValueError(
            f"lengths must lie in [1, {size}] (the padded length); got "
            f"[{int(lengths.min())}, {int(lengths.max())}]."
        )
    if bool((lengths == size).all()):
        return None
    positions = torch.arange(size, device=lengths.device)
    return positions[None, :] < lengths[:, None]


def conv_output_lengths(lengths, kernel_size, stride, padding):
    """Valid lengths after a convolution applied to zero-masked padded rows.

    Parameters
    ----------
    lengths : Tensor of shape (B,) or None
        Valid lengths before the convolution.
    kernel_size, stride, padding : int
        The convolution's geometry along the axis (symmetric padding).

    Returns
    -------
    Tensor of shape (B,) or None
        ``floor((L + 2 * padding - kernel_size) / stride) + 1``, the length the unpadded
        series would have after the same convolution. None when ``lengths`` is None.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.masking import conv_output_lengths
    >>> conv_output_lengths(torch.tensor([1, 2, 5]), 3, 2, 1)
    tensor([1, 1, 3])
    """
    if lengths is None:
        return None
    return torch.div(lengths + 2 * padding - kernel_size, stride, rounding_mode="floor") + 1


def masked_mean(x, mask):
    """Global average pooling over all axes after the channel axis, ignoring padding.

    Parameters
    ----------
    x : Tensor of shape (B, C, *spatial)
        Feature maps.
    mask : Tensor of shape (B, 1, *spatial) or None
        True (or 1) at valid positions; None averages everything.

    Returns
    -------
    Tensor of shape (B, C)

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.masking import masked_mean
    >>> x = torch.tensor([[[1.0, 3.0, 100.0]]])
    >>> masked_mean(x, torch.tensor([[[True, True, False]]]))
    tensor([[2.]])
    """
    dims = tuple(range(2, x.dim()))
    if mask is None:
        return x.mean(dim=dims)
    mask = mask.to(x.dtype)
    return (x * mask).sum(dim=dims) / mask.sum(dim=dims)


class _MaskedBatchNormMixin:
    """Batch norm whose training statistics are taken over valid positions only."""

    def forward(self, x, mask=None):
        """Normalise ``x``; ``mask`` ``(B, 1, *spatial)`` restricts the batch statistics."""
        if mask is None or not self.training:
            # evaluation mode normalises pointwise with the running statistics: the
            # padded positions cannot influence the valid ones
            return super().forward(x)
        self._check_input_dim(x)
        dtype = x.dtype
        # statistics in float32 whatever the activations' precision (bfloat16 autocast)
        x = x.float()
        dims = [0] + list(range(2, x.dim()))
        m = mask.to(x.dtype)
        count = m.sum(dim=dims)  # (1,): same count for every channel
        mean = (x * m).sum(dim=dims) / count
        shape = [1, -1] + [1] * (x.dim() - 2)
        centred = x - mean.view(shape)
        var = (centred.square() * m).sum(dim=dims) / count
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    factor = 1.0 / float(self.num_batches_tracked)
                else:
                    factor = self.momentum
                # Bessel's correction as tensor arithmetic: reading the count back
                # to the host would synchronise a GPU at every layer
                unbiased = torch.where(count > 1, var * count / (count - 1).clamp(min=1), var)
                self.running_mean.mul_(1 - factor).add_(mean.detach(), alpha=factor)
                self.running_var.mul_(1 - factor).add_(unbiased.detach(), alpha=factor)
        out = centred * torch.rsqrt(var + self.eps).view(shape)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out.to(dtype)


class MaskedBatchNorm1d(_MaskedBatchNormMixin, nn.BatchNorm1d):
    """:class:`torch.nn.BatchNorm1d` with an optional padding mask.

    ``forward(x, mask=None)``: without a mask (or in evaluation mode) it is exactly
    ``BatchNorm1d``; in training mode with a mask of shape ``(B, 1, L)`` the batch mean
    and variance (and the running statistics) use valid positions only. Parameters and
    state-dict keys are those of ``BatchNorm1d``.

    Parameters
    ----------
    num_features : int
        Number of channels.
    **kwargs
        Passed to :class:`torch.nn.BatchNorm1d`.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.masking import MaskedBatchNorm1d
    >>> bn = MaskedBatchNorm1d(2)
    >>> x = torch.randn(3, 2, 5)
    >>> mask = torch.ones(3, 1, 5, dtype=torch.bool)
    >>> torch.allclose(bn(x, mask), bn(x), atol=1e-5)
    True
    """


class MaskedBatchNorm2d(_MaskedBatchNormMixin, nn.BatchNorm2d):
    """:class:`torch.nn.BatchNorm2d` with an optional padding mask of shape (B, 1, H, W).

    See :class:`MaskedBatchNorm1d`; identical apart from the number of spatial axes.

    Parameters
    ----------
    num_features : int
        Number of channels.
    **kwargs
        Passed to :class:`torch.nn.BatchNorm2d`.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.masking import MaskedBatchNorm2d
    >>> bn = MaskedBatchNorm2d(4)
    >>> bn(torch.randn(2, 4, 3, 3), torch.ones(2, 1, 3, 3)).shape
    torch.Size([2, 4, 3, 3])
    """


def fold_conv_norm(conv, norm):
    """Weight and bias of one convolution equal to ``conv`` then ``norm`` in eval mode.

    In evaluation mode batch norm is a per-channel affine map with the running
    statistics, so it folds into the convolution's weight and bias:
    ``w' = w * s``, ``b' = beta + (b - mean) * s`` with ``s = gamma / sqrt(var + eps)``.

    Parameters
    ----------
    conv : torch.nn.Conv1d or torch.nn.Conv2d
    norm : torch.nn.modules.batchnorm._BatchNorm
        Tracking running statistics.

    Returns
    -------
    weight, bias : Tensor
        Shaped like ``conv.weight`` and ``(out_channels,)``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets.masking import fold_conv_norm
    >>> conv, norm = nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3).eval()
    >>> weight, bias = fold_conv_norm(conv, norm)
    >>> weight.shape, bias.shape
    (torch.Size([3, 2, 3]), torch.Size([3]))
    """
    scale = torch.rsqrt(norm.running_var + norm.eps)
    if norm.weight is not None:
        scale = scale * norm.weight
    shift = -norm.running_mean * scale
    if norm.bias is not None:
        shift = shift + norm.bias
    if conv.bias is not None:
        shift = shift + conv.bias * scale
    weight = conv.weight * scale.view(-1, *([1] * (conv.weight.dim() - 1)))
    return weight, shift


def folded_conv_norm(conv, norm, x):
    """A convolution followed by batch norm in evaluation mode, as one convolution.

    The fold (:func:`fold_conv_norm`) is computed at every call (a few hundred
    multiplications), so it always uses the statistics the layer holds now, per-task
    ones included; it saves the pass of the normalisation over the activations.

    Parameters
    ----------
    conv : torch.nn.Conv1d or torch.nn.Conv2d
        Plain or with a ``forward_with(x, weight, bias)`` method (explicit padding).
    norm : torch.nn.modules.batchnorm._BatchNorm
        Tracking running statistics.
    x : Tensor
        Input of ``conv``.

    Returns
    -------
    Tensor
        ``norm(conv(x))`` of the layers in evaluation mode.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets.masking import folded_conv_norm
    >>> conv, norm = nn.Conv1d(2, 3, 3, bias=False), nn.BatchNorm1d(3)
    >>> _ = norm(conv(torch.randn(8, 2, 10)))  # some running statistics
    >>> conv, norm = conv.eval(), norm.eval()
    >>> x = torch.randn(4, 2, 10)
    >>> torch.allclose(folded_conv_norm(conv, norm, x), norm(conv(x)), atol=1e-6)
    True
    """
    weight, shift = fold_conv_norm(conv, norm)
    forward = getattr(conv, "forward_with", None)
    if forward is not None:
        return forward(x, weight, shift)
    return conv._conv_forward(x, weight, shift)


def can_fold(module, norm):
    """Whether ``norm`` after a convolution of ``module`` may be folded now (eval mode)."""
    return (not module.training and norm is not None and norm.track_running_stats
            and norm.running_mean is not None)
