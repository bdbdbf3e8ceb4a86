"""Pairwise point-to-point distance matrices: series against learnable templates, or
series against series.

The input layer of ResNet2D (Yeh et al. 2023, section III-B): for a series of length
``n`` and ``k`` templates of length ``m`` it gives the ``(k, n, m)`` stack of matrices
``D[c, i, j] = dist(x[:, i], template_c[:, j])``, which the 2D convolutions read like
the dynamic-programming table of DTW.
"""

import functools

import torch
from torch import nn

__all__ = ["pairwise_distance", "TemplateDistance", "PairwiseDistance"]

_DISTANCES = ("squared", "abs")
_INITS = ("normal", "random_walk")
# below this squared distance the square root is clamped (its gradient is infinite at 0)
_SQRT_EPS = 1e-12


def _check_distance(distance):
    if distance not in _DISTANCES:
        raise ValueError(f"distance must be one of {_DISTANCES}, got {distance!r}.")


def _as_3d(x, name):
    if x.dim() == 2:
        x = x.unsqueeze(1)
    if x.dim() != 3:
        raise ValueError(f"{name} must have shape (B, C, L) or (B, L), got {tuple(x.shape)}.")
    return x


class _SquaredTemplateDistance(torch.autograd.Function):
    """Squared Euclidean distances ``(B, C, n) x (k, C, m) -> (B, k, n, m)`` by expansion.

    ``||x_i||^2 + ||t_j||^2 - 2 <x_i, t_j>``: one ``(B n, C) @ (C, m k)`` product instead
    of a ``(B, k, n, m, C)`` broadcast. Rows ``(b, i)`` and columns ``(j, c)`` make the
    result a channels-last ``(B, k, n, m)`` view with no copy. The result is clamped at 0
    (rounding can make it slightly negative). The backward pass is analytic (two more
    products with the incoming gradient), i.e. the exact gradient of
    ``sum_c (x_ci - t_cj)^2``; the clamp, which only removes rounding error, is passed
    straight through. This avoids the full-size masks and copies that autograd would
    build for the clamp and the product (about 10 % of a ResNet2D training step).
    """

    @staticmethod
    def forward(ctx, x, templates, out_dtype=None):
        B, C, n = x.shape
        k, _, m = templates.shape
        x_rows = x.transpose(1, 2).reshape(B * n, C)
        t_cols = templates.permute(1, 2, 0).reshape(C, m * k)
        t_norm = templates.square().sum(dim=1).T.reshape(m * k)
        x_norm = x.square().sum(dim=1).reshape(B * n, 1)
        sq = torch.addmm(t_norm, x_rows, t_cols, alpha=-2.0).add_(x_norm).clamp_(min=0.0)
        if out_dtype is not None and out_dtype != sq.dtype:
            # computed in float32, handed to a bfloat16 tower in one cast; as the cast
            # is inside this function, its gradient arrives in bfloat16 and channels-last
            sq = sq.to(out_dtype)
        ctx.save_for_backward(x_rows, t_cols)
        ctx.shape = (B, C, n, k, m)
        return sq.view(B, n, m, k).permute(0, 3, 1, 2)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x_rows, t_cols = ctx.saved_tensors
        B, C, n, k, m = ctx.shape
        # (B, k, n, m) -> (B n, m k); free when grad is channels-last
        g = grad.permute(0, 2, 3, 1).reshape(B * n, m * k)
        grad_x = grad_t = None
        # a bfloat16 gradient (from an autocast tower) is multiplied as it is, with the
        # small operands cast to it: casting the large gradient would cost a full pass
        low = g.dtype
        if ctx.needs_input_grad[0]:
            # d/dx_ci = 2 x_ci sum_j g_ij - 2 sum_j g_ij t_cj; both sums in one product
            t_aug = torch.cat([t_cols, torch.ones_like(t_cols[:1])], dim=0)  # (C+1, m k)
            gt = (g @ t_aug.T.to(low)).to(x_rows.dtype)  # (B n, C+1)
            gx_rows = 2.0 * (x_rows * gt[:, C:] - gt[:, :C])
            grad_x = gx_rows.view(B, n, C).transpose(1, 2)
        if ctx.needs_input_grad[1]:
            # d/dt_cj = 2 t_cj sum_i g_ij - 2 sum_i x_ci g_ij
            x_aug = torch.cat([x_rows, torch.ones_like(x_rows[:, :1])], dim=1)  # (B n, C+1)
            xg = (x_aug.T.to(low) @ g).to(t_cols.dtype)  # (C+1, m k)
            gt_cols = 2.0 * (t_cols * xg[C:] - xg[:C])
            grad_t = gt_cols.view(C, m, k).permute(2, 0, 1)
        return grad_x, grad_t, None


