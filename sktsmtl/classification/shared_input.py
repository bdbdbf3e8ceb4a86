"""Shared-input tasks of :class:`~sktsmtl.MultiTaskTimeSeriesClassifier`: ``fit(X, Y)``
with one array of series and one label column per task.

scikit-learn's multi-output convention (``Y`` of shape ``(n, n_tasks)``, a DataFrame,
or a dict of label arrays over the one ``X``). Training runs the backbone once per
mini-batch and every head on it (:class:`~sktsmtl.training.SharedInputNet`) instead of
Algorithm 2's one task per batch, which would compute every series once per task.
"""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, validate_data

from ..data import TaskPanel, check_label_columns, check_not_iterator
from ..data.mapped import row_blocks
from ..training import (
    SharedInputDataset,
    SharedInputNet,
    SharedInputSplit,
    build_backbone,
    build_network,
    fit_final_estimators,
    seed_sequence,
    select_per_task,
)

__all__ = ["SharedInputMixin"]

#: Most series a data-dependent backbone (MiniRocket) reads to set its transform.
_INITIALISATION_SERIES = 10_000

# Parameters of recipes that need tasks of their own rows: (name, value that is off)
_TASK_ROW_RECIPES = (("finetune_epochs", 0), ("recalibrate_norm", False),
                     ("warm_start", False))


def nonfinite_values(x):
    """``(has_nan, has_inf)`` of ``x``, read a block of rows at a time (a
    memory-mapped array is never resident whole, and no full-size mask is made)."""
    nan = inf = False
    for block in row_blocks(x):
        nan = nan or bool(np.isnan(block).any())
        inf = inf or bool(np.isinf(block).any())
    return nan, inf


def checked_series(estimator, X, reset):
    """``validate_data`` of shared-input series: NaN allowed, infinity refused (the
    scan is :func:`nonfinite_values`'); returns ``(X, has_nan)``."""
    X = validate_data(estimator, X, reset=reset, ensure_all_finite=False, allow_nd=True,
                      dtype=(np.float32, np.float64),
                      ensure_min_samples=2 if reset else 1)
    nan, inf = nonfinite_values(X)
    if inf:
        raise ValueError(f"Input X contains infinity or a value too large for "
                         f"{X.dtype!r}.")
    return X, nan


def series_array(X, preprocess, force=False, ref_length=None, nan=None):
    """``(x, lengths)``: an array of series as ``(n, C, L)`` float32 and true lengths.

    An array without NaN is used as it is unless ``force`` (float32: not copied, so a
    ``numpy.memmap`` stays on disk). Otherwise every series goes through ``preprocess``
    (a ``TaskPanel`` -> ``TaskPanel`` function: imputation, normalisation) and is
    zero-padded at the end to the longest (or ``ref_length``).

    Parameters
    ----------
    X : ndarray of shape (n, L) or (n, C, L)
    preprocess : callable
        Applied to the series when they have NaN or ``force`` (it copies them).
    force : bool, default=False
        Preprocess even without NaN (normalisation).
    ref_length : int, default=None
        Pad to at least this length (the longest series seen at fit).
    nan : bool, default=None
        Whether ``X`` holds a NaN, if known (else it is scanned).

    Returns
    -------
    x : ndarray of shape (n, C, L')
    lengths : ndarray of int of shape (n,) or None
        None when no series is shorter than ``L'``.
    """
    x = X[:, None, :] if X.ndim == 2 else X
    if nan is None:
        nan = nonfinite_values(x)[0]
    if not force and x.shape[-1] >= (ref_length or 0) and not nan:
        return x.astype(np.float32, copy=False), None
    panel = TaskPanel.from_array(np.asarray(X, dtype=np.float64), "X")
    panel = preprocess(panel)
    lengths = np.array([s.shape[-1] for s in panel.series], dtype=np.int64)
    length = max(int(lengths.max()), ref_length or 0)
    out = np.zeros((len(panel.series), x.shape[1], length), dtype=np.float32)
    for i, s in enumerate(panel.series):
        out[i, :, :s.shape[-1]] = s
    return out, (None if (lengths == length).all() else lengths)


