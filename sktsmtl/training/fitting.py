"""Inference entry points of the estimators: lists of series of one task in, logits or
embeddings of a fitted :class:`MultiTaskNet` out."""

import numpy as np

from .dataset import TaskDataset

__all__ = ["predict_task_logits", "predict_head_logits", "task_embeddings"]


def _dataset(series, task, ref_length):
    return TaskDataset(series, np.full(len(series), task, dtype=np.int64),
                       reference_lengths={task: ref_length})


def predict_task_logits(net, series, task, ref_length):
    """Logits of one task's series.

    Parameters
    ----------
    net : MultiTaskNet
    series : list of ndarray of shape (C, L_i)
    task : int
        Task index in the net.
    ref_length : int
        The task's padded length at fit.

    Returns
    -------
    ndarray of shape (n, n_classes)
    """
    return net.forward_task(_dataset(series, task, ref_length)).numpy()


def predict_head_logits(net, series, task, ref_length):
    """Logits of every head of ``net`` on one task's series.

    Parameters
    ----------
    net : MultiTaskNet
    series : list of ndarray of shape (C, L_i)
    task : int
        Task index of the series in the net (selects its normalisation statistics).
    ref_length : int
        The task's padded length at fit.

    Returns
    -------
    list of ndarray
        ``(n, n_classes_h)`` per head, in head order.
    """
    return net.forward_all_heads(_dataset(series, task, ref_length))


def task_embeddings(net, series, task, ref_length):
    """Shared embeddings of one task's series, shape ``(n, embedding_dim)``."""
    return net.embed(_dataset(series, task, ref_length))
