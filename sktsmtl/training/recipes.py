"""The multi-task recipes that act on a trained network: what the shared fit records per
task, per-task model selection, per-task fine-tuning and the final-estimator stage.

A multi-task estimator trains one shared network (Algorithm 2, or one pass per batch for
tasks over one set of series), then applies these functions to it, each over fitted
nets, so that every estimator on :class:`~sktsmtl.training.NetworkEstimator` uses the
same rules:

- :func:`joint_training_parts`: the MTCS classifier-sharing loss and the callbacks that
  record every task's validation accuracy (and best state) during the shared fit;
- :func:`select_per_task`: every task predicted by the shared network's state at that
  task's best validation epoch, not at the best mean epoch;
- :func:`finetune_per_task`: every task's copy trained further on that task alone (the
  head, or head and backbone), kept only where it beats the copy it started from;
- :func:`fit_final_estimators`: one classifier per task on the frozen network's
  embeddings (MTCS's SVM stage).
"""

import copy

import torch

from .callbacks import TaskAccuracy, TaskBestStates
from .device import seed_sequence
from .net import MultiTaskNet

__all__ = ["joint_training_parts", "select_per_task", "finetune_per_task",
           "fit_final_estimators"]


def joint_training_parts(task_names, *, sharing="none", alpha=None, tau=None,
                         model_selection="mean"):
    """The sharing loss and callbacks of a network that learns ``task_names`` together.

    Parameters
    ----------
    task_names : list of str
        The tasks the network learns, in head order.
    sharing : {"none", "mtcs"}, default="none"
        ``"mtcs"``: the classifier-sharing loss of Wang et al. (2022), with more than
        one task.
    alpha, tau : float, default=None
        Its weight and temperature (:class:`~sktsmtl.nets.ClassifierSharingLoss`).
    model_selection : {"mean", "per_task"}, default="mean"
        ``"per_task"`` adds :class:`TaskBestStates`, which keeps every task's best
        validation state for :func:`select_per_task`.

    Returns
    -------
    sharing_loss : torch.nn.Module or None
    callbacks : list of (str, Callback)
        Per-task validation accuracy, and per-task best states where selected so.

    Examples
    --------
    >>> from sktsmtl.training import joint_training_parts
    >>> loss, callbacks = joint_training_parts(["a", "b"], model_selection="per_task")
    >>> loss is None, [name for name, _ in callbacks]
    (True, ['task_accuracy', 'task_best_states'])
    """
    sharing_loss = None
    if sharing == "mtcs" and len(task_names) > 1:
        from ..nets import ClassifierSharingLoss
        sharing_loss = ClassifierSharingLoss(alpha=alpha, tau=tau)
    callbacks = [("task_accuracy", TaskAccuracy(list(task_names)))]
    if model_selection == "per_task" and len(task_names) > 1:
        callbacks.append(("task_best_states", TaskBestStates(list(task_names))))
    return sharing_loss, callbacks


def select_per_task(net, tasks):
    """One copy of a shared net per task, holding that task's best validation state.

    Parameters
    ----------
    net : MultiTaskNet or SharedInputNet
        Trained with :class:`TaskBestStates` (``task_states_`` and
        ``task_best_epochs_``, keyed by head index); a task with no recorded state (no
        validation part) keeps the net itself. Those two attributes are removed from
        ``net``: the states now live in the copies.
    tasks : list
        Task keys in head order.

    Returns
    -------
    nets : dict
        ``{task: net}``.
    best_epochs : dict
        ``{task: epoch}`` (1-based) of the state every task is predicted by.
    """
    states = getattr(net, "task_states_", {})
    epochs = getattr(net, "task_best_epochs_", {})
    nets, best = {}, {}
    for i, t in enumerate(tasks):
        if i not in states:
            nets[t], best[t] = net, net.best_epoch_
            continue
        own = copy.deepcopy(net)
        own.module_.load_state_dict(states[i])
        nets[t], best[t] = own, epochs[i]
    for attr in ("task_states_", "task_best_epochs_"):
        if hasattr(net, attr):
            delattr(net, attr)
    return nets, best


def _validation_key(net, dataset):
    """``(accuracy, -mean cross-entropy)`` of a fitted net on a one-task dataset: the
    order :class:`BestEpochRestorer` ranks epochs by (:func:`epoch_rank`)."""
    logits = net.forward_task(dataset).float()
    y = torch.as_tensor(dataset.y, dtype=torch.long)
    accuracy = float((logits.argmax(dim=1) == y).double().mean())
    return accuracy, -float(torch.nn.functional.cross_entropy(logits, y))


