"""FCN: the fully convolutional network of Wang, Yan & Oates (2017).

The third network of that paper, beside its MLP and ResNet (:class:`ResNet1D`).
"""

from torch import nn

from .backbone import Backbone, SameConv1d, check_int_sequence
from .masking import MaskedBatchNorm1d, can_fold, folded_conv_norm
from .registry import register_backbone

__all__ = ["FCN"]


class FCN(Backbone):
    """Fully convolutional network mapping a series to an embedding.

    Architecture (Wang, Yan & Oates 2017): three blocks of ``Conv1d -> BN -> ReLU``
    with 128, 256 and 128 filters of kernel 8, 5 and 3, ``padding="same"`` and stride
    1, then global average pooling over time; no residual connections, no pooling
    between blocks. Kernel 8 is kept as in the original, with 'same' zero padding split
    as PyTorch's ``padding="same"`` does it; the convolutions have no bias since batch
    norm follows each one.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    filters : tuple of int, default=(128, 256, 128)
        Output channels of each block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel size of each block's convolution (one per block).

    Attributes
    ----------
    embedding_dim : int
        Size of the embedding, ``filters[-1]``.
    paper_settings : dict
        The training settings of the reference implementation (Adam at lr 1e-3,
        batches of 16; no weight decay): the benchmark methods ``"fcn"`` and
        ``"fcn-mtl"`` use them.

    Notes
    -----
    ``forward(x, lengths=None)`` takes ``(B, C, L)`` (or ``(B, L)``) and returns
    ``(B, embedding_dim)``. With ``lengths``, padded steps are zeroed before every
    convolution and left out of the batch-norm statistics and the pooling, so a row's
    embedding does not depend on its padding.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import FCN
    >>> net = FCN(in_channels=2)
    >>> net(torch.randn(4, 2, 50), lengths=torch.tensor([50, 40, 30, 3])).shape
    torch.Size([4, 128])
    """

    presets = {"tiny": dict(filters=(4, 4), kernel_sizes=(3, 3))}
    paper_settings = dict(lr=1e-3, batch_size=16, weight_decay=0.0, early_stopping=None)

    def __init__(self, in_channels=1, filters=(128, 256, 128), kernel_sizes=(8, 5, 3)):
        super().__init__(in_channels)
        filters = check_int_sequence("filters", filters)
        kernel_sizes = check_int_sequence("kernel_sizes", kernel_sizes)
        if len(filters) != len(kernel_sizes):
            raise ValueError(f"FCN has one kernel size per block: got {len(filters)} "
                             f"filters and {len(kernel_sizes)} kernel_sizes.")
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        c = self.in_channels
        for f, k in zip(filters, kernel_sizes):
            self.convs.append(SameConv1d(c, f, k))
            self.norms.append(MaskedBatchNorm1d(f))
            c = f
        self.relu = nn.ReLU(inplace=True)
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
        for conv, norm in zip(self.convs, self.norms):
            # evaluation mode: the batch norm folded into the convolution
            x = folded_conv_norm(conv, norm, x) if can_fold(self, norm) else norm(conv(x), mask)
            x = self.apply_mask(self.relu(x), mask)
        return self.masked_mean_pool(x, mask)


register_backbone("fcn", FCN)
