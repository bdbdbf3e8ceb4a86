"""Learnt distances: :class:`DTWApproximator` regresses the DTW distance of pairs of series.

The distance-learning experiment of Yeh et al. (2023): a Siamese ResNet1D or a ResNet2D
reading the pair's pairwise distance matrix is trained to approximate exact DTW (or
soft-DTW) under a warping window.
"""

from .dtw_approximator import DTWApproximator, check_pairs

__all__ = ["DTWApproximator", "check_pairs"]
