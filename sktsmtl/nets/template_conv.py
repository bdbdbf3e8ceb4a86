"""A 2D convolution of the squared template distance maps, computed without the maps.

ResNet2D's first convolution reads ``k`` maps of ``n x m`` squared distances between a
series and ``k`` templates. A squared distance splits into a part of the series point,
a part of the template point and their product::

    D[b, c, i, j] = |x[b, :, i]|^2 + |t[c, :, j]|^2 - 2 <x[b, :, i], t[c, :, j]>

so a convolution of ``D`` with weights ``W[o, c, di, dj]`` is a sum over the row taps
``di`` of products of *row features* of the series, ``R = (|x|^2, 1, -2 x)``, with a
tensor ``A`` built from the templates alone: the convolution of the *column features*
``(1, |t|^2, t)`` with ``W`` over ``c`` and ``dj``. No ``(B, k, n, m)`` tensor is formed,
and the work drops from ``B k n m O K^2 / s^2`` products to ``B n m O (C + 2) K / s^2``
(``k K / (C + 2)`` times fewer: about 150x for ResNet2D's stem at its defaults).
"""

import torch
from torch.nn import functional as F

from .masking import length_mask
from .template_distance import _in_float32

__all__ = ["template_conv2d"]


@_in_float32
def _template_conv2d(x, templates, weight, bias, stride, padding, lengths, out_dtype=None):
    B, C, n = x.shape
    k = templates.shape[0]
    O, _, K, _ = weight.shape
    f = C + 2  # features: |.|^2, 1, the C coordinates
    # column side, from the templates alone: A[f, o, di, j] = sum_{c, dj} W[o, c, di, dj]
    # * G[c, f, s j - p + dj], with G = (1, |t|^2, t) (zero outside the template)
    G = torch.cat([torch.ones_like(templates[:, :1]),
                   templates.square().sum(dim=1, keepdim=True), templates], dim=1)
    taps = weight.transpose(1, 2).reshape(O * K, k, K)  # (O di, c, dj)
    A = F.conv1d(G.transpose(0, 1), taps, stride=stride, padding=padding)  # (f, O di, J)
    J = A.shape[-1]
    A = A.view(f, O, K, J).permute(0, 2, 3, 1).reshape(f * K, J * O)
    # row side: R = (|x|^2, 1, -2 x), zero on padded rows (as the masked maps are)
    xx = x.square().sum(dim=1, keepdim=True)
    R = torch.cat([xx, torch.ones_like(xx), -2.0 * x], dim=1)  # (B, f, n)
    valid = None if lengths is None else length_mask(torch.as_tensor(lengths, device=x.device), n)
    if valid is not None:
        R = R * valid[:, None, :].to(R.dtype)
    R = F.pad(R, (padding, padding)).unfold(2, K, stride)  # (B, f, I, K)
    rows = R.shape[2]
    R = R.permute(0, 2, 1, 3).reshape(B * rows, f * K)
    # rows (b, i) and columns (j, o): a channels-last (B, O, I, J) view with no copy
    out = torch.addmm(bias.repeat(J), R, A) if bias is not None else R @ A
    # left in float32 under autocast (out_dtype unused): see template_conv2d's docstring
    return out.view(B, rows, J, O).permute(0, 3, 1, 2)


def template_conv2d(x, templates, weight, bias=None, stride=1, padding=0, lengths=None):
    """``conv2d(D, weight, bias, stride, padding)`` of the squared template distances
    ``D = pairwise_distance(x, templates)``, without forming ``D``.

    Exact up to rounding: the result equals the convolution of the maps (padded rows
    zeroed when ``lengths`` is given), but its cost does not grow with the number of
    templates ``k`` and is ``k K / (C + 2)`` times smaller (see the module docstring).
    Computed and returned in float32, also under bfloat16 autocast: the expansion of the
    squared distance cancels, and the result carries the squared norms of the series, a
    common offset that can be far larger than its variation across positions (series
    that are not z-normalised); the batch norm that follows in ResNet2D removes the
    offset in float32, where rounding to bfloat16 (8 bits) first would lose the
    variation.

    Parameters
    ----------
    x : Tensor of shape (B, C, n)
        Series.
    templates : Tensor of shape (k, C, m)
        Templates.
    weight : Tensor of shape (O, k, K, K)
        Square convolution kernel over the ``k`` maps.
    bias : Tensor of shape (O,), optional
    stride, padding : int, default=1, 0
        Stride and zero padding of the convolution, the same along both axes.
    lengths : Tensor of shape (B,), optional
        Valid length of each series; the rows of the maps past it count as zeros, as
        the masked maps of :class:`~sktsmtl.nets.ResNet2D` do.

    Returns
    -------
    Tensor of shape (B, O, I, J)
        With ``I = (n + 2 padding - K) // stride + 1`` and ``J`` likewise from ``m``, in
        the channels-last memory format.

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Examples
    --------
    >>> import torch
    >>> from torch.nn import functional as F
    >>> from sktsmtl.nets import pairwise_distance, template_conv2d
    >>> x, t = torch.randn(2, 1, 30), torch.randn(5, 1, 12)
    >>> w = torch.randn(8, 5, 7, 7)
    >>> fast = template_conv2d(x, t, w, stride=4, padding=3)
    >>> fast.shape
    torch.Size([2, 8, 8, 3])
    >>> slow = F.conv2d(pairwise_distance(x, t), w, stride=4, padding=3)
    >>> torch.allclose(fast, slow, rtol=1e-4, atol=1e-3)
    True
    """
    if x.dim() != 3 or templates.dim() != 3 or x.shape[1] != templates.shape[1]:
        raise ValueError(
            "x and templates must have shapes (B, C, n) and (k, C, m) with the same C; got "
            f"{tuple(x.shape)} and {tuple(templates.shape)}."
        )
    if (weight.dim() != 4 or weight.shape[1] != templates.shape[0]
            or weight.shape[2] != weight.shape[3]):
        raise ValueError(
            f"weight must have shape (O, {templates.shape[0]}, K, K); got {tuple(weight.shape)}."
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},); got {tuple(bias.shape)}.")
    return _template_conv2d(x, templates, weight, bias, int(stride), int(padding), lengths)
