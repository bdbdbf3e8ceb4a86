"""TS2VecEncoder: the dilated convolutional encoder of TS2Vec (Yue et al. 2022).

The backbone of MTCS (Wang et al. 2022, section 3.2): a per-time-step input projection,
training-time timestamp masking, a stack of dilated residual convolution blocks and max
pooling over time.
"""

import numbers

import torch
from torch import nn
from torch.nn import functional as F

from .backbone import Backbone, check_int
from .masking import length_mask
from .registry import register_backbone

__all__ = ["TS2VecEncoder"]

_apply_mask = Backbone.apply_mask
_check_int = check_int


def _check_probability(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    return float(value)


class _DilatedSameConv1d(nn.Conv1d):
    """Stride-1 dilated Conv1d with 'same' output length.

    The receptive field ``(k - 1) * dilation + 1`` is centred: zero padding
    ``(rf - 1) // 2`` on the left and ``rf // 2`` on the right (PyTorch's
    ``padding="same"`` split, as :class:`~sktsmtl.nets.ResNet1D`), symmetric for odd k.
    """

    def __init__(self, in_channels, out_channels, kernel_size, dilation):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        total = (kernel_size - 1) * dilation
        self._pad = (total // 2, total - total // 2)

    def forward(self, x):
        if self._pad != (0, 0):
            x = F.pad(x, self._pad)
        return super().forward(x)


class _DilatedBlock(nn.Module):
    """GELU -> dilated conv -> GELU -> dilated conv, plus the (projected) input."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation, project):
        super().__init__()
        self.conv1 = _DilatedSameConv1d(in_channels, out_channels, kernel_size, dilation)
        self.conv2 = _DilatedSameConv1d(out_channels, out_channels, kernel_size, dilation)
        self.projection = nn.Conv1d(in_channels, out_channels, 1) if project else None

    def forward(self, x, mask=None):
        residual = x if self.projection is None else self.projection(x)
        # zero the padded / missing steps before each convolution, so that they reach
        # the valid steps as the zeros of 'same' padding would
        h = self.conv1(_apply_mask(F.gelu(x), mask))
        h = self.conv2(_apply_mask(F.gelu(h), mask))
        return h + residual


class TS2VecEncoder(Backbone):
    """Dilated convolutional encoder of TS2Vec mapping a series to a representation.

    Architecture (Yue et al. 2022; the encoder of MTCS, Wang et al. 2022): a
    ``Linear(in_channels -> hidden_dim)`` applied to every time step; in training mode,
    binomial timestamp masking of the projected steps; ``depth`` residual blocks of
    ``hidden_dim`` channels and one final block to ``output_dim``, block ``i`` with
    kernel ``kernel_size`` and dilation ``2**i`` (``i = 0 .. depth``, the final block
    included), each ``GELU -> conv -> GELU -> conv`` plus the input, through a 1x1
    convolution where the channel count changes and always on the final block; 'same'
    padding, so every block keeps the length; no normalisation layers; dropout on the
    per-step output; max pooling over time gives the representation.

    Time steps with a NaN in any channel are missing: they are set to 0 after the
    projection, zeroed before every convolution and left out of the max pooling; so
    are the padded steps beyond ``lengths``.

    Decisions left open by the sources:

    * The timestamp mask and the dropout draw from torch's global RNG (TS2Vec's mask
      uses NumPy's), so ``torch.manual_seed`` makes a training pass repeatable.
    * The timestamp mask zeroes the projected steps once, at the input of the
      convolutions, as TS2Vec does; masked steps stay valid steps (the convolutions
      fill them from their context, and they take part in the pooling). Missing and
      padded steps instead are zeroed before every convolution and never pooled, so a
      padded row's evaluation-mode representation equals the unpadded series'. TS2Vec
      only zeroes missing steps at the input and pools over every step.
    * Dropout acts on the per-step representations before the pooling, where TS2Vec
      applies it to its output.
    * The convolutions keep their bias (there is no normalisation after them). For an
      even ``kernel_size`` the 'same' padding puts the extra zero on the right.
    * TS2Vec evaluates an SWA-averaged copy of the weights; weight averaging is a
      training matter (:class:`torch.optim.swa_utils.AveragedModel`), not part of
      this module.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    hidden_dim : int, default=64
        Channels of the projection and of the ``depth`` hidden blocks.
    output_dim : int, default=320
        Size of the representation (channels of the final block).
    depth : int, default=10
        Number of hidden residual blocks (the final block comes on top).
    kernel_size : int, default=3
        Kernel size of every dilated convolution.
    mask_p : float, default=0.5
        Probability, per (sample, time step), that a projected step is masked in
        training mode; 0 disables the masking.
    dropout : float, default=0.1
        Dropout probability on the output.

    Attributes
    ----------
    embedding_dim : int
        Size of the representation, ``output_dim``.
    receptive_field : int
        Time steps one output step can see: ``1 + 2 * (kernel_size - 1) *
        (2**(depth + 1) - 1)`` (two convolutions per block).
    input_projection : torch.nn.Linear
    blocks : torch.nn.ModuleList
        The ``depth + 1`` residual blocks.

    Notes
    -----
    ``forward(x, lengths=None)`` accepts ``x`` of shape ``(B, C, L)`` (or ``(B, L)`` for
    univariate series) and returns ``(B, embedding_dim)``. When rows were padded at
    their tail to a common length ``L``, pass their true ``lengths`` ``(B,)``; the
    padded values (NaN or anything else) are then ignored. Every row needs at least
    one observed step.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import TS2VecEncoder
    >>> net = TS2VecEncoder(in_channels=2, hidden_dim=8, output_dim=16, depth=3)
    >>> net(torch.randn(4, 2, 50)).shape
    torch.Size([4, 16])
    >>> net(torch.randn(4, 2, 50), lengths=torch.tensor([50, 40, 30, 3])).shape
    torch.Size([4, 16])
    >>> net.receptive_field
    61
    """

    presets = {"tiny": dict(hidden_dim=8, output_dim=8, depth=2)}

    def __init__(self, in_channels=1, hidden_dim=64, output_dim=320, depth=10, kernel_size=3,
                 mask_p=0.5, dropout=0.1):
        super().__init__(in_channels)
        self.hidden_dim = _check_int("hidden_dim", hidden_dim, 1)
        self.output_dim = _check_int("output_dim", output_dim, 1)
        self.depth = _check_int("depth", depth, 0)
        self.kernel_size = _check_int("kernel_size", kernel_size, 1)
        self.mask_p = _check_probability("mask_p", mask_p)
        self.dropout_p = _check_probability("dropout", dropout)
        self.input_projection = nn.Linear(self.in_channels, self.hidden_dim)
        widths = [self.hidden_dim] * self.depth + [self.output_dim]
        blocks = []
        c = self.hidden_dim
        for i, w in enumerate(widths):
            final = i == self.depth
            blocks.append(_DilatedBlock(c, w, self.kernel_size, 2 ** i,
                                        project=final or c != w))
            c = w
        self.blocks = nn.ModuleList(blocks)
        self.dropout = nn.Dropout(self.dropout_p)
        self.embedding_dim = self.output_dim
        self.receptive_field = 1 + 2 * (self.kernel_size - 1) * (2 ** (self.depth + 1) - 1)

    def _valid_steps(self, x, lengths):
        """Input with missing/padded steps zeroed, and the (B, L) mask of valid steps."""
        x = self.check_input(x)
        valid = length_mask(lengths, x.shape[-1])
        if valid is not None:
            valid = valid.to(x.device)
        missing = torch.isnan(x).any(dim=1)
        if x.device.type != "cpu":
            # no data-dependent branch or check on an accelerator: reading a flag back
            # to the host would synchronise it at every batch (inputs of the training
            # layer are imputed and validated before they reach the device)
            valid = ~missing if valid is None else valid & ~missing
            return x.masked_fill(~valid.unsqueeze(1), 0.0), valid
        if bool(missing.any()):
            valid = ~missing if valid is None else valid & ~missing
        if valid is None:
            return x, None
        if not bool(valid.any(dim=1).all()):
            empty = (~valid.any(dim=1)).nonzero().flatten().tolist()
            raise ValueError(
                f"rows {empty} have no observed time step (all NaN or padding): a "
                "representation needs at least one."
            )
        return x.masked_fill(~valid.unsqueeze(1), 0.0), valid

    def _encode(self, x, lengths):
        x, valid = self._valid_steps(x, lengths)
        h = self.input_projection(x.transpose(1, 2))  # (B, L, hidden)
        keep = valid
        if self.training and self.mask_p > 0:
            observed = torch.rand(h.shape[:2], device=h.device) >= self.mask_p
            keep = observed if keep is None else keep & observed
        if keep is not None:
            h = h * keep.unsqueeze(-1).to(h.dtype)
        h = h.transpose(1, 2)  # (B, hidden, L)
        mask = None if valid is None else valid.unsqueeze(1).to(h.dtype)
        for block in self.blocks:
            h = block(h, mask)
        return self.dropout(h), valid

    def timestep_representations(self, x, lengths=None):
        """Per-time-step representations, before the pooling.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)
            Input series; NaN marks missing steps.
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail is padding.

        Returns
        -------
        Tensor of shape (B, embedding_dim, L)
            NaN at missing and padded steps.

        Examples
        --------
        >>> import torch
        >>> from sktsmtl.nets import TS2VecEncoder
        >>> net = TS2VecEncoder(hidden_dim=4, output_dim=6, depth=2).eval()
        >>> net.timestep_representations(torch.randn(3, 20)).shape
        torch.Size([3, 6, 20])
        """
        h, valid = self._encode(x, lengths)
        if valid is None:
            return h
        return h.masked_fill(~valid.unsqueeze(1), float("nan"))

    def forward(self, x, lengths=None):
        """Represent a batch of series.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)
            Input series; NaN marks missing steps.
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail is padding.

        Returns
        -------
        Tensor of shape (B, embedding_dim)
            Max over the valid time steps of the per-step representations.
        """
        h, valid = self._encode(x, lengths)
        return self.masked_max_pool(h, None if valid is None else valid.unsqueeze(1))


register_backbone("ts2vec", TS2VecEncoder)
