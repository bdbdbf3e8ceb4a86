"""Fit and inference entry points used by the estimators.

They turn lists of series and index arrays into a :class:`TaskDataset`, build the
network and the :class:`MultiTaskNet` from plain parameters, and keep every source of
randomness on seeds drawn from one ``random_state`` inside a forked torch RNG, so a fit
does not disturb the caller's global random state and is repeatable on CPU.
"""

import numpy as np
import torch
from skorch.callbacks import EarlyStopping

from .builder import build_network
from .callbacks import BestEpochRestorer, TaskAccuracy
from .dataset import TaskDataset
from .device import resolve_device, seed_sequence
from .net import MultiTaskNet
from .split import TaskStratifiedSplit

__all__ = ["fit_task_network", "predict_task_logits", "predict_head_logits", "task_embeddings"]


def fit_task_network(series, task_index, y, n_classes, task_names, *, backbone,
                     backbone_params=None, task_norm_stats=True, sharing="hard", alpha=0.1,
                     tau=2.0, max_epochs=100, batch_size=40, lr=1e-4, weight_decay=1e-2,
                     validation_fraction=0.25, early_stopping=None, device="cpu",
                     random_state=None, verbose=0, callbacks=None, **estimator_params):
    """Build and train one multi-task network.

    Parameters
    ----------
    series : list of ndarray of shape (C, L_i)
        Training series, without NaN.
    task_index : ndarray of int of shape (n,)
        Task index of every row.
    y : ndarray of int of shape (n,)
        Class index of every row within its task.
    n_classes : list of int
        Class count per task index.
    task_names : list of str
        Display name per task index (history keys, progress lines).
    backbone, backbone_params, task_norm_stats
        See :func:`build_network`.
    sharing : {"hard", "mtcs"}, default="hard"
        "mtcs" adds the classifier-sharing loss of Wang et al. (2022) with weight
        ``alpha`` and relevance threshold ``tau``.
    alpha, tau : float
        Parameters of the sharing loss.
    max_epochs, batch_size, lr, weight_decay, validation_fraction, early_stopping,
    device, random_state, verbose, callbacks
        As in :class:`~sktsmtl.MultiTaskTimeSeriesClassifier`.
    **estimator_params
        Estimator-level backbone parameters (``n_templates``, ``patch_size``, ...);
        see :func:`build_network`.

    Returns
    -------
    MultiTaskNet
        The fitted net with the best validation epoch's weights.
    """
    device = resolve_device(device)
    weight_seed, split_seed, sampler_seed = seed_sequence(random_state, 3)
    dataset = TaskDataset(series, task_index, y)
    cbs = [("task_accuracy", TaskAccuracy(task_names)),
           ("best_epoch", BestEpochRestorer("valid_acc"))]
    if early_stopping is not None:
        cbs.append(("early_stopping", EarlyStopping(monitor="valid_acc", patience=early_stopping,
                                                    lower_is_better=False, threshold=0.0)))
    cbs.extend(callbacks or [])
    train_split = (TaskStratifiedSplit(validation_fraction, split_seed, task_names)
                   if validation_fraction > 0 else None)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(weight_seed)
        module = build_network(backbone, series[0].shape[0], n_classes, backbone_params,
                               task_norm_stats, **estimator_params)
        sharing_loss = None
        if sharing == "mtcs" and len(n_classes) > 1:
            from ..nets.sharing import ClassifierSharingLoss
            sharing_loss = ClassifierSharingLoss(alpha=alpha, tau=tau)
        net = MultiTaskNet(
            module,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.AdamW,
            lr=lr,
            optimizer__weight_decay=weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=cbs,
            device=device,
            verbose=verbose,
            sampler_seed=sampler_seed,
            task_names=list(task_names),
            sharing_criterion=sharing_loss,
            torch_load_kwargs={"weights_only": False},
        )
        net.fit(dataset, y=None)
    return net


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