def _in_float32(fn):
    """Run a distance computation in float32, also under bfloat16 autocast.

    ``|x|^2 + |t|^2 - 2 x.t`` cancels where ``x`` is close to ``t``: in bfloat16 (8 bits
    of mantissa) the small distances that matter most would be noise. Floating-point
    tensor arguments in a lower precision are cast up, autocast is off inside, and
    ``fn`` receives the autocast dtype (or None) as ``out_dtype`` to hand its result
    to the next layer in one cast.
    """
    def full(a):
        if isinstance(a, torch.Tensor) and a.is_floating_point() and a.element_size() < 4:
            return a.float()
        return a

    @functools.wraps(fn)
    def wrapper(*args):
        kind = args[0].device.type
        low = torch.get_autocast_dtype(kind) if torch.is_autocast_enabled(kind) else None
        with torch.autocast(device_type=kind, enabled=False):
            return fn(*map(full, args), out_dtype=low)

    return wrapper


@_in_float32
def _template_distance(x, templates, distance, out_dtype=None):
    """(B, C, n) against (k, C, m) -> (B, k, n, m), laid out channels-last."""
    if distance == "abs" and x.shape[1] == 1:
        # |a - b| directly: exact, and the broadcast is no larger than the output
        diff = x[:, 0, :, None, None] - templates[:, 0, :].T[None, None, :, :]
        return diff.abs().permute(0, 3, 1, 2)
    if distance == "abs":
        return _SquaredTemplateDistance.apply(x, templates).clamp(min=_SQRT_EPS).sqrt()
    return _SquaredTemplateDistance.apply(x, templates, out_dtype)


@_in_float32
def _pair_distance(a, b, distance, out_dtype=None):
    """(B, C, n) against (B, C, m), row by row -> (B, 1, n, m)."""
    if distance == "abs" and a.shape[1] == 1:
        return (a[:, 0, :, None] - b[:, 0, None, :]).abs().unsqueeze(1)
    a_norm = a.square().sum(dim=1)  # (B, n)
    b_norm = b.square().sum(dim=1)  # (B, m)
    sq = torch.baddbmm(b_norm.unsqueeze(1), a.transpose(1, 2), b, alpha=-2.0)
    sq = sq.add_(a_norm.unsqueeze(2)).clamp_(min=0.0)
    if distance == "abs":
        sq = sq.clamp(min=_SQRT_EPS).sqrt()
    return sq.unsqueeze(1)


def pairwise_distance(x, y, distance="squared", paired=False):
    """Distance between every point of ``x`` and every point of ``y``.

    Parameters
    ----------
    x : Tensor of shape (B, C, n) or (B, n)
        Input series.
    y : Tensor of shape (k, C, m) or (k, m)
        Templates when ``paired=False``: every row of ``x`` is compared with every one of
        the ``k`` series of ``y``. When ``paired=True``, ``y`` has ``B`` rows and row ``b``
        of ``x`` is compared with row ``b`` of ``y`` only.
    distance : {"squared", "abs"}, default="squared"
        ``"squared"``: squared Euclidean distance across channels, ``(a - b)^2`` for one
        channel. ``"abs"``: Euclidean distance across channels, ``|a - b|`` for one
        channel.
    paired : bool, default=False
        See ``y``.

    Returns
    -------
    Tensor of shape (B, k, n, m), or (B, 1, n, m) when ``paired=True``

    Notes
    -----
    Multichannel and squared distances are computed as ``||a||^2 + ||b||^2 - 2 a.b``
    with one matrix product (then clamped at 0), so memory is that of the output; no
    ``(B, k, n, m, C)`` tensor is formed. In float32 the expansion loses about ``1e-7``
    times ``||a||^2 + ||b||^2`` to cancellation, negligible for z-normalised series.
    Single-channel ``"abs"`` is computed directly. The square root of ``"abs"`` is taken
    of ``max(d^2, 1e-12)`` so its gradient stays finite where two points coincide.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.template_distance import pairwise_distance
    >>> x = torch.tensor([[0.0, 1.0, 3.0]])
    >>> pairwise_distance(x, torch.tensor([[1.0, 2.0]]))
    tensor([[[[1., 4.],
              [0., 1.],
              [4., 1.]]]])
    >>> pairwise_distance(x, x, distance="abs", paired=True).shape
    torch.Size([1, 1, 3, 3])
    """
    _check_distance(distance)
    x = _as_3d(x, "x")
    y = _as_3d(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"channel counts differ: x has {x.shape[1]}, y has {y.shape[1]}.")
    if paired:
        if x.shape[0] != y.shape[0]:
            raise ValueError(
                f"paired distances need as many rows in y as in x: {y.shape[0]} != {x.shape[0]}."
            )
        return _pair_distance(x, y, distance)
    return _template_distance(x, y, distance)


