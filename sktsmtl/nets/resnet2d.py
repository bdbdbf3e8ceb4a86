"""ResNet2D: 2D residual convolutions over point-to-point distance matrices.

Yeh et al. (2023), "Multitask learning for time series data with 2D convolution",
section III-B. The series is compared point by point with ``k`` learnable templates
(:class:`~sktsmtl.nets.TemplateDistance`); a residual 2D convolution tower reads the
``k`` distance matrices like the dynamic-programming table of DTW.
"""

import torch
from torch import nn

from .backbone import Backbone, check_int
from .masking import (
    MaskedBatchNorm2d,
    can_fold,
    conv_output_lengths,
    fold_conv_norm,
    folded_conv_norm,
    length_mask,
)
from .template_conv import template_conv2d
from .template_distance import TemplateDistance
from .registry import register_backbone

__all__ = ["ResNet2D", "RESNET2D_PRESETS"]

#: Named sizes. ``"paper"`` is the size of Yeh et al. (2023), about 100 GFLOP per
#: training sample for series of length 300: a GPU preset. ``"cpu"`` is the default of
#: :class:`ResNet2D`, chosen by accuracy and epoch time on a 2-core CPU
#: (``benchmarks/bench_resnet2d_sizes.py``, see the class docstring). ``"large"`` is a
#: former default, the same templates at a stride-2 stem, about 5x the epoch time of
#: ``"cpu"`` on that CPU. ``"tiny"`` is for tests and smoke runs.
RESNET2D_PRESETS = {
    "paper": dict(n_templates=64, template_length=512, n_blocks=8, width=64, stem_stride=1),
    "large": dict(n_templates=64, template_length=128, n_blocks=8, width=64, stem_stride=2),
    "cpu": dict(n_templates=64, template_length=128, n_blocks=8, width=64, stem_stride=4),
    "tiny": dict(n_templates=4, template_length=8, n_blocks=2, width=8, stem_stride=1),
}

_INPUT_KINDS = ("series", "distance_map")


def _mask_2d(row_lengths, col_lengths, height, width, device):
    """(B, 1, H, W) mask of valid positions, or None when nothing is padded."""
    rows = length_mask(row_lengths, height)
    cols = length_mask(col_lengths, width)
    if rows is None and cols is None:
        return None
    if rows is None:
        rows = torch.ones(cols.shape[0], height, dtype=torch.bool, device=cols.device)
    if cols is None:
        cols = torch.ones(rows.shape[0], width, dtype=torch.bool, device=rows.device)
    return (rows[:, :, None] & cols[:, None, :]).unsqueeze(1).to(device)


_apply_mask = Backbone.apply_mask


class _StridedConv2d(nn.Conv2d):
    """A strided :class:`~torch.nn.Conv2d` that runs in float32 where its output is tiny.

    oneDNN's AMX bfloat16 kernels (torch 2.13, CPUs with AMX) compute wrong values, NaN
    or 1e36, for strided convolutions whose output has a spatial side of 1 or 2, in the
    forward pass and in the weight gradient (``tests/nets/test_resnet2d.py`` has the
    check). ResNet2D's downsampling reaches such maps in its last blocks, where float32
    costs nothing. Everywhere else the convolution runs as usual.
    """

    def _conv_forward(self, input, weight, bias):
        low = input.dtype in (torch.bfloat16, torch.float16) or torch.is_autocast_enabled("cpu")
        if input.device.type == "cpu" and low and max(self.stride) > 1:
            out_h, out_w = (
                (size + 2 * p - k) // s + 1
                for size, p, k, s in zip(input.shape[2:], self.padding, self.kernel_size,
                                         self.stride))
            if min(out_h, out_w) <= 2:
                with torch.autocast("cpu", enabled=False):
                    return super()._conv_forward(
                        input.float(), weight.float(), None if bias is None else bias.float())
        return super()._conv_forward(input, weight, bias)


