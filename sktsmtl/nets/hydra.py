"""Hydra (Dempster, Schmidt & Webb 2023): counts of competing convolution kernels.

Random kernels of length 9 are drawn in groups. At every time step of a series the
kernels of a group compete: the one whose output is largest gets that output added to
its count, the one whose output is smallest gets one added to its count. The counts, over
exponentially spaced dilations and over the series and its first difference, are the
features, a dictionary method's pattern counts built from ROCKET's kernels. A fixed
transform: nothing is trained, the seed sets every kernel.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .backbone import check_int

__all__ = ["Hydra", "hydra_dilations"]

_KERNEL_LENGTH = 9


def hydra_dilations(length):
    """Hydra's dilations for series of ``length``: powers of 2 up to ``(length - 1) / 8``.

    Parameters
    ----------
    length : int
        Series length; series shorter than 17 get dilation 1 only.

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> from sktsmtl.nets.hydra import hydra_dilations
    >>> hydra_dilations(300).tolist()
    [1, 2, 4, 8, 16, 32]
    """
    top = np.log2(max(length - 1, 1) / (_KERNEL_LENGTH - 1))
    return 2 ** np.arange(max(int(np.floor(top)), 0) + 1)


class Hydra(nn.Module):
    """Hydra's transform: per series, the counts of the best- and worst-matching kernels.

    Parameters
    ----------
    length : int
        Length of the series the dilations are chosen for (shorter series at forward
        are padded by the convolutions; longer ones give counts over more steps).
    in_channels : int, default=1
        Channels of the series. With several, every group convolves the sum of a random
        subset of ``clip(in_channels // 2, 2, 8)`` channels (drawn with replacement;
        the authors' multivariate extension).
    n_groups : int, default=64
        Groups of competing kernels per dilation; half of them read the series, half
        its first difference (all of them the series when ``n_groups`` is 1).
    kernels_per_group : int, default=8
        Kernels competing in a group (Hydra's ``k``).
    random_state : int or None, default=None
        Seed of the kernels (normal weights, each kernel centred and scaled to unit
        absolute sum) and of the channel subsets; None draws from torch's global
        generator.

    Attributes
    ----------
    dilations : list of int
    n_features : int
        Length of the feature vector: ``2 * n_groups * kernels_per_group`` per dilation
        (a soft count of maxima and a hard count of minima per kernel).

    References
    ----------
    A. Dempster, D. F. Schmidt, G. I. Webb, "Hydra: competing convolutional kernels for
    fast and accurate time series classification", Data Mining and Knowledge Discovery,
    2023.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import Hydra
    >>> hydra = Hydra(100, n_groups=4, random_state=0)
    >>> hydra(torch.randn(5, 1, 100)).shape
    torch.Size([5, 256])
    """

    def __init__(self, length, in_channels=1, n_groups=64, kernels_per_group=8,
                 random_state=None):
        super().__init__()
        self.length = check_int("length", length, 1)
        self.in_channels = check_int("in_channels", in_channels, 1)
        self.n_groups = check_int("n_groups", n_groups, 1)
        self.kernels_per_group = check_int("kernels_per_group", kernels_per_group, 1)
        self.random_state = random_state
        self.dilations = hydra_dilations(self.length).tolist()
        # which series a part reads: the series, and (with two groups or more) its
        # first difference, half of the groups each
        self._n_parts = 2 if self.n_groups > 1 else 1
        self._groups_per_part = self.n_groups // self._n_parts
        generator = torch.Generator()
        if random_state is None:
            generator.seed()
        else:
            generator.manual_seed(int(random_state))
        shape = (len(self.dilations), self._n_parts,
                 self._groups_per_part * self.kernels_per_group, 1, _KERNEL_LENGTH)
        weight = torch.randn(shape, generator=generator)
        weight = weight - weight.mean(-1, keepdim=True)
        self.register_buffer("weight", weight / weight.abs().sum(-1, keepdim=True))
        per_group = int(np.clip(self.in_channels // 2, 2, 8))
        channels = torch.randint(
            0, self.in_channels,
            (len(self.dilations), self._n_parts, self._groups_per_part, per_group),
            generator=generator)
        self.register_buffer("channels", channels)
        self.n_features = (len(self.dilations) * self._n_parts * 2
                           * self._groups_per_part * self.kernels_per_group)

    def _counts(self, series, dilation_index, part):
        n = series.shape[0]
        groups, k = self._groups_per_part, self.kernels_per_group
        if self.in_channels > 1:  # each group reads the sum of its own channels
            series = series[:, self.channels[dilation_index, part]].sum(2)
        dilation = self.dilations[dilation_index]
        out = F.conv1d(series, self.weight[dilation_index, part], dilation=dilation,
                       padding=(_KERNEL_LENGTH - 1) * dilation // 2,
                       groups=groups if self.in_channels > 1 else 1)
        out = out.view(n, groups, k, -1)
        best, best_kernel = out.max(2)
        worst_kernel = out.min(2).indices  # (argmin over this axis is 4x slower on CPU)
        soft_max = out.new_zeros(n, groups, k).scatter_add_(-1, best_kernel, best)
        hard_min = out.new_zeros(n, groups, k).scatter_add_(
            -1, worst_kernel, torch.ones_like(best))
        return soft_max, hard_min

    def forward(self, x):
        """Counts of ``x`` of shape ``(n, in_channels, L)``: ``(n, n_features)``."""
        if x.ndim != 3 or x.shape[1] != self.in_channels:
            raise ValueError(f"Hydra expects series of shape (n, {self.in_channels}, L); "
                             f"got {tuple(x.shape)}.")
        x = x.to(self.weight.dtype)
        inputs = [x, torch.diff(x)] if self._n_parts == 2 else [x]
        counts = []
        for dilation_index in range(len(self.dilations)):
            for part, series in enumerate(inputs):
                counts.extend(self._counts(series, dilation_index, part))
        return torch.cat(counts, 1).reshape(len(x), -1)