class SharedInputMixin:
    """Fit and prediction of tasks that label one set of series (see module doc).

    Mixed into :class:`~sktsmtl.MultiTaskTimeSeriesClassifier`, which dispatches to it
    when ``X`` is one array and ``y`` gives several label columns.
    """

    # -- fit ---------------------------------------------------------------------------
    def _fit_shared_input(self, X, y):
        for name, off in _TASK_ROW_RECIPES:
            if getattr(self, name) != off:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} is not available for tasks over one "
                    "X (label columns in y): it works on every task's own series. Give "
                    "the tasks as dicts {task: X_t}, {task: y_t} to use it.")
        self._forget_single_array_attributes()
        check_not_iterator(X, "X")
        X, nan = checked_series(self, X, reset=True)
        if X.ndim not in (2, 3):
            raise ValueError(f"X must be (n, L) or (n, C, L) for tasks over one X, got "
                             f"shape {X.shape}.")
        columns = check_label_columns(y, X.shape[0])
        self._check_recipe()
        tasks = columns.tasks
        names = [str(t) for t in tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"the tasks {tasks!r} have the same names as text; name "
                             "them apart.")
        x, lengths = series_array(X, self._preprocess, force=self.normalize, nan=nan)
        dataset = SharedInputDataset(x, lengths, columns.codes)
        n_classes = [len(columns.classes[t]) for t in tasks]
        class_weights = self._class_weight_list(tasks, columns.classes, columns, False)
        self._open_checkpoints(x, lengths, columns.codes)
        try:
            fitted = self._fit_shared_networks(dataset, tasks, names, n_classes,
                                               class_weights)
        except BaseException:
            self._abort_fit()
            raise
        for attr in ("finetune_history_", "finetune_epoch_"):
            vars(self).pop(attr, None)
        for attr, value in fitted.items():
            setattr(self, attr, value)
        self.tasks_ = tasks
        self.n_channels_ = {t: int(x.shape[1]) for t in tasks}
        self._shared_input = columns.form
        self._shared_classes = columns.classes
        self._single_array = False
        self._ref_lengths = {t: int(x.shape[-1]) for t in tasks}
        self.classes_ = (dict(columns.classes) if columns.form == "dict" else
                         [columns.classes[t] for t in tasks])
        if self.final_estimator is not None:
            self._fit_shared_final_estimators(dataset, columns)
        else:
            vars(self).pop("final_estimators_", None)
        heldout = self._heldout_accuracy(tasks, names)
        if heldout is None:
            vars(self).pop("heldout_accuracy_", None)
        else:
            self.heldout_accuracy_ = heldout
        self._close_checkpoints()
        return self

    def _fit_shared_networks(self, dataset, tasks, names, n_classes, class_weights):
        if self.multitask:
            net = self._fit_shared_network(dataset, n_classes, names, self.random_state,
                                           stage="shared", class_weights=class_weights,
                                           task_weights=self._task_weight_list(tasks))
            fitted = dict(nets_={t: net for t in tasks}, history_=net.history,
                          best_epoch_=net.best_epoch_, _trained_nets={"shared": net},
                          _task_index={t: i for i, t in enumerate(tasks)})
            if self.model_selection == "per_task" and len(tasks) > 1:
                fitted["nets_"], fitted["best_epoch_"] = select_per_task(net, tasks)
            return fitted
        # apart: every task its own network on the rows that have its label
        seeds = seed_sequence(self.random_state, len(tasks))
        nets, histories, best = {}, {}, {}
        codes = dataset.labels()
        for i, t in enumerate(tasks):
            rows = np.flatnonzero(codes[:, i] >= 0)
            own = SharedInputDataset(dataset.x, dataset.lengths, codes[:, [i]], rows)
            net = self._fit_shared_network(
                own, [n_classes[i]], [names[i]], seeds[i], stage=f"task-{i}",
                class_weights=None if class_weights is None else [class_weights[i]])
            nets[t], histories[t], best[t] = net, net.history, net.best_epoch_
            if net.interrupted_ and i < len(tasks) - 1:
                raise KeyboardInterrupt(f"interrupted while training task {t!r}")
        return dict(nets_=nets, history_=histories, best_epoch_=best,
                    _trained_nets={f"task-{i}": nets[t] for i, t in enumerate(tasks)},
                    _task_index={t: 0 for t in tasks})

    def _fit_shared_network(self, dataset, n_classes, names, random_state, *, stage,
                            class_weights=None, task_weights=None):
        weight_seed, split_seed, sampler_seed = seed_sequence(random_state, 3)
        train_split = (SharedInputSplit(self.validation_fraction, split_seed)
                       if self.validation_fraction > 0 else None)
        sharing_loss, callbacks = self._joint_training_parts(names)
        label = "" if stage == "shared" else f"task {names[0]}"
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(weight_seed)
            backbone = build_backbone(self.backbone, int(dataset.x.shape[1]),
                                      self._routed("backbone"))
            if hasattr(backbone, "initialize_from_series"):
                rng = np.random.default_rng(int(weight_seed))
                rows = np.arange(len(dataset)) if dataset.rows is None else dataset.rows
                if len(rows) > _INITIALISATION_SERIES:
                    rows = np.sort(rng.choice(rows, _INITIALISATION_SERIES, replace=False))
                lengths = (dataset.lengths if dataset.lengths is not None else
                           np.full(len(dataset.x), dataset.padded_length))
                backbone.initialize_from_series(
                    [np.asarray(dataset.x[r][:, :lengths[r]]) for r in rows],
                    seed=int(weight_seed))
            # one set of batch-norm statistics: the tasks share their input
            module = build_network(backbone, n_classes, task_norm_stats=False)
            net = self._make_net(
                module, net_class=SharedInputNet, criterion=torch.nn.CrossEntropyLoss,
                train_split=train_split, monitor="valid_acc", lower_is_better=False,
                callbacks=callbacks, sampler_seed=sampler_seed, task_names=list(names),
                sharing_criterion=sharing_loss, task_weights=task_weights,
                gradient_surgery=self.gradient_surgery, class_weights=class_weights)
            net = self._train(net, dataset, stage=stage, label=label)
        return net

    def _fit_shared_final_estimators(self, dataset, columns):
        embeddings = self._shared_embeddings(dataset)
        position = {t: j for j, t in enumerate(self.tasks_)}

        def task_data(task):  # the rows that have the task's label
            rows = np.flatnonzero(columns.codes[:, position[task]] >= 0)
            return embeddings[task][rows], columns.codes[rows, position[task]]

        self.final_estimators_ = fit_final_estimators(
            self._make_final_estimator, self.tasks_, task_data, self.random_state)

    # -- prediction --------------------------------------------------------------------
    def _shared_dataset(self, X):
        check_is_fitted(self)
        check_not_iterator(X, "X")
        shape = np.shape(X)
        fitted = next(iter(self.n_channels_.values()))
        if len(shape) not in (2, 3) or (shape[1] if len(shape) == 3 else 1) != fitted:
            raise ValueError(f"X has shape {shape}; the estimator was fitted on series "
                             f"with {fitted} channel(s), given as (n, L) or (n, C, L).")
        X, nan = checked_series(self, X, reset=False)
        ref = next(iter(self._ref_lengths.values()))
        x, lengths = series_array(X, self._preprocess, force=self.normalize,
                                  ref_length=ref, nan=nan)
        return SharedInputDataset(x, lengths)

    def _distinct_nets(self):
        """``[(net, [(task, head index)])]``: each trained net once, with its tasks."""
        groups = {}
        for task in self.tasks_:
            net = self.nets_[task]
            groups.setdefault(id(net), (net, []))[1].append(
                (task, self._task_index[task]))
        return list(groups.values())

    def _shared_logits(self, dataset):
        out = {}
        for net, tasks in self._distinct_nets():
            logits = net.head_logits(dataset)
            for task, head in tasks:
                out[task] = logits[head]
        return out

    def _shared_embeddings(self, dataset):
        out = {}
        for net, tasks in self._distinct_nets():
            z = net.embed(dataset)
            for task, _ in tasks:
                out[task] = z
        return out

    def _shared_probabilities(self, X):
        dataset = self._shared_dataset(X)
        if self.final_estimator is None:
            from .multitask import _softmax
            return {t: _softmax(z) for t, z in self._shared_logits(dataset).items()}
        out = {}
        for task, z in self._shared_embeddings(dataset).items():
            est = self.final_estimators_[task]
            proba = est.predict_proba(z)
            full = np.zeros((proba.shape[0], len(self._shared_classes[task])))
            full[:, np.asarray(est.classes_, dtype=np.int64)] = proba
            out[task] = full
        return out

    def _shared_predict(self, X):
        dataset = self._shared_dataset(X)
        if self.final_estimator is None:
            codes = {t: z.argmax(axis=1) for t, z in self._shared_logits(dataset).items()}
        else:
            codes = {t: np.asarray(self.final_estimators_[t].predict(z), dtype=np.int64)
                     for t, z in self._shared_embeddings(dataset).items()}
        labels = {t: self._shared_classes[t][codes[t]] for t in self.tasks_}
        if self._shared_input == "dict":
            return labels
        return _label_matrix([labels[t] for t in self.tasks_])

    def _shared_predict_proba(self, X):
        proba = self._shared_probabilities(X)
        if self._shared_input == "dict":
            return {t: proba[t] for t in self.tasks_}
        return [proba[t] for t in self.tasks_]

    def _shared_transform(self, X):
        dataset = self._shared_dataset(X)
        return np.concatenate([net.embed(dataset) for net, _ in self._distinct_nets()],
                              axis=1)

    def _shared_score_tasks(self, X, y):
        pred = self._shared_predict(X)
        columns = check_label_columns(y, len(pred[self.tasks_[0]]) if isinstance(
            pred, dict) else pred.shape[0])
        if list(columns.tasks) != list(self.tasks_) and columns.form != "array":
            raise ValueError(f"y has the tasks {columns.tasks!r}; the estimator was "
                             f"fitted on {list(self.tasks_)!r}.")
        scores = {}
        for j, task in enumerate(self.tasks_):
            predicted = pred[task] if isinstance(pred, dict) else pred[:, j]
            rows = np.flatnonzero(columns.codes[:, j] >= 0)
            truth = columns.classes[columns.tasks[j]][columns.codes[rows, j]]
            scores[task] = float(np.mean([a == b for a, b in
                                          zip(truth.tolist(), predicted[rows].tolist())]))
        return scores


def _label_matrix(columns):
    """Columns of labels as one ``(n, n_tasks)`` array (object when their types differ)."""
    kinds = {c.dtype.kind for c in columns}
    if len(kinds) == 1 and kinds <= set("biuf"):
        return np.column_stack(columns).astype(np.result_type(*columns))
    if len(kinds) == 1 and kinds <= {"U"}:
        return np.column_stack(columns)
    out = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, c in enumerate(columns):
        out[:, j] = c.tolist()
    return out
