"""InceptionTime: the Inception network for time series of Ismail Fawaz et al. (2020).

"InceptionTime: Finding AlexNet for Time Series Classification", Data Mining and
Knowledge Discovery 34(6). Each Inception module reads the series at three time scales
at once (parallel convolutions of long, medium and short kernels over a 1x1 bottleneck)
beside a max-pooling branch; modules are stacked with a residual shortcut every three,
and global average pooling over time gives the embedding.
"""

import torch
from torch import nn

from .backbone import Backbone, SameConv1d, check_int, check_int_sequence
from .masking import MaskedBatchNorm1d
from .registry import register_backbone

__all__ = ["InceptionTime"]

_apply_mask = Backbone.apply_mask


class _InceptionModule(nn.Module):
    """Bottleneck, parallel 'same' convolutions, max-pool branch, concat, BN, ReLU."""

    def __init__(self, in_channels, n_filters, kernel_sizes, bottleneck_size):
        super().__init__()
        # as the reference: the bottleneck only where the input has more than 1 channel
        if in_channels > 1:
            self.bottleneck = nn.Conv1d(in_channels, bottleneck_size, 1, bias=False)
            conv_in = bottleneck_size
        else:
            self.bottleneck = None
            conv_in = in_channels
        self.convs = nn.ModuleList(SameConv1d(conv_in, n_filters, k) for k in kernel_sizes)
        self.pool = nn.MaxPool1d(3, stride=1, padding=1)  # pads with -inf
        self.pool_conv = nn.Conv1d(in_channels, n_filters, 1, bias=False)
        self.out_channels = (len(kernel_sizes) + 1) * n_filters
        self.norm = MaskedBatchNorm1d(self.out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x, mask=None):
        """``x`` with its padding zeroed -> the module's output, padding zeroed."""
        # a 1x1 convolution without bias keeps the zeroed padding zero: the parallel
        # convolutions read zeros there, as 'same' padding gives the unpadded series
        h = x if self.bottleneck is None else self.bottleneck(x)
        branches = [conv(h) for conv in self.convs]
        if mask is None:
            pooled = self.pool(x)
        else:
            # -inf in the padding is what MaxPool1d's own padding gives the unpadded
            # series at its end; the padded outputs (-inf or not) are then zeroed
            pooled = self.pool(x.masked_fill(~mask, float("-inf"))).masked_fill(~mask, 0.0)
        branches.append(self.pool_conv(pooled))
        out = self.norm(torch.cat(branches, dim=1), mask)
        return _apply_mask(self.relu(out), mask)


class _Shortcut(nn.Module):
    """Residual connection of a group of modules: 1x1 conv + BN of its input, add, ReLU."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, 1, bias=False)
        self.norm = MaskedBatchNorm1d(out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, residual, out, mask=None):
        """``residual``: the group's input; ``out``: its output (padding zeroed in both)."""
        s = self.norm(self.conv(residual), mask)
        return _apply_mask(self.relu(out + s), mask)


