"""Classifiers: the multi-task network, per-task meta-estimator, 1NN-DTW and the
ROCKET-family peer, soft voting over tasks."""

from .knn import KNeighborsDTWClassifier
from .multitask import MultiTaskTimeSeriesClassifier
from .per_task import PerTaskClassifier
from .rocket import RocketClassifier
from .svm import CrossValidatedSVC
from .voting import MultiTaskVotingClassifier, make_rocket_vote

from .base import MultiTaskClassifierMixin

__all__ = ["MultiTaskTimeSeriesClassifier", "PerTaskClassifier", "KNeighborsDTWClassifier",
           "CrossValidatedSVC", "RocketClassifier", "MultiTaskVotingClassifier",
           "make_rocket_vote",
           "MultiTaskClassifierMixin"]