class TemplateDistance(nn.Module):
    """Distance matrices between input series and ``k`` learnable templates.

    The templates, of shape ``(n_templates, in_channels, template_length)``, are
    parameters shared by all tasks (Yeh et al. 2023, Fig. 3d). ``forward(x)`` maps
    ``(B, C, n)`` to ``(B, k, n, m)``: channel ``c`` is the ``n x m`` matrix of distances
    between every point of the series and every point of template ``c``.

    Parameters
    ----------
    n_templates : int
        Number of templates ``k`` (the channels of the output).
    template_length : int
        Length ``m`` of every template.
    in_channels : int, default=1
        Channels of the input series (and of the templates).
    distance : {"squared", "abs"}, default="squared"
        Point distance; across several channels the (squared) Euclidean distance. See
        :func:`pairwise_distance`.
    init : {"normal", "random_walk"}, default="normal"
        Template initialisation (open in the paper). ``"normal"``: i.i.d. N(0, 1) values,
        the scale of z-normalised series. ``"random_walk"``: cumulative sums of N(0, 1)
        steps, z-normalised per template and channel, so templates are smooth like many
        real series. Both draw from torch's global generator.

    Attributes
    ----------
    templates : torch.nn.Parameter of shape (n_templates, in_channels, template_length)

    Notes
    -----
    The output is a channels-last view (``torch.channels_last`` strides) obtained with no
    copy; 2D convolutions on CPU and GPU run fastest on that layout.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import TemplateDistance
    >>> layer = TemplateDistance(n_templates=8, template_length=16, in_channels=3)
    >>> layer(torch.randn(2, 3, 40)).shape
    torch.Size([2, 8, 40, 16])
    """

    def __init__(
        self, n_templates, template_length, in_channels=1, distance="squared", init="normal"
    ):
        super().__init__()
        _check_distance(distance)
        if init not in _INITS:
            raise ValueError(f"init must be one of {_INITS}, got {init!r}.")
        if int(n_templates) < 1 or int(template_length) < 1 or int(in_channels) < 1:
            raise ValueError(
                "n_templates, template_length and in_channels must be positive; got "
                f"{n_templates}, {template_length}, {in_channels}."
            )
        self.n_templates = int(n_templates)
        self.template_length = int(template_length)
        self.in_channels = int(in_channels)
        self.distance = distance
        self.init = init
        self.templates = nn.Parameter(
            torch.empty(self.n_templates, self.in_channels, self.template_length)
        )
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new templates following ``init``.

        Examples
        --------
        >>> from sktsmtl.nets import TemplateDistance
        >>> layer = TemplateDistance(2, 5, init="random_walk")
        >>> layer.reset_parameters()
        >>> float(layer.templates.detach().mean(dim=-1).abs().max()) < 1e-5
        True
        """
        with torch.no_grad():
            steps = torch.randn_like(self.templates)
            if self.init == "normal":
                self.templates.copy_(steps)
                return
            walk = steps.cumsum(dim=-1)
            walk = walk - walk.mean(dim=-1, keepdim=True)
            std = walk.std(dim=-1, keepdim=True, unbiased=False)
            self.templates.copy_(walk / std.clamp(min=1e-8))

    def forward(self, x):
        """Distance maps of a batch of series.

        Parameters
        ----------
        x : Tensor of shape (B, C, n) or (B, n)

        Returns
        -------
        Tensor of shape (B, n_templates, n, template_length)
        """
        x = _as_3d(x, "x")
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"TemplateDistance was built for {self.in_channels} channel(s), got "
                f"{x.shape[1]}."
            )
        return _template_distance(x, self.templates, self.distance)

    def extra_repr(self):
        return (
            f"n_templates={self.n_templates}, template_length={self.template_length}, "
            f"in_channels={self.in_channels}, distance={self.distance!r}, init={self.init!r}"
        )


class PairwiseDistance(nn.Module):
    """The ``n x m`` distance matrix between two series, row by row.

    The input of ResNet2D's distance-learning variant (Yeh et al. 2023, Fig. 3c): for
    ``a`` of shape ``(B, C, n)`` and ``b`` of shape ``(B, C, m)``, ``forward(a, b)``
    returns ``(B, 1, n, m)`` with ``out[i, 0, p, q] = dist(a[i, :, p], b[i, :, q])``.
    No parameters.

    Parameters
    ----------
    distance : {"squared", "abs"}, default="squared"
        See :func:`pairwise_distance`. DTW is usually defined on squared point distances.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import PairwiseDistance
    >>> a, b = torch.randn(5, 30), torch.randn(5, 20)
    >>> PairwiseDistance()(a, b).shape
    torch.Size([5, 1, 30, 20])
    """

    def __init__(self, distance="squared"):
        super().__init__()
        _check_distance(distance)
        self.distance = distance

    def forward(self, a, b):
        """Distance matrices of the pairs ``(a[i], b[i])``.

        Parameters
        ----------
        a : Tensor of shape (B, C, n) or (B, n)
        b : Tensor of shape (B, C, m) or (B, m)

        Returns
        -------
        Tensor of shape (B, 1, n, m)
        """
        return pairwise_distance(a, b, distance=self.distance, paired=True)

    def extra_repr(self):
        return f"distance={self.distance!r}"
