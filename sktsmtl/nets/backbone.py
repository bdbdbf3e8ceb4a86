"""The backbone contract: what every network behind the estimators is, and its helpers.

A backbone maps a batch of series to one embedding per series. The estimators put one
linear head per task on top (:class:`~sktsmtl.nets.MultiTaskNetwork`), the SVM stage
reads the embedding, and the training layer pads the series of a batch at their end to
one length and passes the true lengths. :class:`Backbone` writes this down once, with
the helpers every backbone needs (input checks, padding masks, masked pooling, named
sizes), so that a new network is one class.
"""

import inspect
import numbers

from torch import nn
from torch.nn import functional as F

from .masking import length_mask, masked_mean

__all__ = ["Backbone", "SameConv1d", "check_int", "check_int_sequence", "parameter_names"]


def check_int(name, value, minimum=1):
    """``value`` as an int ``>= minimum``, else a ValueError naming ``name``.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : object
        Value to check; booleans are refused.
    minimum : int, default=1
        Smallest accepted value.

    Returns
    -------
    int

    Examples
    --------
    >>> from sktsmtl.nets.backbone import check_int
    >>> check_int("width", 8)
    8
    >>> check_int("width", 0)
    Traceback (most recent call last):
    ...
    ValueError: width must be an integer >= 1, got 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_int_sequence(name, values, minimum=1):
    """``values`` as a non-empty tuple of ints ``>= minimum``, else a ValueError.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    values : sequence of int
        Values to check.
    minimum : int, default=1
        Smallest accepted value.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> from sktsmtl.nets.backbone import check_int_sequence
    >>> check_int_sequence("filters", [4, 8])
    (4, 8)
    """
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of int, got {values!r}.") from None
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                         or v < minimum for v in values):
        raise ValueError(
            f"{name} must be a non-empty sequence of int >= {minimum}, got {values!r}.")
    return tuple(int(v) for v in values)


class SameConv1d(nn.Conv1d):
    """Stride-1 :class:`torch.nn.Conv1d` whose output has the length of its input.

    Zero padding of ``(k - 1) // 2`` steps on the left and ``k // 2`` on the right, the
    split of PyTorch's ``padding="same"`` (and of Keras' ``padding="same"``), but applied
    explicitly, so that even kernel sizes give no warning. A series padded at its tail
    with zeros therefore sees, at its last valid steps, the zeros that 'same' padding
    gives the unpadded series: zero the padding (:meth:`Backbone.apply_mask`) before
    each call.

    Parameters
    ----------
    in_channels : int
        Input channels.
    out_channels : int
        Output channels.
    kernel_size : int
        Kernel size (any ``k >= 1``, odd or even).
    bias : bool, default=False
        Learn an additive bias (redundant in front of batch norm, hence off).

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets.backbone import SameConv1d
    >>> SameConv1d(2, 3, kernel_size=8)(torch.randn(4, 2, 11)).shape
    torch.Size([4, 3, 11])
    """

    def __init__(self, in_channels, out_channels, kernel_size, bias=False):
        super().__init__(in_channels, out_channels, kernel_size, padding=0, bias=bias)
        self._pad = ((kernel_size - 1) // 2, kernel_size // 2)

    def forward(self, x):
        """Convolve ``x`` of shape ``(B, in_channels, L)`` to ``(B, out_channels, L)``."""
        return self.forward_with(x, self.weight, self.bias)

    def forward_with(self, x, weight, bias):
        """The convolution with other weights (a batch norm folded into them)."""
        if self._pad != (0, 0):
            x = F.pad(x, self._pad)
        return self._conv_forward(x, weight, bias)


class Backbone(nn.Module):
    """Base class of the networks that embed a batch of series.

    The contract that the estimators, the multi-task heads, the SVM stage and the
    benchmark rely on:

    - ``__init__(self, in_channels=1, **params)``: ``in_channels`` is set by the
      estimator from the data; every other argument is a plain keyword with a default,
      reachable from an estimator as ``backbone__<name>``.
    - ``embedding_dim`` (int): the size of the embedding, set in ``__init__``.
    - ``forward(x, lengths=None)``: ``x`` of shape ``(B, C, L)`` (or ``(B, L)``), finite;
      ``lengths`` ``(B,)`` the true length of every row when the tail is padding, or
      None. Returns ``(B, embedding_dim)``. A row's embedding must not depend on its
      padded values (zero them with :meth:`apply_mask`, exclude them from normalisation
      and pooling: :meth:`masked_mean_pool`, :meth:`masked_max_pool`).
    - ``presets`` (class attribute): named keyword sets for :meth:`from_preset`; every
      backbone has ``"tiny"`` (tests and smoke runs); ``"default"`` (the constructor's
      defaults) is always there.
    - ``paper_settings`` (class attribute, optional): the estimator parameters of the
      backbone's paper (``lr``, ``batch_size``, ...), which the benchmark methods
      ``"<name>"`` and ``"<name>-mtl"`` use; None (the default) keeps the classifier's
      defaults.

    A module of :mod:`sktsmtl.nets` that defines a backbone registers it at its end
    (:func:`~sktsmtl.nets.register_backbone`): the package imports every one of its
    modules, so a new backbone is one new module.

    Batch-norm layers are found by :func:`~sktsmtl.nets.attach_task_statistics`, which
    keeps their running statistics per task; nothing else is required of them.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input series.

    Attributes
    ----------
    in_channels : int
        Channels of the input series.

    Examples
    --------
    A backbone is one class: check the input, mask the padding, pool.

    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets import Backbone
    >>> class MeanConv(Backbone):
    ...     presets = {"tiny": {"width": 2}}
    ...     def __init__(self, in_channels=1, width=16):
    ...         super().__init__(in_channels)
    ...         self.width = width
    ...         self.conv = nn.Conv1d(self.in_channels, width, 3, padding=1)
    ...         self.embedding_dim = width
    ...     def forward(self, x, lengths=None):
    ...         x = self.check_input(x)
    ...         mask = self.padding_mask(lengths, x)
    ...         h = torch.relu(self.conv(self.apply_mask(x, mask)))
    ...         return self.masked_mean_pool(h, mask)
    >>> MeanConv.from_preset("tiny", in_channels=3)(torch.randn(4, 3, 10)).shape
    torch.Size([4, 2])
    >>> MeanConv.parameter_names()
    ('width',)
    """

    #: Named keyword sets of :meth:`from_preset`; subclasses define ``"tiny"``.
    presets = {}
    #: Estimator parameters of the backbone's paper, for its benchmark methods.
    paper_settings = None

    def __init__(self, in_channels=1):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels)

    # -- the contract ------------------------------------------------------------------
    def forward(self, x, lengths=None):  # pragma: no cover - abstract
        """Embed a batch of series: ``(B, C, L)`` -> ``(B, embedding_dim)``."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward().")

    @classmethod
    def parameter_names(cls):
        """Keyword arguments of the constructor, ``in_channels`` excluded.

        Returns
        -------
        tuple of str
        """
        return parameter_names(cls)

    @classmethod
    def from_preset(cls, name, **overrides):
        """Build the network of a named size.

        Parameters
        ----------
        name : str
            A key of the class's ``presets``, or ``"default"`` (no preset value).
        **overrides
            Other constructor arguments (``in_channels``, ...) or preset values to
            change.

        Returns
        -------
        Backbone
        """
        presets = {"default": {}, **getattr(cls, "presets", {})}
        if name not in presets:
            raise ValueError(
                f"unknown {cls.__name__} preset {name!r}; choose from {sorted(presets)}.")
        params = dict(presets[name])
        params.update(overrides)
        return cls(**params)

    # -- helpers -----------------------------------------------------------------------
    def check_input(self, x):
        """``x`` as ``(B, C, L)`` with the built channel count and ``L >= 1``.

        Parameters
        ----------
        x : Tensor of shape (B, C, L) or (B, L)

        Returns
        -------
        Tensor of shape (B, C, L)
        """
        name = type(self).__name__
        if x.dim() == 2:
            x = x.unsqueeze(1)
        if x.dim() != 3:
            raise ValueError(
                f"{name} expects (B, C, L) or (B, L) input, got shape {tuple(x.shape)}.")
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"{name} was built for {self.in_channels} channel(s), got {x.shape[1]}.")
        if x.shape[-1] < 1:
            raise ValueError(f"{name} needs series of length >= 1, got length 0.")
        return x

    @staticmethod
    def padding_mask(lengths, x):
        """``(B, 1, L)`` mask of the valid steps of ``x``, or None when nothing is padded.

        Parameters
        ----------
        lengths : Tensor of shape (B,) or None
        x : Tensor of shape (B, C, L)

        Returns
        -------
        Tensor of shape (B, 1, L), dtype bool, or None
        """
        mask = length_mask(lengths, x.shape[-1])
        if mask is None:
            return None
        return mask.to(x.device).unsqueeze(1)

    @staticmethod
    def apply_mask(x, mask):
        """Zero the padded positions of ``x`` (no work when ``mask`` is None)."""
        return x if mask is None else x * mask

    @staticmethod
    def masked_mean_pool(x, mask):
        """Global average over the axes after the channel axis, padding excluded."""
        return masked_mean(x, mask)

    @staticmethod
    def masked_max_pool(x, mask):
        """Global max over the time axis, padding excluded: ``(B, C, L)`` -> ``(B, C)``."""
        if mask is not None:
            x = x.masked_fill(~mask.bool(), float("-inf"))
        return x.amax(dim=-1)


def parameter_names(cls):
    """Keyword arguments a backbone class accepts (``in_channels`` excluded).

    Parameters
    ----------
    cls : type
        A :class:`torch.nn.Module` subclass.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from sktsmtl.nets import ResNet1D
    >>> from sktsmtl.nets.backbone import parameter_names
    >>> parameter_names(ResNet1D)
    ('filters', 'kernel_sizes')
    """
    signature = inspect.signature(cls.__init__)
    return tuple(name for name, p in signature.parameters.items()
                 if name not in ("self", "in_channels")
                 and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
