"""ConvTimeNet: deformable patches read by large-kernel depthwise convolutional blocks.

Cheng et al. (2024), "ConvTimeNet: A Deep Hierarchical Fully Convolutional Model for
Multivariate Time Series Analysis". The series is cut into overlapping patches whose
position and width a small network adapts to the data (the deformable patch layer,
DePatch); every patch becomes one token of ``d_model`` features, and a stack of fully
convolutional blocks (depthwise convolution over the patch axis, then a pointwise
feed-forward network, each with a learnable residual weight) reads the token sequence.
Max pooling over the patches gives the embedding.
"""

import numbers

import torch
from torch import nn
from torch.nn import functional as F

from .backbone import Backbone, check_int
from .masking import MaskedBatchNorm1d, length_mask
from .registry import register_backbone

__all__ = ["ConvTimeNet", "ConvTimeNetBlock", "DeformablePatchEmbedding", "patch_counts"]

# Width of the offset predictor's hidden layer (fixed in the reference implementation).
_OFFSET_HIDDEN = 64


_apply_mask = Backbone.apply_mask


def _same_padding(kernel_size):
    """'same' zero padding as PyTorch splits it: (k - 1) // 2 left, k // 2 right."""
    return (kernel_size - 1) // 2, kernel_size // 2


def patch_counts(lengths, patch_size, patch_stride):
    """Number of patches needed to cover series of the given lengths.

    A series of length ``l`` is zero-padded at its end to ``(n - 1) * S + P``, the
    shortest length that ``n`` patches of size ``P`` and stride ``S`` cover exactly:
    ``n = ceil((l - P) / S) + 1``; a series shorter than one patch gets one patch.

    Parameters
    ----------
    lengths : Tensor of int of shape (B,)
        Series lengths (>= 1).
    patch_size, patch_stride : int
        Patch geometry, ``1 <= patch_stride <= patch_size``.

    Returns
    -------
    Tensor of int of shape (B,)

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.convtimenet import patch_counts
    >>> patch_counts(torch.tensor([1, 16, 17, 100]), 16, 8)
    tensor([ 1,  1,  2, 12])
    """
    excess = (lengths - patch_size).clamp(min=0)
    return torch.div(excess + patch_stride - 1, patch_stride, rounding_mode="floor") + 1


