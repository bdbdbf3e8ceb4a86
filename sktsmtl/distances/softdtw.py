"""Soft dynamic time warping (Cuturi & Blondel, 2017) in torch, batched and differentiable.

Soft-DTW replaces the ``min`` of the DTW recursion by the soft minimum

.. math::

    \\operatorname{softmin}_\\gamma(a_1, \\dots, a_k) = -\\gamma \\log \\sum_i e^{-a_i / \\gamma},

so that ``R[i, j] = D[i, j] + softmin_gamma(R[i-1, j-1], R[i-1, j], R[i, j-1])`` is a smooth
function of the series. ``D[i, j]`` is the squared Euclidean distance between time step
``i`` of ``x`` and step ``j`` of ``y`` (summed over channels), the same local cost as the
exact DTW of :mod:`sktsmtl.distances`; as ``gamma -> 0`` soft-DTW tends to
``dtw_distance(a, b, window, squared=True)``.

The Sakoe-Chiba ``window`` follows the rule of :func:`sakoe_chiba_radius`; cells outside
the band are excluded (their accumulated cost is ``+inf``).

The dynamic programme runs over anti-diagonals (all cells of one anti-diagonal depend
only on the two previous ones), vectorised over the batch and the cells of the
diagonal. The gradient uses the ``E``-matrix recursion of Cuturi & Blondel (Algorithm 2),
also over anti-diagonals, so it is exact and needs ``O(B n m)`` memory.
"""

import functools
import math
import numbers

import numpy as np
import torch
from torch import nn

from .dtw import sakoe_chiba_radius

__all__ = ["soft_dtw", "SoftDTWLoss"]


def _check_gamma(gamma):
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a positive float, got {type(gamma).__name__}.")
    gamma = float(gamma)
    if not (gamma > 0.0 and math.isfinite(gamma)):  # also rejects NaN
        raise ValueError(f"gamma must be a positive finite float, got {gamma!r}.")
    return gamma


def _as_batch(values, name):
    """Return ``values`` as a floating tensor of shape (B, C, L)."""
    if not isinstance(values, torch.Tensor):
        if isinstance(values, (str, bytes)) or values is None:
            raise TypeError(f"{name} must be a tensor of numbers, got {type(values).__name__}.")
        try:
            values = torch.as_tensor(np.asarray(values))
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be a tensor of real numbers.") from None
    if values.is_complex():
        raise TypeError(f"{name} holds complex numbers; soft-DTW needs real values.")
    if not values.is_floating_point():
        values = values.to(torch.get_default_dtype())
    if values.ndim == 2:
        values = values.unsqueeze(1)
    elif values.ndim != 3:
        raise ValueError(
            f"{name} has {values.ndim} dimensions; expected (B, L) or (B, C, L)."
        )
    if values.shape[1] == 0 or values.shape[2] == 0:
        raise ValueError(f"{name} has shape {tuple(values.shape)}; series must not be empty.")
    with torch.no_grad():
        finite = bool(torch.isfinite(values).all())
        if not finite:
            what = "NaN" if bool(torch.isnan(values).any()) else "inf"
            raise ValueError(
                f"{name} contains {what}; soft-DTW needs finite values (interpolate missing "
                "values and strip padding first)."
            )
    return values