def finetune_per_task(estimator, nets, train, valid, tasks, names, *, epochs, lr,
                      head_only, seed, class_weights=None):
    """Train every task's network on that task alone; keep what beats the start.

    Parameters
    ----------
    estimator : NetworkEstimator
        Builds and trains the nets (its optimiser, callbacks, precision, device,
        progress and checkpoints).
    nets : dict
        ``{task: fitted MultiTaskNet}`` to start from (after :func:`select_per_task`).
    train, valid : TaskDataset or None
        The shared fit's training and validation parts (``valid`` None: no validation,
        every fine-tuned net is kept at its last epoch).
    tasks : list
        Task keys in head order; ``names`` their string names.
    names : list of str
    epochs : int
        Epochs of fine-tuning per task.
    lr : float
        Its learning rate.
    head_only : bool
        Freeze the backbone (train the task's head only).
    seed : int
        Seeds every task's net (weights order, batches).
    class_weights : list or None
        Per task index, the class weights of the loss.

    Returns
    -------
    nets : dict
        ``{task: net}``: the fine-tuned net, or the starting one where fine-tuning did
        not reach a better validation ``(accuracy, -loss)`` than it.
    histories : dict
        ``{task: skorch History}`` of the fine-tuning of every task reached.
    kept : dict
        ``{task: epoch}`` of fine-tuning kept; 0 where the starting net was kept.
        After an interrupt the tasks not reached keep their starting net (0).
    """
    from skorch.helper import predefined_split

    seeds = seed_sequence(seed, len(tasks))
    out, histories, kept = {}, {}, {}
    for i, t in enumerate(tasks):
        module = copy.deepcopy(nets[t].module_)
        frozen = list(module.backbone.parameters()) if head_only else []
        for p in frozen:
            p.requires_grad_(False)
        train_t = train.subset(train.task_rows()[i])
        valid_rows = valid.task_rows().get(i) if valid is not None else None
        valid_t = valid.subset(valid_rows) if valid_rows is not None else None
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seeds[i])
            net = estimator._make_net(
                module, net_class=MultiTaskNet, criterion=torch.nn.CrossEntropyLoss,
                train_split=predefined_split(valid_t) if valid_t is not None else None,
                monitor="valid_acc", lower_is_better=False,
                callbacks=[("task_accuracy", TaskAccuracy(list(names)))],
                sampler_seed=seeds[i], task_names=list(names), lr=lr,
                max_epochs=epochs, class_weights=class_weights)
            net = estimator._train(net, train_t, stage=f"finetune-{i}", required=False,
                                   label=f"fine-tune {names[i]}")
        for p in net.module_.backbone.parameters():
            p.requires_grad_(True)
        histories[t] = net.history
        out[t], kept[t] = net, net.best_epoch_ or len(net.history)
        if valid_t is not None and net.best_epoch_ is not None:
            row = net.history[net.best_epoch_ - 1]
            if _validation_key(nets[t], valid_t) >= (row["valid_acc"], -row["valid_loss"]):
                out[t], kept[t] = nets[t], 0
        if net.interrupted_:
            for rest in tasks[i + 1:]:
                out[rest], kept[rest] = nets[rest], 0
            break
    return out, histories, kept


def fit_final_estimators(make_estimator, tasks, task_data, random_state):
    """One classifier per task on the embeddings of its training series.

    Parameters
    ----------
    make_estimator : callable
        ``seed -> unfitted classifier``.
    tasks : list
        Task keys, in the order their seeds are drawn.
    task_data : callable
        ``task -> (embeddings, class codes)``, called once per task, in order (so that
        only one task's embeddings are held at a time).
    random_state : int, RandomState or None
        The estimator's seed; task ``i`` gets the ``i + 1``-th seed of
        :func:`seed_sequence` (the first seeds the network).

    Returns
    -------
    dict
        ``{task: fitted classifier}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sktsmtl.training import fit_final_estimators
    >>> z = np.random.default_rng(0).normal(size=(20, 4))
    >>> fitted = fit_final_estimators(lambda seed: LogisticRegression(random_state=seed),
    ...                               ["a", "b"], lambda task: (z, z[:, 0] > 0), 0)
    >>> sorted(fitted), fitted["a"].coef_.shape
    (['a', 'b'], (1, 4))
    """
    seeds = seed_sequence(random_state, len(tasks) + 1)[1:]
    out = {}
    for seed, task in zip(seeds, tasks):
        z, codes = task_data(task)
        out[task] = make_estimator(int(seed)).fit(z, codes)
    return out
