"""Construction of the multi-task network from an estimator's parameters."""

import importlib
import inspect

from ..nets import MultiTaskHead, MultiTaskNetwork

__all__ = [
    "BACKBONES",
    "BACKBONE_PARAMETERS",
    "backbone_class",
    "backbone_parameter_names",
    "build_network",
]

#: Backbone names accepted by the estimators, with the class that builds each
#: (``module:Class`` in :mod:`sktsmtl.nets`, imported when first used).
BACKBONES = {
    "resnet1d": "resnet1d:ResNet1D",
    "resnet2d": "resnet2d:ResNet2D",
    "ts2vec": "ts2vec:TS2VecEncoder",
    "convtimenet": "convtimenet:ConvTimeNet",
}

#: Estimator-level parameters forwarded to each backbone (when not None): the ones a
#: grid search tunes. Everything else goes through ``backbone_params``.
BACKBONE_PARAMETERS = {
    "resnet1d": (),
    "resnet2d": ("n_templates", "template_length"),
    "ts2vec": (),
    "convtimenet": ("patch_size", "patch_stride", "d_model", "kernel_sizes"),
}


def backbone_class(backbone):
    """The ``torch.nn.Module`` class of a backbone name.

    Parameters
    ----------
    backbone : str
        A key of :data:`BACKBONES`.

    Returns
    -------
    type
    """
    try:
        module, name = BACKBONES[backbone].split(":")
    except KeyError:
        raise ValueError(
            f"unknown backbone {backbone!r}; known backbones: {sorted(BACKBONES)}."
        ) from None
    return getattr(importlib.import_module(f"sktsmtl.nets.{module}"), name)


def backbone_parameter_names(backbone):
    """Keyword arguments a backbone accepts (``in_channels`` excluded).

    Parameters
    ----------
    backbone : str
        A key of :data:`BACKBONES`.

    Returns
    -------
    tuple of str
    """
    signature = inspect.signature(backbone_class(backbone).__init__)
    return tuple(name for name, p in signature.parameters.items()
                 if name not in ("self", "in_channels")
                 and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def build_network(backbone, in_channels, n_classes, backbone_params=None,
                  task_norm_stats=True, **estimator_params):
    """Build backbone + one linear head per task.

    Parameters
    ----------
    backbone : str
        A key of :data:`BACKBONES`.
    in_channels : int
        Channels of the input series.
    n_classes : list of int
        Class count of every task, in task-index order.
    backbone_params : dict or None
        Further keyword arguments of the backbone class.
    task_norm_stats : bool, default=True
        Batch-norm running statistics per task (see :class:`~sktsmtl.nets.MultiTaskNetwork`).
    **estimator_params
        Estimator-level backbone parameters such as ``n_templates`` or ``patch_size``;
        those that :data:`BACKBONE_PARAMETERS` lists for ``backbone`` are passed on
        when not None (they override ``backbone_params``), the others are ignored.

    Returns
    -------
    MultiTaskNetwork
    """
    cls = backbone_class(backbone)
    params = dict(backbone_params or {})
    accepted = backbone_parameter_names(backbone)
    for key in params:
        if key == "in_channels":
            raise ValueError(
                "backbone_params: 'in_channels' is set from the data (the series' channel "
                "count); leave it out.")
        if key not in accepted:
            raise ValueError(
                f"backbone_params: {key!r} is not a parameter of backbone {backbone!r}; "
                f"it accepts {list(accepted)}.")
    for name in BACKBONE_PARAMETERS[backbone]:
        if estimator_params.get(name) is not None:
            params[name] = estimator_params[name]
    try:
        net = cls(in_channels=in_channels, **params)
    except (TypeError, ValueError) as exc:
        # the backbone's own check names the parameter; say which backbone it was
        raise ValueError(f"invalid parameters for backbone {backbone!r}: {exc}") from None
    head = MultiTaskHead(net.embedding_dim, list(n_classes))
    return MultiTaskNetwork(net, head, task_norm_stats=task_norm_stats)