@functools.lru_cache(maxsize=64)
def _diagonal_cells(n, m, r):
    """Flat indices (in the padded (n+2, m+2) grid) of the band cells, by anti-diagonal.

    Returns the concatenated int64 array and the list of ``(start, stop)`` slices, one per
    non-empty anti-diagonal ``d = i + j`` (1-based ``i``, ``j``) in increasing order.
    """
    width = m + 2
    chunks, bounds, start = [], [], 0
    for d in range(2, n + m + 1):
        lo = max(1, d - m, -((r - d) // 2))  # ceil((d - r) / 2)
        hi = min(n, d - 1, (d + r) // 2)
        if hi < lo:
            continue
        i = np.arange(lo, hi + 1, dtype=np.int64)
        chunks.append(i * width + (d - i))
        bounds.append((start, start + hi - lo + 1))
        start += hi - lo + 1
    return np.concatenate(chunks), tuple(bounds)


class _SoftDTWFunction(torch.autograd.Function):
    """Soft-DTW of a batch of cost matrices ``D`` (B, n, m); gradient = the E matrix."""

    @staticmethod
    def forward(ctx, D, gamma, r):
        B, n, m = D.shape
        width = m + 2
        flat_idx, bounds = _diagonal_cells(n, m, r)
        idx_all = torch.from_numpy(flat_idx).to(D.device)
        Dp = torch.zeros((B, n + 2, width), dtype=D.dtype, device=D.device)
        Dp[:, 1:n + 1, 1:m + 1] = D
        Dp = Dp.reshape(B, (n + 2) * width)
        R = torch.full((B, (n + 2) * width), math.inf, dtype=D.dtype, device=D.device)
        R[:, 0] = 0.0
        for start, stop in bounds:
            idx = idx_all[start:stop]
            prev = torch.stack((R[:, idx - width - 1], R[:, idx - width], R[:, idx - 1]), -1)
            softmin = -gamma * torch.logsumexp(prev / -gamma, dim=-1)
            R[:, idx] = Dp[:, idx] + softmin
        ctx.save_for_backward(Dp, R, idx_all)
        ctx.gamma = gamma
        ctx.shape = (n, m)
        ctx.bounds = bounds
        return R[:, n * width + m].clone()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        Dp, R, idx_all = ctx.saved_tensors
        gamma = ctx.gamma
        n, m = ctx.shape
        width = m + 2
        B = R.shape[0]
        Rb = R.clone()
        Rb[torch.isinf(Rb)] = -math.inf  # excluded cells contribute nothing
        Rb = Rb.view(B, n + 2, width)
        Rb[:, n + 1, :] = -math.inf
        Rb[:, :, m + 1] = -math.inf
        Rb[:, n + 1, m + 1] = R[:, n * width + m]
        Rb = Rb.view(B, (n + 2) * width)
        E = torch.zeros_like(R)
        E[:, (n + 1) * width + m + 1] = 1.0
        for start, stop in reversed(ctx.bounds):
            idx = idx_all[start:stop]
            rij = Rb[:, idx]
            down, right, diag = idx + width, idx + 1, idx + width + 1
            a = torch.exp((Rb[:, down] - rij - Dp[:, down]) / gamma)
            b = torch.exp((Rb[:, right] - rij - Dp[:, right]) / gamma)
            c = torch.exp((Rb[:, diag] - rij - Dp[:, diag]) / gamma)
            E[:, idx] = E[:, down] * a + E[:, right] * b + E[:, diag] * c
        E = E.view(B, n + 2, width)[:, 1:n + 1, 1:m + 1]
        return grad_output.reshape(B, 1, 1) * E, None, None


def soft_dtw(x, y, gamma=1.0, window=None):
    """Soft-DTW between pairs of series, batched and differentiable.

    Computes, for each ``b``, the soft-DTW value of Cuturi & Blondel (2017) between
    ``x[b]`` and ``y[b]``: the DTW dynamic programme with ``min`` replaced by the soft
    minimum ``-gamma * log(sum(exp(-a_i / gamma)))``. The local cost of matching step
    ``i`` of ``x[b]`` with step ``j`` of ``y[b]`` is the squared Euclidean distance
    across channels, so as ``gamma -> 0`` the value tends to
    ``dtw_distance(x[b], y[b], window, squared=True)`` (from below: soft-DTW is at most
    the exact DTW and may be negative).

    Parameters
    ----------
    x : torch.Tensor of shape (B, n) or (B, C, n)
        First series of each pair (floating point; integer tensors and array-likes are
        converted to torch's default dtype).
    y : torch.Tensor of shape (B, m) or (B, C, m)
        Second series of each pair; same batch size, channel count, dtype family and
        device as ``x``. The lengths ``n`` and ``m`` may differ.
    gamma : float, default=1.0
        Smoothing parameter, strictly positive. Smaller is closer to exact DTW.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``, with the radius rule
        of :func:`sakoe_chiba_radius` (``max(ceil(window * max(n, m)), |n - m|)``);
        cells with ``|i - j|`` above the radius are excluded. None: unconstrained.

    Returns
    -------
    torch.Tensor of shape (B,)
        Soft-DTW values, differentiable with respect to ``x`` and ``y`` (exact
        gradient by the E-matrix recursion; double backward is not supported).

    Raises
    ------
    ValueError
        If ``gamma <= 0``, ``window`` is outside ``[0, 1]``, an input has NaN or inf, is
        empty or has the wrong number of dimensions, or the batch sizes, channel
        counts or devices differ.
    TypeError
        If ``gamma`` or ``window`` is not a real number, or an input is not numeric.

    See Also
    --------
    SoftDTWLoss : the same as a ``torch.nn.Module`` loss, optionally normalised.
    dtw_distance : exact DTW of one pair (numpy).

    References
    ----------
    M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function for
    Time-Series", ICML 2017.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.distances import soft_dtw
    >>> x = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    >>> y = torch.tensor([[0.0, 1.0, 1.0, 2.0]], dtype=torch.float64)
    >>> value = soft_dtw(x, y, gamma=1.0)
    >>> round(value.item(), 4)
    -1.5813
    >>> round(soft_dtw(x, y, gamma=0.01).item(), 4)  # exact DTW is 0
    0.0
    >>> value.sum().backward()
    >>> x.grad.shape
    torch.Size([1, 3])
    >>> soft_dtw(torch.zeros(2, 3, 5), torch.ones(2, 3, 5), gamma=0.01, window=0.0)
    tensor([15., 15.])
    """
    gamma = _check_gamma(gamma)
    if window is not None:
        sakoe_chiba_radius(1, 1, window)  # validates the window early
    x = _as_batch(x, "x")
    y = _as_batch(y, "y")
    if x.device != y.device:
        raise ValueError(f"x is on {x.device} but y is on {y.device}.")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"x holds {x.shape[0]} series but y holds {y.shape[0]}; soft_dtw compares "
            "x[b] with y[b]."
        )
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} channels but y has {y.shape[1]}; multivariate soft-DTW "
            "needs the same channel count."
        )
    dtype = torch.promote_types(x.dtype, y.dtype)
    x, y = x.to(dtype), y.to(dtype)
    n, m = x.shape[2], y.shape[2]
    r = sakoe_chiba_radius(n, m, window)
    D = (x.unsqueeze(3) - y.unsqueeze(2)).pow(2).sum(1)  # (B, n, m)
    return _SoftDTWFunction.apply(D, gamma, r)