class InceptionTime(Backbone):
    """InceptionTime network (one instance, without the ensemble) mapping a series to an
    embedding.

    Architecture (Ismail Fawaz et al. 2020 and their reference Keras code,
    hfawaz/InceptionTime ``classifiers/inception.py``): ``depth`` Inception modules.
    Each module passes its input through a bottleneck (``Conv1d`` of kernel 1 to
    ``bottleneck_size`` channels, used only where the module's input has more than one
    channel, as in the reference), then through parallel convolutions of kernel sizes
    ``kernel_sizes`` with ``n_filters`` outputs each; beside them, a max-pool branch
    (``MaxPool1d(3, stride=1, padding=1)`` on the module input, then a 1x1 convolution
    to ``n_filters``). The branches are concatenated (``(len(kernel_sizes) + 1) *
    n_filters`` channels), batch-normalised and passed through ReLU. With ``residual``,
    after every third module the input of that group of three (the series, or the
    previous shortcut's output) goes through a 1x1 convolution and batch norm, is added
    to the module's output, and ReLU follows; a trailing group of fewer than three
    modules (``depth`` not a multiple of 3) has no shortcut, as in the reference. Global
    average pooling over time gives the embedding. All convolutions have stride 1,
    'same' length and no bias.

    Decisions left open by the sources: the kernel sizes are 40, 20 and 10, the paper's
    filter lengths {10, 20, 40} and the reference code's (its ``kernel_size=41`` minus
    1, halved twice: ``40 // 2**i``; sktime's ports give the same); they are a tuple
    here, so any number of parallel convolutions is possible. Even kernels get 'same'
    zero padding of ``(k - 1) // 2`` left and ``k // 2`` right (19 and 20 for k=40), the
    split of both Keras' and PyTorch's ``padding="same"``
    (:class:`~sktsmtl.nets.backbone.SameConv1d`). Batch norm keeps PyTorch's defaults
    (momentum 0.1, eps 1e-5) rather than Keras' (0.01 and 1e-3 in PyTorch's
    convention), as the package's other backbones do. The bottleneck and the
    convolutions are linear (the reference's ``activation='linear'``); the bottleneck is
    always on (the reference's ``use_bottleneck=True``).

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    n_filters : int, default=32
        Output channels of every branch of a module.
    depth : int, default=6
        Number of Inception modules.
    kernel_sizes : tuple of int, default=(40, 20, 10)
        Kernel sizes of the parallel convolutions of every module.
    bottleneck_size : int, default=32
        Output channels of the bottleneck convolutions.
    residual : bool, default=True
        Add a residual shortcut after every third module.

    Attributes
    ----------
    embedding_dim : int
        Size of the embedding, ``(len(kernel_sizes) + 1) * n_filters`` (``4 *
        n_filters`` with three kernel sizes).
    inception : torch.nn.ModuleList
        The ``depth`` Inception modules.
    shortcuts : torch.nn.ModuleList
        The ``depth // 3`` residual shortcuts (empty without ``residual``).

    Notes
    -----
    ``forward(x, lengths=None)`` accepts ``x`` of shape ``(B, C, L)`` (or ``(B, L)`` for
    univariate series) and returns ``(B, embedding_dim)``. The input must be finite:
    missing values are imputed by the caller. When rows were padded at their tail to a
    common length ``L``, pass their true ``lengths`` ``(B,)``: padded positions are
    zeroed before every convolution, set to ``-inf`` before every max pool (so that
    the pool sees what its own padding gives the unpadded series) and zeroed after it,
    excluded from batch-norm statistics and from the global average pooling. A row's
    embedding then does not depend on its padded values, and in evaluation mode it
    equals the embedding of the unpadded series.

    The paper's classifier is an ensemble of five such networks trained from different
    initialisations; this class is one of them, a backbone for the package's heads.

    References
    ----------
    .. [1] H. Ismail Fawaz, B. Lucas, G. Forestier, C. Pelletier, D. F. Schmidt,
       J. Weber, G. I. Webb, L. Idoumghar, P.-A. Muller and F. Petitjean,
       "InceptionTime: Finding AlexNet for Time Series Classification", Data Mining and
       Knowledge Discovery 34(6), 1936-1962, 2020.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import InceptionTime
    >>> net = InceptionTime(in_channels=2, n_filters=8)
    >>> net.embedding_dim
    32
    >>> net(torch.randn(4, 2, 50)).shape
    torch.Size([4, 32])
    >>> net(torch.randn(4, 2, 50), lengths=torch.tensor([50, 40, 30, 3])).shape
    torch.Size([4, 32])
    >>> InceptionTime.from_preset("tiny")(torch.randn(3, 20)).shape
    torch.Size([3, 16])
    """

    presets = {
        "tiny": dict(n_filters=4, depth=3, kernel_sizes=(5, 3, 2), bottleneck_size=4),
        "paper": dict(n_filters=32, depth=6, kernel_sizes=(40, 20, 10), bottleneck_size=32,
                      residual=True),
    }

    # the training settings of its paper, for its benchmark methods
    paper_settings = dict(lr=1e-3, batch_size=64, weight_decay=0.0, early_stopping=None)

    def __init__(self, in_channels=1, n_filters=32, depth=6, kernel_sizes=(40, 20, 10),
                 bottleneck_size=32, residual=True):
        super().__init__(in_channels)
        self.n_filters = check_int("n_filters", n_filters)
        self.depth = check_int("depth", depth)
        self.kernel_sizes = check_int_sequence("kernel_sizes", kernel_sizes)
        self.bottleneck_size = check_int("bottleneck_size", bottleneck_size)
        if not isinstance(residual, bool):
            raise ValueError(f"residual must be a bool, got {residual!r}.")
        self.residual = residual
        width = (len(self.kernel_sizes) + 1) * self.n_filters
        modules = []
        c = self.in_channels
        for _ in range(self.depth):
            modules.append(_InceptionModule(c, self.n_filters, self.kernel_sizes,
                                            self.bottleneck_size))
            c = width
        self.inception = nn.ModuleList(modules)
        shortcuts = []
        if residual:
            c = self.in_channels
            for _ in range(self.depth // 3):
                shortcuts.append(_Shortcut(c, width))
                c = width
        self.shortcuts = nn.ModuleList(shortcuts)
        self.embedding_dim = width

    def forward(self, x, lengths=None):
        """Embed a batch of series.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)
            Finite input series.
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail is padding.

        Returns
        -------
        Tensor of shape (B, embedding_dim)
        """
        x = self.check_input(x)
        mask = self.padding_mask(lengths, x)
        x = self.apply_mask(x, mask)
        residual = x
        for d, module in enumerate(self.inception):
            x = module(x, mask)
            if self.residual and d % 3 == 2:
                x = self.shortcuts[d // 3](residual, x, mask)
                residual = x
        return self.masked_mean_pool(x, mask)


register_backbone("inceptiontime", InceptionTime)
