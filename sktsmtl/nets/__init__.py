"""Plain :class:`torch.nn.Module` networks: the backbone contract (:class:`Backbone`) and
the registry of backbone names, the backbones (ResNet1D, ResNet2D, the TS2Vec encoder,
ConvTimeNet, InceptionTime, MiniRocket), the template-distance layer and the convolution of its
maps computed from the series, the multi-task heads with
per-task normalisation statistics, and the MTCS classifier-sharing loss.

No skorch, no scikit-learn, no NumPy I/O here: these modules take and return tensors.
"""

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
from .task_norm import attach_task_statistics, reset_task_statistics, task_statistics

for _name, _cls in (("resnet1d", ResNet1D), ("resnet2d", ResNet2D),
                    ("ts2vec", TS2VecEncoder), ("convtimenet", ConvTimeNet),
                    ("inceptiontime", InceptionTime), ("minirocket", MiniRocket)):
    register_backbone(_name, _cls)
del _name, _cls

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
]
