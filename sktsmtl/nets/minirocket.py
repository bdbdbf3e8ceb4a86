"""MiniRocket (Dempster, Schmidt & Webb 2021) as a torch backbone.

MiniRocket turns a series into proportions of positive values (PPV): 84 fixed kernels
of length 9 (weights -1, and 2 at three of the nine positions), each at several
dilations, each output compared with several biases drawn as quantiles of the
convolution of a training series. As a backbone, the kernels, dilations and biases are
set from the training series of every task (:meth:`MiniRocket.initialize_from_series`),
so that all tasks share one transform; the heads (and, with ``trainable=True``, the
kernels and biases through a smooth PPV) are then trained like any other backbone's.
"""

import itertools
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .backbone import Backbone, check_int
from .registry import register_backbone

__all__ = ["MiniRocket", "minirocket_dilations", "minirocket_quantiles"]

_KERNEL_LENGTH = 9
# the 84 kernels: the three positions of weight 2 (the other six weigh -1), in
# lexicographic order as in the reference implementation
_POSITIVE = tuple(itertools.combinations(range(_KERNEL_LENGTH), 3))


def _kernel_weights():
    weights = -torch.ones(len(_POSITIVE), 1, _KERNEL_LENGTH)
    for k, positions in enumerate(_POSITIVE):
        weights[k, 0, list(positions)] = 2.0
    return weights


def minirocket_dilations(length, n_features=10_000, max_dilations_per_kernel=32):
    """MiniRocket's dilations for series of ``length`` and the features of each.

    Dilations are spread exponentially from 1 to ``(length - 1) / 8``, at most
    ``max_dilations_per_kernel`` of them, and the ``n_features // 84`` features of a
    kernel are shared out among them (the reference implementation's rule).

    Parameters
    ----------
    length : int
        Series length (at least 9).
    n_features : int, default=10_000
    max_dilations_per_kernel : int, default=32

    Returns
    -------
    dilations, features_per_dilation : ndarray of int

    Examples
    --------
    >>> from sktsmtl.nets.minirocket import minirocket_dilations
    >>> dilations, counts = minirocket_dilations(100, 840)
    >>> dilations.tolist(), counts.tolist()
    ([1, 2, 3, 4, 5, 7, 9, 12], [3, 1, 1, 1, 1, 1, 1, 1])
    """
    per_kernel = max(n_features, len(_POSITIVE)) // len(_POSITIVE)
    n_dilations = min(per_kernel, max_dilations_per_kernel)
    multiplier = per_kernel / n_dilations
    max_exponent = np.log2((length - 1) / (_KERNEL_LENGTH - 1))
    dilations, counts = np.unique(
        np.logspace(0, max_exponent, n_dilations, base=2).astype(np.int32),
        return_counts=True)
    counts = (counts * multiplier).astype(np.int32)
    remainder = per_kernel - int(counts.sum())
    i = 0
    while remainder > 0:
        counts[i] += 1
        remainder -= 1
        i = (i + 1) % len(counts)
    return dilations.astype(np.int64), counts.astype(np.int64)


def minirocket_quantiles(n):
    """The low-discrepancy quantiles of the biases: ``(i * golden ratio) mod 1``.

    Examples
    --------
    >>> from sktsmtl.nets.minirocket import minirocket_quantiles
    >>> [round(float(q), 3) for q in minirocket_quantiles(3)]
    [0.618, 0.236, 0.854]
    """
    return np.array([(i * ((np.sqrt(5) + 1) / 2)) % 1 for i in range(1, n + 1)],
                    dtype=np.float32)


