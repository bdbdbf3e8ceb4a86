"""Plain :class:`torch.nn.Module` networks: backbones, the template-distance layer and the
multi-task heads.

No skorch, no scikit-learn, no NumPy I/O here: these modules take and return tensors.
"""

from .heads import MultiTaskHead, MultiTaskNetwork
from .pair_distance import DistanceMapNet, SiameseDistanceNet
from .masking import MaskedBatchNorm1d, MaskedBatchNorm2d
from .resnet1d import ResNet1D
from .resnet2d import RESNET2D_PRESETS, ResNet2D
from .template_distance import PairwiseDistance, TemplateDistance, pairwise_distance

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
]
