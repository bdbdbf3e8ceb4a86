"""ResNet1D: the fully convolutional residual network of Wang, Yan & Oates (2017).

The baseline backbone of the ResNet2D paper (Yeh et al. 2023, section III-A).
"""

from torch import nn

from .backbone import Backbone, SameConv1d, check_int_sequence
from .masking import MaskedBatchNorm1d, can_fold, folded_conv_norm
from .registry import register_backbone

__all__ = ["ResNet1D"]

_apply_mask = Backbone.apply_mask

# the class's former private name, kept so that networks pickled before it moved to
# :mod:`sktsmtl.nets.backbone` still load
_SameConv1d = SameConv1d


class _ResidualBlock1D(nn.Module):
    """Conv-BN-ReLU x (n-1), Conv-BN, shortcut (1x1 conv + BN, or BN), add, ReLU."""

    def __init__(self, in_channels, out_channels, kernel_sizes):
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        c = in_channels
        for k in kernel_sizes:
            # bias is redundant in front of batch norm
            self.convs.append(SameConv1d(c, out_channels, k))
            self.norms.append(MaskedBatchNorm1d(out_channels))
            c = out_channels
        if in_channels != out_channels:
            self.shortcut_conv = nn.Conv1d(in_channels, out_channels, 1, bias=False)
        else:
            self.shortcut_conv = None
        self.shortcut_norm = MaskedBatchNorm1d(out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x, mask=None):
        h = x
        last = len(self.convs) - 1
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            # evaluation mode: the batch norm folded into the convolution
            h = folded_conv_norm(conv, norm, h) if can_fold(self, norm) else norm(conv(h), mask)
            if i < last:
                h = _apply_mask(self.relu(h), mask)
        if self.shortcut_conv is None:
            s = self.shortcut_norm(x, mask)
        elif can_fold(self, self.shortcut_norm):
            s = folded_conv_norm(self.shortcut_conv, self.shortcut_norm, x)
        else:
            s = self.shortcut_norm(self.shortcut_conv(x), mask)
        return _apply_mask(self.relu(h + s), mask)


class ResNet1D(Backbone):
    """Residual 1D convolutional network mapping a series to an embedding.

    Architecture (Wang, Yan & Oates 2017; the baseline of Yeh et al. 2023): residual
    blocks of ``Conv1d(k=8) -> BN -> ReLU -> Conv1d(k=5) -> BN -> ReLU -> Conv1d(k=3) ->
    BN`` with ``padding="same"`` and stride 1; the shortcut is a 1x1 convolution + BN
    where the channel count changes and BN alone where it does not; the two paths are
    added, then ReLU. Global average pooling over time gives the embedding.

    Decisions left open by the sources: kernel 8 is kept as in the original, with 'same'
    zero padding split as PyTorch's ``padding="same"`` does it (``(k - 1) // 2`` left,
    ``k // 2`` right: 3 and 4 for k=8); the convolutions have no bias since batch norm
    follows each one.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    filters : tuple of int, default=(64, 128, 128)
        Output channels of each residual block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel sizes of the convolutions inside every block.

    Attributes
    ----------
    embedding_dim : int
        Size of the embedding, ``filters[-1]``.

    Notes
    -----
    ``forward(x, lengths=None)`` accepts ``x`` of shape ``(B, C, L)`` (or ``(B, L)`` for
    univariate series) and returns ``(B, embedding_dim)``. The input must be finite:
    missing values are imputed by the caller. When rows were padded at their tail to a
    common length ``L``, pass their true ``lengths`` ``(B,)``: padded positions are then
    zeroed before every convolution, excluded from batch-norm statistics and from the
    global average pooling, so a row's embedding does not depend on its padded values,
    and in evaluation mode it equals the embedding of the unpadded series.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import ResNet1D
    >>> net = ResNet1D(in_channels=2)
    >>> net(torch.randn(4, 2, 50)).shape
    torch.Size([4, 128])
    >>> net(torch.randn(4, 2, 50), lengths=torch.tensor([50, 40, 30, 3])).shape
    torch.Size([4, 128])
    """

    presets = {"tiny": dict(filters=(4, 4), kernel_sizes=(3, 3))}
    # the ResNet2D paper's training settings, for its benchmark methods
    paper_settings = dict(lr=1e-4, batch_size=40, early_stopping=None)

    def __init__(self, in_channels=1, filters=(64, 128, 128), kernel_sizes=(8, 5, 3)):
        super().__init__(in_channels)
        filters = check_int_sequence("filters", filters)
        kernel_sizes = check_int_sequence("kernel_sizes", kernel_sizes)
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        blocks = []
        c = self.in_channels
        for f in filters:
            blocks.append(_ResidualBlock1D(c, f, kernel_sizes))
            c = f
        self.blocks = nn.ModuleList(blocks)
        self.embedding_dim = filters[-1]

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
        for block in self.blocks:
            x = block(x, mask)
        return self.masked_mean_pool(x, mask)


register_backbone("resnet1d", ResNet1D)