class MiniRocket(Backbone):
    """MiniRocket's transform as a backbone: PPV features of fixed dilated kernels.

    The 84 kernels of length 9 of MiniRocket, each at the dilations of
    :func:`minirocket_dilations`; a kernel's output at one dilation is compared with
    its biases, and the proportion of positive values (PPV) over time is one feature.
    The zero-padded ('same') output is pooled for every other kernel-dilation pair and
    the unpadded part for the others, as in the reference. The dilations and biases
    depend on data: :meth:`initialize_from_series` sets them from training series (the
    estimators call it with the training series of every task), each bias a quantile
    of the convolution of a randomly chosen training series. With one channel the
    features are those of the reference implementation (sktime's ``MiniRocket``) up to
    float32 rounding at a bias; with several, every kernel-dilation pair sums a random
    subset of channels, as ``MiniRocketMultivariate`` does (with its own draws).

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    n_features : int, default=10_000
        Features (rounded down to a multiple of 84).
    max_dilations_per_kernel : int, default=32
    trainable : bool, default=False
        False: kernels and biases are fixed (MiniRocket itself; only the heads learn).
        True: kernels and biases are trained, through a smooth PPV (the mean of a
        sigmoid of the output minus the bias, with the temperature ``temperature``
        times the spread of the kernel's output on the training series).
    temperature : float, default=0.1
        Sharpness of the smooth PPV (``trainable=True``).
    standardize : bool, default=True
        A batch norm on the features (MiniRocket's classifier standardises them too).
    random_state : int or None, default=None
        Seed of the choice of the series behind each bias (and of the channels).

    Attributes
    ----------
    embedding_dim : int
        Number of features.
    dilations_ : list of int
        Set by :meth:`initialize_from_series`.
    reference_length_ : int
        Length the dilations were chosen for.

    Notes
    -----
    ``forward(x, lengths=None)``: ``x`` of shape ``(B, C, L)``; padded positions
    (``lengths``) are left out of the PPV. Series shorter than 9 steps are padded by
    repeating their last value. Before :meth:`initialize_from_series` the module has no
    dilations or biases and refuses to run.

    References
    ----------
    A. Dempster, D. F. Schmidt, G. I. Webb, "MiniRocket: A Very Fast (Almost)
    Deterministic Transform for Time Series Classification", KDD 2021.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sktsmtl.nets import MiniRocket
    >>> series = [np.sin(np.linspace(0, f, 60))[None] for f in range(1, 11)]
    >>> net = MiniRocket(n_features=840, random_state=0).initialize_from_series(series)
    >>> net(torch.tensor(np.stack(series), dtype=torch.float32)).shape
    torch.Size([10, 840])
    """

    presets = {"tiny": dict(n_features=168, max_dilations_per_kernel=4)}

    def __init__(self, in_channels=1, n_features=10_000, max_dilations_per_kernel=32,
                 trainable=False, temperature=0.1, standardize=True, random_state=None):
        super().__init__(in_channels)
        self.n_features = check_int("n_features", n_features, len(_POSITIVE))
        self.max_dilations_per_kernel = check_int("max_dilations_per_kernel",
                                                  max_dilations_per_kernel)
        if not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ValueError(f"temperature must be a number > 0, got {temperature!r}.")
        self.trainable = bool(trainable)
        self.temperature = float(temperature)
        self.standardize = bool(standardize)
        self.random_state = random_state
        self.embedding_dim = (self.n_features // len(_POSITIVE)) * len(_POSITIVE)
        self.weight = nn.Parameter(_kernel_weights(),
                                   requires_grad=self.trainable)
        self.dilations_ = []
        self.reference_length_ = None
        self.register_buffer("channel_mask", torch.ones(0, len(_POSITIVE), in_channels))
        self.bias = nn.Parameter(torch.zeros(0), requires_grad=self.trainable)
        self.register_buffer("scale", torch.ones(0))
        self.counts_ = []
        self.norm = nn.BatchNorm1d(self.embedding_dim) if self.standardize else None

    # -- data-dependent initialisation -------------------------------------------------
    def _convolve(self, x, dilation):
        """``(B, 84, L)``: every kernel at ``dilation``, 'same' zero padding, channels
        summed per kernel over their subset."""
        c = x.shape[1]
        weight = self.weight.to(x.dtype)
        out = F.conv1d(x.reshape(-1, 1, x.shape[-1]), weight,
                       padding=(_KERNEL_LENGTH - 1) // 2 * dilation, dilation=dilation)
        out = out.reshape(x.shape[0], c, len(_POSITIVE), -1)
        return out

    def initialize_from_series(self, series, seed=None):
        """Set the dilations and biases from training series.

        Parameters
        ----------
        series : list of ndarray of shape (C, L_i)
            Training series (of every task), without missing values.
        seed : int, default=None
            Seed used when the module's ``random_state`` is None (the estimators pass
            one derived from theirs).

        Returns
        -------
        self
        """
        rng = np.random.RandomState(self.random_state if self.random_state is not None
                                    else seed)
        lengths = [s.shape[-1] for s in series]
        length = max(_KERNEL_LENGTH, max(lengths))
        dilations, counts = minirocket_dilations(length, self.n_features,
                                                 self.max_dilations_per_kernel)
        quantiles = minirocket_quantiles(len(_POSITIVE) * int(counts.sum()))
        n_channels = self.in_channels
        masks = []
        biases, scales = [], []
        start = 0
        for dilation, count in zip(dilations.tolist(), counts.tolist()):
            mask = torch.zeros(len(_POSITIVE), n_channels)
            for k in range(len(_POSITIVE)):
                if n_channels == 1:
                    mask[k, 0] = 1.0
                else:  # MiniRocketMultivariate's rule for the subset size
                    limit = min(n_channels, _KERNEL_LENGTH)
                    size = int(2 ** rng.uniform(0, np.log2(limit + 1)))
                    mask[k, rng.choice(n_channels, size, replace=False)] = 1.0
            masks.append(mask)
            for k in range(len(_POSITIVE)):
                example = series[rng.randint(len(series))]
                x = torch.as_tensor(_pad_short(np.asarray(example, dtype=np.float32)))
                with torch.no_grad():
                    out = self._convolve(x[None], dilation)[0, :, k]  # (C, L)
                out = (out * mask[k][:, None]).sum(0)
                q = quantiles[start:start + count]
                biases.append(np.quantile(out.detach().numpy(), q).astype(np.float32))
                scales.append(np.full(count, float(out.std()) + 1e-6, dtype=np.float32))
                start += count
        self.dilations_ = dilations.tolist()
        self.counts_ = counts.tolist()
        self.reference_length_ = int(length)
        device = self.weight.device
        self.channel_mask = torch.stack(masks).to(device)  # (n_dilations, 84, C)
        self.bias = nn.Parameter(torch.as_tensor(np.concatenate(biases)).to(device),
                                 requires_grad=self.trainable)
        self.scale = torch.as_tensor(np.concatenate(scales)).to(device)
        return self

    def get_extra_state(self):
        """The dilations chosen from data travel with ``state_dict``."""
        return {"dilations": list(self.dilations_), "counts": list(self.counts_),
                "reference_length": self.reference_length_}

    def set_extra_state(self, state):
        self.dilations_ = list(state["dilations"])
        self.counts_ = list(state["counts"])
        self.reference_length_ = state["reference_length"]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # the data-dependent shapes come with the state
        for name in ("bias", "scale", "channel_mask"):
            key = prefix + name
            if key in state_dict and getattr(self, name).shape != state_dict[key].shape:
                value = torch.empty_like(state_dict[key])
                if name == "bias":
                    self.bias = nn.Parameter(value, requires_grad=self.trainable)
                else:
                    setattr(self, name, value)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # -- features ----------------------------------------------------------------------
    def forward(self, x, lengths=None):
        """PPV features of a batch of series.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail is padding.

        Returns
        -------
        Tensor of shape (B, embedding_dim)
        """
        if not self.dilations_:
            raise RuntimeError("MiniRocket has no dilations and biases yet: call "
                               "initialize_from_series with training series first.")
        x = self.check_input(x)
        if x.shape[-1] < _KERNEL_LENGTH:
            x = F.pad(x, (0, _KERNEL_LENGTH - x.shape[-1]), mode="replicate")
        n, length = x.shape[0], x.shape[-1]
        mask = self.padding_mask(lengths, x)
        x = self.apply_mask(x, mask)
        steps = torch.arange(length, device=x.device)[None, :]
        true_length = (lengths.to(x.device).view(-1, 1) if lengths is not None
                       else torch.full((n, 1), length, device=x.device))
        within = steps < true_length  # (B, L)
        odd = (torch.arange(len(_POSITIVE), device=x.device) % 2)[None, :, None]
        features = []
        start = 0
        for d_index, (dilation, count) in enumerate(zip(self.dilations_, self.counts_)):
            out = self._convolve(x, dilation)  # (B, C, 84, L)
            out = torch.einsum("bckl,kc->bkl", out, self.channel_mask[d_index].to(out.dtype))
            padding = (_KERNEL_LENGTH - 1) // 2 * dilation
            # every other kernel-dilation pair pools the unpadded part only
            inner = within & (steps >= padding) & (steps < true_length - padding)
            valid = torch.where((odd + d_index) % 2 == 1, inner[:, None, :],
                                within[:, None, :]).to(out.dtype)  # (B, 84, L)
            size = len(_POSITIVE) * count
            bias = self.bias[start:start + size].view(len(_POSITIVE), count).to(out.dtype)
            diff = out[:, :, None, :] - bias[None, :, :, None]  # (B, 84, count, L)
            if self.trainable and self.training:
                scale = self.scale[start:start + size].view(len(_POSITIVE), count)
                positive = torch.sigmoid(diff / (self.temperature
                                                 * scale.to(out.dtype)[None, :, :, None]))
            else:
                positive = (diff > 0).to(out.dtype)
            ppv = (positive * valid[:, :, None, :]).sum(-1) / valid.sum(-1).clamp_min(
                1.0)[:, :, None]
            features.append(ppv.reshape(n, size))
            start += size
        z = torch.cat(features, dim=1)
        return self.norm(z) if self.norm is not None else z


def _pad_short(series):
    if series.shape[-1] >= _KERNEL_LENGTH:
        return series
    return np.pad(series, ((0, 0), (0, _KERNEL_LENGTH - series.shape[-1])), mode="edge")


register_backbone("minirocket", MiniRocket)
