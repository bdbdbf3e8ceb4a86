"""Classifiers: the multi-task network, per-task meta-estimator and 1NN-DTW."""

from .per_task import PerTaskClassifier

__all__ = ["PerTaskClassifier"]
