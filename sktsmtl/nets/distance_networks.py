"""Networks that map a pair of series to one distance (the DTW approximators' nets)."""

import torch
from torch import nn

from .resnet1d import ResNet1D
from .resnet2d import ResNet2D
from .template_distance import pairwise_distance

__all__ = ["SiameseDistanceNet", "DistanceMapNet"]


class SiameseDistanceNet(nn.Module):
    """Siamese distance network: a shared encoder -> Linear(embedding, 128) -> l2 distance.

    Parameters
    ----------
    encoder : torch.nn.Module, default=None
        The backbone embedding each series (any :class:`Backbone`); None builds a
        univariate :class:`ResNet1D` with its defaults, the network of Yeh et al. (2023,
        Fig. 2c).
    projection_dim : int, default=128
        Size of the projected vectors whose l2 distance is the output.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import ResNet1D, SiameseDistanceNet
    >>> net = SiameseDistanceNet(ResNet1D(filters=(4, 4, 4)))
    >>> net(torch.randn(2, 1, 10), torch.randn(2, 1, 12), None, None).shape
    torch.Size([2])
    """

    def __init__(self, encoder=None, projection_dim=128):
        super().__init__()
        self.encoder = ResNet1D() if encoder is None else encoder
        self.projection = nn.Linear(self.encoder.embedding_dim, projection_dim)

    def embed(self, x, lengths=None):
        return self.projection(self.encoder(x, lengths=lengths))

    def forward(self, a, b, len_a, len_b):
        u, v = self.embed(a, len_a), self.embed(b, len_b)
        # eps keeps the gradient of the square root finite for identical embeddings
        return torch.sqrt((u - v).square().sum(dim=1) + 1e-12)


class DistanceMapNet(nn.Module):
    """ResNet2D reading a pair's ``n x m x 1`` squared-distance matrix -> Linear(width, 1).

    Parameters
    ----------
    tower : ResNet2D, default=None
        A :class:`ResNet2D` built with ``input_kind="distance_map"`` and
        ``in_channels=1``; None builds one with the defaults.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import DistanceMapNet, ResNet2D
    >>> tower = ResNet2D(input_kind="distance_map", n_blocks=1, width=4)
    >>> net = DistanceMapNet(tower)
    >>> net(torch.randn(2, 1, 10), torch.randn(2, 1, 12), None, None).shape
    torch.Size([2])
    """

    def __init__(self, tower=None):
        super().__init__()
        if tower is None:
            tower = ResNet2D(input_kind="distance_map", in_channels=1)
        if getattr(tower, "input_kind", None) != "distance_map" or tower.in_channels != 1:
            raise ValueError(
                "DistanceMapNet reads one squared-distance map per pair: its tower must be "
                "a ResNet2D with input_kind='distance_map' and in_channels=1.")
        self.tower = tower
        self.head = nn.Linear(self.tower.embedding_dim, 1)

    def distance_map(self, a, b):
        return pairwise_distance(a, b, distance="squared", paired=True)

    def forward_map(self, d, len_a=None, len_b=None):
        h = self.tower.forward_distance_map(d, lengths=len_a, lengths_m=len_b)
        return self.head(h).squeeze(1)

    def forward(self, a, b, len_a, len_b):
        return self.forward_map(self.distance_map(a, b), len_a, len_b)
