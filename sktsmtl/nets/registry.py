"""Backbone names: the one table the estimators, the benchmark methods and the CLI read.

The built-in backbones register themselves when :mod:`sktsmtl.nets` is imported; a user
adds one with :func:`register_backbone`, after which ``backbone="<name>"`` works in every
estimator, and ``"<name>"`` and ``"<name>-mtl"`` in ``sktsmtl benchmark``.
"""

import inspect

from torch import nn

from .._names import lookup_key

__all__ = ["register_backbone", "get_backbone", "backbone_names"]

_REGISTRY = {}


def register_backbone(name, cls, *, overwrite=False):
    """Make a backbone class known by a name.

    Parameters
    ----------
    name : str
        The name estimators take as ``backbone=`` (lower case, no ``-mtl`` suffix, which
        the benchmark methods use). Looked up as every name of the package is: case,
        spaces, ``_`` and ``-`` do not count.
    cls : type
        A :class:`torch.nn.Module` subclass that follows the contract of
        :class:`~sktsmtl.nets.Backbone` (an ``in_channels`` argument, an
        ``embedding_dim`` attribute, ``forward(x, lengths=None)``).
    overwrite : bool, default=False
        Replace a class already registered under ``name``.

    Returns
    -------
    type
        ``cls``, so that the function can decorate a class.

    Examples
    --------
    >>> from sktsmtl.nets import ResNet1D, backbone_names, register_backbone
    >>> class WideResNet1D(ResNet1D):
    ...     presets = {"tiny": {"filters": (4, 4)}}
    >>> _ = register_backbone("wide-resnet1d", WideResNet1D)
    >>> "wide-resnet1d" in backbone_names()
    True
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"a backbone name must be a non-empty string, got {name!r}.")
    if name.endswith("-mtl"):
        raise ValueError(
            f"backbone name {name!r} ends in '-mtl', the suffix of the benchmark's "
            "multi-task methods; choose another name.")
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        raise TypeError(f"a backbone must be a torch.nn.Module subclass, got {cls!r}.")
    if "in_channels" not in inspect.signature(cls.__init__).parameters:
        raise TypeError(
            f"{cls.__name__}.__init__ must take 'in_channels' (the estimators set it "
            "from the data); see sktsmtl.nets.Backbone.")
    key = lookup_key(name)
    if key in _REGISTRY and _REGISTRY[key][1] is not cls and not overwrite:
        known, other = _REGISTRY[key]
        raise ValueError(
            f"backbone {name!r} is already registered as {known!r} ({other.__name__}); "
            "pass overwrite=True to replace it.")
    _REGISTRY[key] = (name, cls)
    return cls


def get_backbone(backbone):
    """The class of a backbone name, or the class itself.

    Parameters
    ----------
    backbone : str or type
        A registered name (case, spaces, ``_`` and ``-`` do not count), or a
        :class:`torch.nn.Module` subclass.

    Returns
    -------
    type

    Examples
    --------
    >>> from sktsmtl.nets import get_backbone
    >>> get_backbone("resnet1d").__name__
    'ResNet1D'
    """
    if inspect.isclass(backbone):
        if not issubclass(backbone, nn.Module):
            raise TypeError(f"a backbone must be a torch.nn.Module subclass, got {backbone!r}.")
        return backbone
    try:
        return _REGISTRY[lookup_key(backbone)][1]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown backbone {backbone!r}; known backbones: {backbone_names()} (add "
            "one with sktsmtl.nets.register_backbone, or pass the class)."
        ) from None


def backbone_names():
    """Registered backbone names, sorted.

    Returns
    -------
    list of str
    """
    return sorted(name for name, _ in _REGISTRY.values())