class _ConvNormAct(nn.Module):
    """Conv2d (no bias) -> BN -> ReLU, or the bare conv (with bias)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, norm_act=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        conv = _StridedConv2d if stride > 1 else nn.Conv2d
        self.conv = conv(
            in_channels, out_channels, kernel_size, stride=stride, padding=padding,
            bias=not norm_act,
        )
        self.norm = MaskedBatchNorm2d(out_channels) if norm_act else None
        self.relu = nn.ReLU(inplace=True) if norm_act else None

    def out_lengths(self, lengths):
        return conv_output_lengths(lengths, self.kernel_size, self.stride, self.padding)

    def forward(self, x, rows=None, cols=None, mask=None):
        """Apply the unit; ``rows``/``cols``/``mask`` describe the input's padding.

        Returns the output (padding zeroed) and the output's rows, cols and mask.
        """
        folded = can_fold(self, self.norm)
        x = folded_conv_norm(self.conv, self.norm, x) if folded else self.conv(x)
        return self._norm_act(x, rows, cols, mask, folded)

    def forward_templates(self, x, templates, rows=None, mask=None):
        """The unit applied to the squared distance maps of series ``x`` (B, C, n) and
        ``templates``, its convolution computed without the maps (:func:`template_conv2d`).

        ``rows`` and ``mask`` describe the padding of the maps, as for :meth:`forward`.
        """
        folded = can_fold(self, self.norm)
        weight, bias = (fold_conv_norm(self.conv, self.norm) if folded
                        else (self.conv.weight, self.conv.bias))
        x = template_conv2d(x, templates, weight, bias, self.stride, self.padding, rows)
        return self._norm_act(x, rows, None, mask, folded)

    def _norm_act(self, x, rows, cols, mask, folded):
        if mask is not None:
            rows, cols = self.out_lengths(rows), self.out_lengths(cols)
            mask = _mask_2d(rows, cols, x.shape[2], x.shape[3], x.device)
        if self.norm is not None:
            x = self.relu(x if folded else self.norm(x, mask))
        return _apply_mask(x, mask), rows, cols, mask


class _BasicBlock2D(nn.Module):
    """3x3 conv-BN-ReLU-3x3 conv-BN, plus shortcut (identity or 1x1 conv + BN), ReLU."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.norm1 = MaskedBatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.norm2 = MaskedBatchNorm2d(out_channels)
        if in_channels != out_channels:
            self.shortcut_conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)
            self.shortcut_norm = MaskedBatchNorm2d(out_channels)
        else:
            self.shortcut_conv = None
            self.shortcut_norm = None
        self.relu = nn.ReLU(inplace=True)

    def _conv_norm(self, conv, norm, x, mask):
        # evaluation mode: the batch norm folded into the convolution
        return folded_conv_norm(conv, norm, x) if can_fold(self, norm) else norm(conv(x), mask)

    def forward(self, x, mask=None):
        h = _apply_mask(self.relu(self._conv_norm(self.conv1, self.norm1, x, mask)), mask)
        h = self._conv_norm(self.conv2, self.norm2, h, mask)
        s = x
        if self.shortcut_conv is not None:
            s = self._conv_norm(self.shortcut_conv, self.shortcut_norm, x, mask)
        return self.relu(h + s)


