"""Plain :class:`torch.nn.Module` networks: the backbone contract (:class:`Backbone`) and
the registry of backbone names, the backbones (:func:`backbone_names` lists them), the
template-distance layer and the convolution of its maps computed from the series, the
multi-task heads with per-task normalisation statistics, and the MTCS
classifier-sharing loss.

No skorch, no scikit-learn, no NumPy I/O here: these modules take and return tensors.
Every module of this package is imported with it: a backbone module registers its class
at its end, and the registered classes are public names of the package, so a new
backbone is one new module.
"""

import importlib
import pkgutil

from .backbone import Backbone, parameter_names
from .registry import backbone_names, get_backbone, register_backbone
from .heads import MultiTaskHead
from .multitask_network import MultiTaskNetwork
from .distance_networks import DistanceMapNet, SiameseDistanceNet
from .masking import MaskedBatchNorm1d, MaskedBatchNorm2d
from .resnet1d import ResNet1D
from .resnet2d import RESNET2D_PRESETS, ResNet2D
from .template_distance import PairwiseDistance, TemplateDistance, pairwise_distance
from .template_conv import template_conv2d
from .ts2vec import TS2VecEncoder
from .ts2vec_loss import (
    HierarchicalContrastiveLoss,
    hierarchical_contrastive_loss,
    instance_contrastive_loss,
    temporal_contrastive_loss,
)
from .sharing import (
    ClassifierSharingLoss,
    pair_sharing_loss,
    relevance_mask,
    task_affinity,
)
from .convtimenet import ConvTimeNet
from .inceptiontime import InceptionTime
from .minirocket import MiniRocket
from .hydra import Hydra
from .task_norm import attach_task_statistics, reset_task_statistics, task_statistics

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
#: The backbones that the package's own modules register (before any of the user's).
BUILTIN_BACKBONES = tuple(backbone_names())

__all__ = [
    "Backbone",
    "register_backbone",
    "get_backbone",
    "backbone_names",
    "ResNet1D",
    "ResNet2D",
    "RESNET2D_PRESETS",
    "TemplateDistance",
    "PairwiseDistance",
    "pairwise_distance",
    "template_conv2d",
    "MultiTaskHead",
    "MultiTaskNetwork",
    "SiameseDistanceNet",
    "DistanceMapNet",
    "MaskedBatchNorm1d",
    "MaskedBatchNorm2d",
    "ConvTimeNet",
    "InceptionTime",
    "MiniRocket",
    "Hydra",
    "TS2VecEncoder",
    "hierarchical_contrastive_loss",
    "instance_contrastive_loss",
    "temporal_contrastive_loss",
    "HierarchicalContrastiveLoss",
    "task_affinity",
    "relevance_mask",
    "pair_sharing_loss",
    "ClassifierSharingLoss",
    "attach_task_statistics",
    "task_statistics",
    "parameter_names",
    "reset_task_statistics",
    "BUILTIN_BACKBONES",
]
# the registered classes of the package's own modules are public names too
for _name in BUILTIN_BACKBONES:
    _cls = get_backbone(_name)
    globals()[_cls.__name__] = _cls
    if _cls.__name__ not in __all__:
        __all__.append(_cls.__name__)
del _module, _name, _cls
