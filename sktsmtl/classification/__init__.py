"""Classifiers: the multi-task network, per-task meta-estimator and 1NN-DTW."""

from .knn import KNeighborsDTWClassifier
from .multitask import MultiTaskTimeSeriesClassifier
from .per_task import PerTaskClassifier
from .svm import CrossValidatedSVC

__all__ = ["MultiTaskTimeSeriesClassifier", "PerTaskClassifier", "KNeighborsDTWClassifier",
           "CrossValidatedSVC"]
