"""Plain :class:`torch.nn.Module` networks: the backbones (ResNet1D, ResNet2D, the TS2Vec
encoder, ConvTimeNet), the template-distance layer, the multi-task heads with per-task
normalisation statistics, and the MTCS classifier-sharing loss.

No skorch, no scikit-learn, no NumPy I/O here: these modules take and return tensors.
"""

from .heads import MultiTaskHead, MultiTaskNetwork
from .pair_distance import DistanceMapNet, SiameseDistanceNet
from .masking import MaskedBatchNorm1d, MaskedBatchNorm2d
from .resnet1d import ResNet1D
from .resnet2d import RESNET2D_PRESETS, ResNet2D
from .template_distance import PairwiseDistance, TemplateDistance, pairwise_distance
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
from .task_norm import attach_task_statistics, task_statistics

__all__ = [
    "ResNet1D",
    "ResNet2D",
    "RESNET2D_PRESETS",
    "TemplateDistance",
    "PairwiseDistance",
    "pairwise_distance",
    "MultiTaskHead",
    "MultiTaskNetwork",
    "SiameseDistanceNet",
    "DistanceMapNet",
    "MaskedBatchNorm1d",
    "MaskedBatchNorm2d",
    "ConvTimeNet",
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
]