class ResNet2D(Backbone):
    """Residual 2D convolutional network over series-to-template distance matrices.

    Architecture (Yeh et al. 2023, Fig. 3): a :class:`~sktsmtl.nets.TemplateDistance`
    layer turns a series of length ``n`` into ``k = n_templates`` distance matrices of
    size ``n x m`` (``m = template_length``); an optional stem; ``n_blocks`` residual
    blocks (3x3 conv -> BN -> ReLU -> 3x3 conv -> BN, plus the shortcut, then ReLU), each
    followed by a 3x3 convolution of stride 2 that halves height and width; global
    average pooling gives an embedding of size ``width``.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series (``input_kind="series"``), or channels of the
        distance map (``input_kind="distance_map"``, 1 for the two-series matrix).
    n_templates : int, default=64
        Number of learnable templates ``k`` (ignored for ``"distance_map"`` input).
    template_length : int, default=128
        Length ``m`` of every template (ignored for ``"distance_map"`` input).
    n_blocks : int, default=8
        Residual blocks, each followed by a stride-2 convolution.
    width : int, default=64
        Channels of every block (constant width, as the paper's figure); the embedding
        size.
    stem_stride : int, default=4
        1: no stem, the first block maps ``k`` channels to ``width`` through a 1x1
        projection shortcut (the paper). ``s > 1``: a stem convolution of kernel
        ``2s - 1``, stride ``s`` (then BN, ReLU) maps the distance maps to ``width``
        channels at ``1/s`` of their height and width before the first block: ``s**2``
        times less work in every later layer.
    distance : {"squared", "abs"}, default="squared"
        Point distance of the template layer, see :class:`TemplateDistance`.
    template_init : {"normal", "random_walk"}, default="normal"
        Template initialisation, see :class:`TemplateDistance`.
    downsample_norm_act : bool, default=True
        Whether each stride-2 convolution is followed by BN and ReLU (open in the paper;
        with it the downsampling is a conv-BN-ReLU unit like every other convolution;
        without it, a plain biased convolution feeds the next block).
    input_kind : {"series", "distance_map"}, default="series"
        ``"distance_map"`` builds the tower without templates: ``forward`` then takes a
        precomputed ``(B, in_channels, n, m)`` map, e.g. the two-series matrix of
        :class:`~sktsmtl.nets.PairwiseDistance` for DTW approximation (Fig. 3c).
    channels_last : bool, default=True
        Run the convolutions on channels-last tensors (the template layer produces that
        layout for free; oneDNN's CPU convolutions are fastest on it).
    fuse_template_stem : bool, default=True
        Compute the stem's convolution of the distance maps directly from the series
        and the templates (:func:`~sktsmtl.nets.template_conv2d`), without forming the
        ``k`` maps of ``n x m``: the same function up to rounding, with ``k K / 3`` times
        less work in the stem (about 150x at the defaults) and no maps in memory. It
        applies to ``input_kind="series"`` with ``distance="squared"`` and a stem
        (``stem_stride > 1``); ``False`` forms the maps (the reference computation).

    Attributes
    ----------
    embedding_dim : int
        Size of the embedding, ``width``.
    template_distance : TemplateDistance or None
        The template layer (None for ``"distance_map"`` input).

    Notes
    -----
    **Defaults chosen by accuracy and epoch time**: ``k=64`` templates of length
    ``m=128``, 8 blocks of width 64 and a stride-4 stem (kernel 7), the ``"cpu"``
    preset: of the sizes compared, the most accurate whose training epoch over 1,000
    series of length 300 takes under 15 s on two CPU cores. The sizes, their epoch times
    and accuracies are on the Benchmarks page (``benchmarks/bench_resnet2d_sizes.py``).

    The stem is computed from the series (``fuse_template_stem``), so the template
    count ``k`` costs almost nothing; the template length ``m`` and the stem stride set
    the size of every block's map (``n m / s**2``) and with it the time. A stride-``s``
    stem divides the work of every block by ``s**2`` at the price of resolution in the
    first convolution only.
    Blocks past the third cost almost nothing (each halves the map), so all 8 are kept.
    The ``"large"`` preset (stride-2 stem) costs about 5x the epoch time; the paper's
    size (``"paper"``, 64 templates of length 512, no stem, the maps formed) costs about
    100 GFLOP per training sample: a GPU preset. ``torch.set_num_threads`` is left to
    the caller (the library never changes global torch state).

    **Short series.** A stride-2 convolution (kernel 3, padding 1), like the stride-``s``
    stem (kernel ``2s - 1``, padding ``s - 1``), maps a size-1 axis to size 1, so
    downsampling stops by itself once an axis reaches 1 and the map never
    vanishes: any ``n >= 1`` and ``m >= 1`` work with the same layers (the parameters do
    not depend on the series length, so tasks of different lengths share them). In
    training mode batch norm needs more than one value per channel, so a batch of one
    series is only possible while the map is larger than 1x1.

    **Padding.** ``forward(x, lengths)`` masks the padded tail of each row along the
    series axis (height): padded positions are zeroed before every convolution, excluded
    from batch-norm statistics and from the pooling, so the embedding does not depend on
    them; valid lengths after each strided convolution follow the convolution's
    arithmetic (``ceil(L / s)`` for the stride-``s`` stem, ``ceil(L / 2)`` for the
    stride-2 convolutions).

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import ResNet2D
    >>> net = ResNet2D(n_templates=4, template_length=8, n_blocks=2, width=8)
    >>> net(torch.randn(3, 1, 20)).shape
    torch.Size([3, 8])
    >>> ResNet2D.from_preset("tiny", in_channels=2)(torch.randn(2, 2, 3)).shape
    torch.Size([2, 8])

    The distance-learning variant reads the ``n x m`` matrix between two series:

    >>> from sktsmtl.nets import PairwiseDistance
    >>> tower = ResNet2D(input_kind="distance_map", in_channels=1, n_blocks=2, width=8)
    >>> d = PairwiseDistance()(torch.randn(3, 30), torch.randn(3, 25))
    >>> tower(d).shape
    torch.Size([3, 8])
    """

    presets = RESNET2D_PRESETS
    # the ResNet2D paper's training settings, for its benchmark methods
    paper_settings = dict(lr=1e-4, batch_size=40, early_stopping=None)

    def __init__(
        self,
        in_channels=1,
        n_templates=64,
        template_length=128,
        n_blocks=8,
        width=64,
        stem_stride=4,
        distance="squared",
        template_init="normal",
        downsample_norm_act=True,
        input_kind="series",
        channels_last=True,
        fuse_template_stem=True,
    ):
        super().__init__(in_channels)
        if input_kind not in _INPUT_KINDS:
            raise ValueError(f"input_kind must be one of {_INPUT_KINDS}, got {input_kind!r}.")
        self.n_templates = check_int("n_templates", n_templates)
        self.template_length = check_int("template_length", template_length)
        self.n_blocks = check_int("n_blocks", n_blocks, 0)
        self.width = check_int("width", width)
        self.stem_stride = check_int("stem_stride", stem_stride)
        self.distance = distance
        self.template_init = template_init
        self.downsample_norm_act = bool(downsample_norm_act)
        self.input_kind = input_kind
        self.channels_last = bool(channels_last)
        self.fuse_template_stem = bool(fuse_template_stem)
        self.embedding_dim = self.width

        if input_kind == "series":
            self.template_distance = TemplateDistance(
                self.n_templates, self.template_length, in_channels=self.in_channels,
                distance=distance, init=template_init,
            )
            map_channels = self.n_templates
        else:
            self.template_distance = None
            map_channels = self.in_channels
        self.map_channels = map_channels

        if self.stem_stride > 1:
            s = self.stem_stride
            self.stem = _ConvNormAct(map_channels, self.width, 2 * s - 1, s, s - 1)
            c = self.width
        else:
            self.stem = None
            c = map_channels
        if self.n_blocks == 0 and c != self.width:
            # keep the embedding size equal to width
            self.stem = _ConvNormAct(map_channels, self.width, 1, 1, 0)
            c = self.width
        self.blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        for _ in range(self.n_blocks):
            self.blocks.append(_BasicBlock2D(c, self.width))
            self.downsamples.append(
                _ConvNormAct(self.width, self.width, 3, 2, 1, norm_act=self.downsample_norm_act)
            )
            c = self.width

    def activation_bytes(self, length, batch_size=1, length_m=None):
        """Estimated memory of the activations of one training step, in bytes.

        The tower's activations grow with ``n_templates * n * m`` (the distance maps)
        and ``width * n * m / stem_stride**2`` (the first block), so long series can ask
        for far more memory than the machine has; the training layer checks this
        estimate before a batch. It counts the float32 tensors that autograd keeps for
        the backward pass at every resolution of the tower (convolution, batch-norm
        and activation outputs) plus the template layer's maps. Measured
        peaks on CPU were 0.9-1.1 times the estimate (batches of 4-40 series of length
        300-1000, the ``"large"`` preset).

        Parameters
        ----------
        length : int
            Series length ``n`` (rows of the distance maps).
        batch_size : int, default=1
            Series per batch.
        length_m : int, default=None
            Columns of the maps for ``input_kind="distance_map"``; None uses
            ``template_length`` (or ``length`` without templates).

        Returns
        -------
        int
        """
        n = int(length)
        if length_m is not None:
            m = int(length_m)
        else:
            m = self.template_length if self.template_distance is not None else n
        # the maps and their masked copy at the input of the tower, unless the stem
        # reads the series (then only its small row features are kept)
        elements = 0 if self._stem_reads_series() else 2 * self.map_channels * n * m
        rows, cols = n, m
        if self.stem is not None:
            s = self.stem_stride
            rows, cols = -(-rows // s), -(-cols // s)
            elements += 2 * self.width * rows * cols
        for _ in range(self.n_blocks):
            # two conv-BN-ReLU pairs and the residual sum, then the strided downsample
            elements += 4 * self.width * rows * cols
            rows, cols = -(-rows // 2), -(-cols // 2)
            elements += 2 * self.width * rows * cols
        return 4 * int(batch_size) * elements

    def forward(self, x, lengths=None):
        """Embed a batch of series (or of distance maps for ``"distance_map"`` input).

        Parameters
        ----------
        x : Tensor of shape (B, C, n) or (B, n)
            Finite input series; for ``input_kind="distance_map"`` a map
            ``(B, in_channels, n, m)``.
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail of the series axis is padding.

        Returns
        -------
        Tensor of shape (B, width)
        """
        if self.template_distance is None:
            return self.forward_distance_map(x, lengths=lengths)
        x = self.check_input(x)
        if not self._stem_reads_series():
            return self.forward_distance_map(self.template_distance(x), lengths=lengths)
        rows = None if lengths is None else torch.as_tensor(lengths, device=x.device)
        mask = _mask_2d(rows, None, x.shape[2], self.template_length, x.device)
        h, rows, cols, mask = self.stem.forward_templates(
            x, self.template_distance.templates, rows, mask)
        if not self.channels_last:
            h = h.contiguous()
        return self._forward_tower(h, rows, cols, mask)

    def _stem_reads_series(self):
        """Whether the stem convolution is computed from the series (no maps formed)."""
        return (self.fuse_template_stem and self.template_distance is not None
                and self.distance == "squared" and self.stem is not None)

    def forward_distance_map(self, d, lengths=None, lengths_m=None):
        """Run the convolution tower on precomputed distance maps.

        Parameters
        ----------
        d : Tensor of shape (B, map_channels, n, m)
            Distance maps: ``n_templates`` channels from the template layer, or
            ``in_channels`` for ``input_kind="distance_map"``.
        lengths : Tensor of shape (B,), optional
            Valid rows (first axis ``n``) of each map.
        lengths_m : Tensor of shape (B,), optional
            Valid columns (second axis ``m``), e.g. for pairs of padded series.

        Returns
        -------
        Tensor of shape (B, width)

        Examples
        --------
        >>> import torch
        >>> from sktsmtl.nets import ResNet2D
        >>> net = ResNet2D(input_kind="distance_map", n_blocks=1, width=4)
        >>> net.forward_distance_map(torch.rand(2, 1, 9, 7), lengths_m=torch.tensor([7, 5])).shape
        torch.Size([2, 4])
        """
        if d.dim() != 4 or d.shape[1] != self.map_channels:
            raise ValueError(
                f"distance maps must have shape (B, {self.map_channels}, n, m), got "
                f"{tuple(d.shape)}."
            )
        if self.channels_last:
            d = d.contiguous(memory_format=torch.channels_last)
        rows = None if lengths is None else torch.as_tensor(lengths, device=d.device)
        cols = None if lengths_m is None else torch.as_tensor(lengths_m, device=d.device)
        mask = _mask_2d(rows, cols, d.shape[2], d.shape[3], d.device)
        h = _apply_mask(d, mask)
        if self.stem is not None:
            h, rows, cols, mask = self.stem(h, rows, cols, mask)
        return self._forward_tower(h, rows, cols, mask)

    def _forward_tower(self, h, rows, cols, mask):
        """The residual blocks and the pooling, after the stem."""
        for block, down in zip(self.blocks, self.downsamples):
            h = _apply_mask(block(h, mask), mask)
            h, rows, cols, mask = down(h, rows, cols, mask)
        return self.masked_mean_pool(h, mask)


register_backbone("resnet2d", ResNet2D)
