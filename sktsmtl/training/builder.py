"""Construction of a backbone from an estimator's ``backbone__*`` parameters, and of the
multi-task network around it."""

from ..nets import MultiTaskHead, MultiTaskNetwork, get_backbone, parameter_names

__all__ = ["accepted_backbone_parameters", "build_backbone", "build_network"]


def accepted_backbone_parameters(backbone):
    """The ``backbone__<name>`` names a backbone takes: its keyword arguments and ``preset``.

    Parameters
    ----------
    backbone : str or type
        A registered name or a backbone class.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from sktsmtl.training.builder import accepted_backbone_parameters
    >>> accepted_backbone_parameters("resnet1d")
    ('filters', 'kernel_sizes', 'preset')
    """
    cls = get_backbone(backbone)
    names = parameter_names(cls)
    return names + (("preset",) if hasattr(cls, "from_preset") else ())


def _label(backbone):
    return repr(backbone) if isinstance(backbone, str) else get_backbone(backbone).__name__


def build_backbone(backbone, in_channels, params=None, fixed=None):
    """Build a backbone from routed parameters, with errors that name them.

    Parameters
    ----------
    backbone : str or type
        A registered name or a :class:`torch.nn.Module` subclass.
    in_channels : int
        Channels of the series, from the data.
    params : dict, default=None
        The user's ``backbone__<name>`` values, keyed by ``<name>``; ``preset`` picks
        a named size (:meth:`~sktsmtl.nets.Backbone.from_preset`) that the others
        override.
    fixed : dict, default=None
        Arguments the estimator sets itself (the user may not pass them).

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> from sktsmtl.training.builder import build_backbone
    >>> build_backbone("resnet2d", 1, {"preset": "tiny", "n_templates": 3}).n_templates
    3
    >>> try:
    ...     build_backbone("resnet1d", 1, {"n_templates": 3})
    ... except ValueError as exc:
    ...     print(exc)
    backbone__n_templates: 'resnet1d' takes no parameter 'n_templates'; it accepts
    backbone__filters, backbone__kernel_sizes, backbone__preset.
    """
    cls = get_backbone(backbone)
    params = dict(params or {})
    fixed = dict(fixed or {})
    accepted = accepted_backbone_parameters(cls)
    for key in params:
        if key == "in_channels" or key in fixed:
            raise ValueError(
                f"backbone__{key}: {_label(backbone)}'s {key!r} is set by the estimator "
                f"({'from the data' if key == 'in_channels' else 'for this estimator'}); "
                "leave it out.")
        if key not in accepted:
            raise ValueError(
                f"backbone__{key}: {_label(backbone)} takes no parameter {key!r}; it "
                f"accepts {', '.join('backbone__' + a for a in accepted)}.")
    preset = params.pop("preset", None)
    try:
        if preset is not None:
            net = cls.from_preset(preset, in_channels=in_channels, **params, **fixed)
        else:
            net = cls(in_channels=in_channels, **params, **fixed)
    except (TypeError, ValueError) as exc:
        # the backbone's own check names the parameter; say which backbone it was
        raise ValueError(f"invalid parameters for backbone {_label(backbone)}: {exc}") from None
    if not isinstance(getattr(net, "embedding_dim", None), int):
        raise TypeError(
            f"backbone {_label(backbone)} has no integer 'embedding_dim' attribute after "
            "__init__; see the contract of sktsmtl.nets.Backbone.")
    return net


def build_network(backbone, n_classes, task_norm_stats=True):
    """A built backbone with one linear head per task.

    Parameters
    ----------
    backbone : torch.nn.Module
        From :func:`build_backbone`.
    n_classes : list of int
        Class count of every task, in task-index order.
    task_norm_stats : bool, default=True
        Batch-norm running statistics per task (see
        :class:`~sktsmtl.nets.MultiTaskNetwork`).

    Returns
    -------
    MultiTaskNetwork
    """
    head = MultiTaskHead(backbone.embedding_dim, list(n_classes))
    return MultiTaskNetwork(backbone, head, task_norm_stats=task_norm_stats)
