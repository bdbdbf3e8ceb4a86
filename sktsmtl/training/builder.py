"""Construction of the multi-task network from an estimator's parameters."""

from ..nets import MultiTaskHead, MultiTaskNetwork, ResNet1D, ResNet2D

__all__ = ["BACKBONES", "build_network"]

#: Backbone names accepted by the estimators, with the class that builds each.
BACKBONES = {
    "resnet1d": ResNet1D,
    "resnet2d": ResNet2D,
}


def build_network(backbone, in_channels, n_classes, n_templates=None, template_length=None,
                  backbone_params=None):
    """Build backbone + one linear head per task.

    Parameters
    ----------
    backbone : str
        A key of :data:`BACKBONES`.
    in_channels : int
        Channels of the input series.
    n_classes : list of int
        Class count of every task, in task-index order.
    n_templates, template_length : int or None
        ResNet2D's template count and length (None: the backbone's default); ignored by
        other backbones.
    backbone_params : dict or None
        Further keyword arguments of the backbone class.

    Returns
    -------
    MultiTaskNetwork
    """
    params = dict(backbone_params or {})
    if backbone == "resnet2d":
        if n_templates is not None:
            params["n_templates"] = n_templates
        if template_length is not None:
            params["template_length"] = template_length
    try:
        cls = BACKBONES[backbone]
    except KeyError:
        raise ValueError(
            f"unknown backbone {backbone!r}; known backbones: {sorted(BACKBONES)}."
        ) from None
    net = cls(in_channels=in_channels, **params)
    head = MultiTaskHead(net.embedding_dim, list(n_classes))
    return MultiTaskNetwork(net, head)