class DeformablePatchEmbedding(nn.Module):
    """Deformable patch embedding (DePatch) of Cheng et al. (2024).

    The series, zero-padded at its end so that patches of size ``P`` and stride ``S``
    cover it (see :func:`patch_counts`), is read patch by patch. A predictor
    ``Conv1d(C -> 64, kernel P, stride S) -> GELU -> Conv1d(64 -> 2, kernel 1)`` gives
    every patch ``i`` an offset ``dx`` and a raw half-width ``ds_raw``; the patch window
    is ``[a_i + dx - ds, a_i + dx + ds]`` with anchor ``a_i = i * S + (P - 1) / 2`` and
    ``ds = ReLU(ds_raw + (P - 1) / 2)``. ``P`` points spaced evenly over the window are
    read by linear interpolation, every channel at the same points; the ``C x P`` patch
    goes through a dense projection to ``d_model``, GELU and batch norm.

    Decisions left open by the sources: sampling positions are clamped to the row's
    padded series ``[0, (n - 1) * S + P - 1]``; the predictor's last convolution starts
    at zero (weights and bias) so that at initialisation every window is the regular
    patch ``[i * S, i * S + P - 1]`` and the layer starts as a plain patch embedding,
    then learns to move and stretch the windows (its gradient is not zero at
    initialisation, see the tests).

    Parameters
    ----------
    in_channels : int
        Channels of the input series.
    d_model : int
        Features per patch.
    patch_size : int
        Patch size ``P``.
    patch_stride : int
        Patch stride ``S`` (``1 <= S <= P``).
    deformable : bool, default=True
        False reads the regular patches (no predictor): the plain patch embedding.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.convtimenet import DeformablePatchEmbedding
    >>> emb = DeformablePatchEmbedding(2, 8, patch_size=4, patch_stride=2)
    >>> features, mask = emb(torch.randn(3, 2, 10))
    >>> features.shape, mask is None
    (torch.Size([3, 8, 4]), True)
    """

    def __init__(self, in_channels, d_model, patch_size, patch_stride, deformable=True):
        super().__init__()
        self.in_channels = int(in_channels)
        self.patch_size = int(patch_size)
        self.patch_stride = int(patch_stride)
        self.deformable = bool(deformable)
        if self.deformable:
            self.offset_predictor = nn.Sequential(
                nn.Conv1d(self.in_channels, _OFFSET_HIDDEN, self.patch_size,
                          stride=self.patch_stride),
                nn.GELU(),
                nn.Conv1d(_OFFSET_HIDDEN, 2, 1),
            )
            # zero offsets at start: the deformable patch begins as the regular patch
            nn.init.zeros_(self.offset_predictor[-1].weight)
            nn.init.zeros_(self.offset_predictor[-1].bias)
        else:
            self.offset_predictor = None
        self.projection = nn.Linear(self.in_channels * self.patch_size, d_model)
        self.norm = MaskedBatchNorm1d(d_model)

    def _pad(self, x, lengths):
        """Zero the tail beyond ``lengths``, pad to the cover; return padded x and counts."""
        batch, _, length = x.shape
        if lengths is None:
            lengths = torch.full((batch,), length, dtype=torch.long, device=x.device)
        else:
            mask = length_mask(lengths, length)
            lengths = torch.as_tensor(lengths, device=x.device).long()
            if mask is not None:
                x = x * mask.to(x.device).unsqueeze(1)
        counts = patch_counts(lengths, self.patch_size, self.patch_stride)
        if counts.device.type == "cpu":
            n_patches = int(counts.max())
        else:
            # the patch count of the padded length: the largest row count would have to
            # be read back from the device (a GPU synchronisation per batch); patches
            # beyond a row's own count are masked everywhere
            n_patches = 1 + max(0, -(-(length - self.patch_size) // self.patch_stride))
        covered = (n_patches - 1) * self.patch_stride + self.patch_size
        # pads, or (CPU) crops a tail that only padding of shorter rows occupies
        x = F.pad(x, (0, covered - length))
        return x, counts

    def _positions(self, x_pad, counts):
        """Sampling positions (B, N, P) on the padded series, clamped per row."""
        batch = x_pad.shape[0]
        P, S = self.patch_size, self.patch_stride
        n_patches = (x_pad.shape[-1] - P) // S + 1
        starts = torch.arange(n_patches, device=x_pad.device, dtype=x_pad.dtype) * S
        steps = torch.arange(P, device=x_pad.device, dtype=x_pad.dtype)
        if self.offset_predictor is None:
            positions = (starts[:, None] + steps[None, :]).expand(batch, -1, -1)
            return positions.contiguous()
        offsets = self.offset_predictor(x_pad).transpose(1, 2)  # (B, N, 2)
        dx, ds_raw = offsets[..., :1], offsets[..., 1:]
        half = (P - 1) / 2
        ds = torch.relu(ds_raw + half)
        # window left end plus j equal steps; written so that at dx = ds_raw = 0 the
        # positions are exactly i * S + j (no rounding), the regular patch
        left = starts[None, :, None] + half + dx - ds
        if P == 1:
            positions = left + ds
        else:
            positions = left + steps[None, None, :] * (ds / half)
        last = ((counts - 1) * S + P - 1).to(x_pad.dtype)
        return torch.minimum(positions.clamp(min=0.0), last[:, None, None])

    def _interpolate(self, x_pad, positions):
        """Linear interpolation of every channel at ``positions``: (B, N, C, P)."""
        batch, channels, length = x_pad.shape
        _, n_patches, P = positions.shape
        floor = positions.detach().floor()
        weight = (positions - floor).reshape(batch, 1, -1)
        lo = floor.long().clamp(max=length - 1).reshape(batch, 1, -1)
        hi = (lo + 1).clamp(max=length - 1)
        lo = lo.expand(batch, channels, -1)
        hi = hi.expand(batch, channels, -1)
        values = x_pad.gather(2, lo) * (1 - weight) + x_pad.gather(2, hi) * weight
        return values.reshape(batch, channels, n_patches, P).transpose(1, 2)

    def sample_patches(self, x, lengths=None):
        """Read the (deformed) patches of a batch.

        Parameters
        ----------
        x : Tensor of shape (B, C, L)
            Series, padded at their tail when ``lengths`` is given.
        lengths : Tensor of shape (B,), optional
            True length of each row.

        Returns
        -------
        patches : Tensor of shape (B, N, C, P)
            The sampled patches; ``N`` covers the longest row.
        positions : Tensor of shape (B, N, P)
            Sampling positions on the time axis (0-based, fractional).
        counts : Tensor of int of shape (B,)
            Number of valid patches of each row (:func:`patch_counts`).
        """
        x_pad, counts = self._pad(x, lengths)
        positions = self._positions(x_pad, counts)
        return self._interpolate(x_pad, positions), positions, counts

    def forward(self, x, lengths=None):
        """Embed the patches of a batch.

        Parameters
        ----------
        x : Tensor of shape (B, C, L)
            Series, padded at their tail when ``lengths`` is given.
        lengths : Tensor of shape (B,), optional
            True length of each row.

        Returns
        -------
        features : Tensor of shape (B, d_model, N)
            Patch features, zero at patches that are not valid for their row.
        mask : Tensor of shape (B, 1, N), dtype bool, or None
            Valid patches of each row; None when every row has all ``N`` patches.
        """
        patches, _, counts = self.sample_patches(x, lengths)
        batch, n_patches = patches.shape[:2]
        features = F.gelu(self.projection(patches.reshape(batch, n_patches, -1)))
        features = features.transpose(1, 2)
        # without lengths every row has all its patches: no mask, whatever the device
        # (length_mask cannot take its fast path on a GPU without reading counts back)
        mask = None if lengths is None else length_mask(counts, n_patches)
        if mask is not None:
            mask = mask.unsqueeze(1)
        return _apply_mask(self.norm(features, mask), mask), mask


class ConvTimeNetBlock(nn.Module):
    """One fully convolutional ConvTimeNet block over the patch axis.

    ``x <- BN(x + Dropout(a1 * GELU(DWConv_K(x) + DWConv_k(x))))``, then
    ``x <- BN(x + Dropout(a2 * FFN(x)))`` with ``FFN = Conv1x1(d -> d_ff) -> GELU ->
    Dropout -> Conv1x1(d_ff -> d)``; the depthwise convolutions (kernel ``K`` and the
    small kernel ``k``) are 'same' zero padded, ``a1`` and ``a2`` are learnable scalars
    starting at 0.5.

    Re-parameterisation: the two depthwise branches are linear, so their sum is one
    depthwise convolution whose kernel is the large kernel plus the small kernel
    zero-padded to ``K`` (biases added). Training mode runs the two branches; evaluation
    mode runs the merged kernel, computed from the current parameters at every call
    (nothing is stored, the state dict is the same in both modes). ``merged=True`` or
    ``False`` in :meth:`forward` picks a path explicitly.

    Parameters
    ----------
    d_model : int
        Channels of the patch sequence.
    d_ff : int
        Hidden channels of the feed-forward network.
    kernel_size : int
        Large depthwise kernel ``K``.
    small_kernel : int, default=3
        Small depthwise kernel ``k <= K``.
    dropout : float, default=0.1
        Dropout of the residual branches and inside the feed-forward network.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.convtimenet import ConvTimeNetBlock
    >>> block = ConvTimeNetBlock(8, 16, kernel_size=7).eval()
    >>> x = torch.randn(2, 8, 5)
    >>> torch.allclose(block(x, merged=True), block(x, merged=False), atol=1e-5)
    True
    """

    def __init__(self, d_model, d_ff, kernel_size, small_kernel=3, dropout=0.1):
        super().__init__()
        self.kernel_size = int(kernel_size)
        self.small_kernel = int(small_kernel)
        self.large_conv = nn.Conv1d(d_model, d_model, self.kernel_size, groups=d_model)
        self.small_conv = nn.Conv1d(d_model, d_model, self.small_kernel, groups=d_model)
        self.conv_scale = nn.Parameter(torch.tensor(0.5))
        self.conv_norm = MaskedBatchNorm1d(d_model)
        self.ffn = nn.Sequential(
            nn.Conv1d(d_model, d_ff, 1),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Conv1d(d_ff, d_model, 1),
        )
        self.ffn_scale = nn.Parameter(torch.tensor(0.5))
        self.ffn_norm = MaskedBatchNorm1d(d_model)
        self.dropout = nn.Dropout(dropout)

    def merged_kernel(self):
        """The single depthwise convolution equal to the sum of the two branches.

        Returns
        -------
        weight : Tensor of shape (d_model, 1, K)
        bias : Tensor of shape (d_model,)
        """
        # align the small kernel's 'same' centre on the large one's
        left = _same_padding(self.kernel_size)[0] - _same_padding(self.small_kernel)[0]
        right = self.kernel_size - self.small_kernel - left
        weight = self.large_conv.weight + F.pad(self.small_conv.weight, (left, right))
        return weight, self.large_conv.bias + self.small_conv.bias

    def _depthwise(self, x, merged):
        if merged:
            weight, bias = self.merged_kernel()
            return F.conv1d(F.pad(x, _same_padding(self.kernel_size)), weight, bias,
                            groups=x.shape[1])
        large = self.large_conv(F.pad(x, _same_padding(self.kernel_size)))
        small = self.small_conv(F.pad(x, _same_padding(self.small_kernel)))
        return large + small

    def forward(self, x, mask=None, merged=None):
        """Apply the block.

        Parameters
        ----------
        x : Tensor of shape (B, d_model, N)
            Patch sequence.
        mask : Tensor of shape (B, 1, N), optional
            Valid patches; invalid ones are zeroed before the convolution and left out
            of the batch-norm statistics (their output values are meaningless).
        merged : bool, optional
            Depthwise path: True the merged kernel, False the two branches, None (the
            default) the two branches in training mode and the merged kernel in
            evaluation mode.

        Returns
        -------
        Tensor of shape (B, d_model, N)
        """
        if merged is None:
            merged = not self.training
        # the unpadded series sees zeros past its last patch: so must the padded one
        x = _apply_mask(x, mask)
        h = F.gelu(self._depthwise(x, merged))
        x = self.conv_norm(x + self.dropout(self.conv_scale * h), mask)
        # pointwise from here on: invalid patches cannot reach valid ones
        h = self.ffn(x)
        return self.ffn_norm(x + self.dropout(self.ffn_scale * h), mask)


_check_int = check_int


class ConvTimeNet(Backbone):
    """ConvTimeNet backbone (Cheng et al. 2024) mapping a series to an embedding.

    A deformable patch embedding (:class:`DeformablePatchEmbedding`: patches of size
    ``patch_size`` and stride ``patch_stride`` whose position and width a small network
    predicts, each projected to ``d_model`` features) followed by one
    :class:`ConvTimeNetBlock` per entry of ``kernel_sizes`` (large-kernel depthwise
    convolution re-parameterised with a small kernel, pointwise feed-forward network,
    learnable residual weights, batch norm) and max pooling over the patches. The
    patches span all channels, so the model is multivariate by nature.

    Decisions left open by the sources:

    - A series is zero-padded at its end to the shortest length that whole patches cover
      (:func:`patch_counts`); a series shorter than one patch is padded to one patch, so
      any length ``>= 1`` is accepted and the patch count follows the input length (the
      net is not tied to the training length).
    - The offset predictor's last layer starts at zero: training starts from the plain
      patch embedding.
    - Training mode runs the two depthwise branches of every block; evaluation mode the
      merged kernel, computed at each call from the current parameters (the state dict
      does not change; see :class:`ConvTimeNetBlock`).
    - ``patch_stride <= patch_size`` is required: a larger stride would leave samples
      that no patch reads.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.
    patch_size : int, default=16
        Patch size ``P`` (the reference uses 4 to 64 depending on the data set).
    patch_stride : int, default=8
        Patch stride ``S``, ``1 <= S <= P``.
    d_model : int, default=64
        Features per patch, and size of the embedding.
    d_ff : int, default=256
        Hidden channels of every block's feed-forward network.
    kernel_sizes : tuple of int, default=(19, 19, 29, 29, 37, 37)
        Large depthwise kernel of each block; one block per entry.
    small_kernel : int, default=3
        Small depthwise kernel merged into each large one; at most ``min(kernel_sizes)``.
    dropout : float, default=0.1
        Dropout rate in the blocks.
    deformable : bool, default=True
        False uses the regular patches (no offset predictor): the ablation of the paper.

    Attributes
    ----------
    embedding_dim : int
        Size of the embedding, ``d_model``.
    patch_embedding : DeformablePatchEmbedding
    blocks : torch.nn.ModuleList of ConvTimeNetBlock

    Notes
    -----
    ``forward(x, lengths=None)`` accepts ``x`` of shape ``(B, C, L)`` (or ``(B, L)`` for
    univariate series) and returns ``(B, d_model)``. The input must be finite: missing
    values are imputed by the caller. When rows were padded at their tail to a common
    length ``L``, pass their true ``lengths`` ``(B,)``. Row ``i`` then keeps exactly the
    ``patch_counts(lengths[i])`` patches its unpadded series would have (so every patch
    that starts beyond its true length is dropped): its padded tail is zeroed, its
    sampling positions are clamped to its own padded series, the patches beyond are
    zeroed before every depthwise convolution and left out of every batch-norm statistic
    and of the max pooling. Hence a row's embedding does not depend on its padded
    values, and in evaluation mode it equals the embedding of the unpadded series.

    References
    ----------
    M. Cheng, J. Yang, T. Pan, Q. Liu and Z. Li, "ConvTimeNet: A Deep Hierarchical Fully
    Convolutional Model for Multivariate Time Series Analysis", 2024, arXiv:2403.01493.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import ConvTimeNet
    >>> net = ConvTimeNet(in_channels=2, d_model=16, d_ff=32, kernel_sizes=(7, 7))
    >>> net(torch.randn(4, 2, 50)).shape
    torch.Size([4, 16])
    >>> net(torch.randn(4, 2, 50), lengths=torch.tensor([50, 40, 30, 3])).shape
    torch.Size([4, 16])
    """

    presets = {"tiny": dict(patch_size=4, patch_stride=2, d_model=8, d_ff=16,
                            kernel_sizes=(5,), dropout=0.0)}

    # the training settings of its paper, for its benchmark methods
    paper_settings = dict(lr=1e-3, batch_size=32, weight_decay=0.0, early_stopping=None)

    def __init__(self, in_channels=1, patch_size=16, patch_stride=8, d_model=64, d_ff=256,
                 kernel_sizes=(19, 19, 29, 29, 37, 37), small_kernel=3, dropout=0.1,
                 deformable=True):
        super().__init__(in_channels)
        self.patch_size = _check_int("patch_size", patch_size, 1)
        self.patch_stride = _check_int("patch_stride", patch_stride, 1)
        if self.patch_stride > self.patch_size:
            raise ValueError(
                f"patch_stride ({patch_stride}) must not exceed patch_size ({patch_size}): "
                "samples between patches would be skipped."
            )
        self.d_model = _check_int("d_model", d_model, 1)
        self.d_ff = _check_int("d_ff", d_ff, 1)
        try:
            kernel_sizes = tuple(kernel_sizes)
        except TypeError:
            raise ValueError(
                f"kernel_sizes must be a sequence of int (one per block), got {kernel_sizes!r}."
            ) from None
        if not kernel_sizes:
            raise ValueError("kernel_sizes must be non-empty (one kernel per block).")
        self.kernel_sizes = tuple(_check_int("kernel_sizes entry", k, 1) for k in kernel_sizes)
        self.small_kernel = _check_int("small_kernel", small_kernel, 1)
        if self.small_kernel > min(self.kernel_sizes):
            raise ValueError(
                f"small_kernel ({small_kernel}) must not exceed the smallest of kernel_sizes "
                f"{self.kernel_sizes}: it is merged into every large kernel."
            )
        if not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a float in [0, 1), got {dropout!r}.")
        self.dropout = float(dropout)
        self.deformable = bool(deformable)
        self.patch_embedding = DeformablePatchEmbedding(
            self.in_channels, self.d_model, self.patch_size, self.patch_stride,
            deformable=self.deformable,
        )
        self.blocks = nn.ModuleList(
            ConvTimeNetBlock(self.d_model, self.d_ff, k, self.small_kernel, self.dropout)
            for k in self.kernel_sizes
        )
        self.embedding_dim = self.d_model

    def forward(self, x, lengths=None, merged=None):
        """Embed a batch of series.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)
            Finite input series.
        lengths : Tensor of shape (B,), optional
            True length of each row when the tail is padding.
        merged : bool, optional
            Depthwise path of every block: True the re-parameterised (merged) kernel,
            False the two branches, None (default) the branches in training mode and the
            merged kernel in evaluation mode.

        Returns
        -------
        Tensor of shape (B, d_model)
        """
        x = self.check_input(x)
        features, mask = self.patch_embedding(x, lengths)
        for block in self.blocks:
            features = block(features, mask, merged=merged)
        return self.masked_max_pool(features, mask)


register_backbone("convtimenet", ConvTimeNet)