class SoftDTWLoss(nn.Module):
    """Soft-DTW as a ``torch.nn.Module`` loss.

    Parameters
    ----------
    gamma : float, default=1.0
        Smoothing parameter of :func:`soft_dtw`, strictly positive.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length, as in :func:`soft_dtw`.
    normalize : bool, default=False
        If True, return the soft-DTW divergence
        ``sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2`` (Blondel et al., 2021), which is
        zero when ``x`` equals ``y`` and non-negative.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-pair values are combined.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.distances import SoftDTWLoss
    >>> loss = SoftDTWLoss(gamma=0.1, normalize=True)
    >>> x = torch.randn(4, 2, 10, requires_grad=True)
    >>> value = loss(x, x.detach())
    >>> abs(value.item()) < 1e-5
    True
    >>> value.backward()
    """

    def __init__(self, gamma=1.0, window=None, normalize=False, reduction="mean"):
        super().__init__()
        self.gamma = _check_gamma(gamma)
        if window is not None:
            sakoe_chiba_radius(1, 1, window)
        self.window = window
        if not isinstance(normalize, (bool, np.bool_)):
            raise TypeError(f"normalize must be a bool, got {type(normalize).__name__}.")
        self.normalize = bool(normalize)
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}."
            )
        self.reduction = reduction

    def forward(self, x, y):
        """Loss between ``x[b]`` and ``y[b]`` (shapes as in :func:`soft_dtw`)."""
        value = soft_dtw(x, y, self.gamma, self.window)
        if self.normalize:
            value = value - 0.5 * (
                soft_dtw(x, x, self.gamma, self.window)
                + soft_dtw(y, y, self.gamma, self.window)
            )
        if self.reduction == "mean":
            return value.mean()
        if self.reduction == "sum":
            return value.sum()
        return value

    def extra_repr(self):
        return (
            f"gamma={self.gamma}, window={self.window}, normalize={self.normalize}, "
            f"reduction={self.reduction!r}"
        )
