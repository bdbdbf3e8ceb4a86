"""``MultiTaskTimeSeriesClassifier``: one network learning several tasks together."""

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..data import (
    check_task_classes,
    check_task_data,
    check_task_input,
    format_like_input,
)
from ..preprocessing import MissingValueImputer, ZNormalizer
from ..training.parameters import TRAINING_PARAMETER_CONSTRAINTS
from ..training import fit_task_network, predict_task_logits, seed_sequence, task_embeddings
from ..training.builder import BACKBONES
from .base import MultiTaskClassifierMixin, is_multitask_input

__all__ = ["MultiTaskTimeSeriesClassifier"]


class MultiTaskTimeSeriesClassifier(MultiTaskClassifierMixin, TransformerMixin, BaseEstimator):
    """Multi-task time-series classifier: a shared backbone with one head per task.

    Hard parameter sharing (Yeh et al. 2023): every task's series go through one
    backbone network (ResNet1D, or ResNet2D whose learnable templates turn a series into
    a pairwise-distance tensor read by 2D convolutions) into a shared embedding, and
    one linear head per task classifies it. Training follows the paper's Algorithm 2:
    each mini-batch holds one task, the largest task is seen once per epoch and smaller
    ones are cycled, task order is shuffled at every iteration. A stratified share of
    every task is held out and the epoch with the best mean validation accuracy is
    restored at the end.

    Parameters
    ----------
    backbone : {"resnet2d", "resnet1d"}, default="resnet2d"
        The shared network.
    n_templates : int, default=None
        ResNet2D's number of learnable templates (``k``); None uses the backbone's CPU
        default. Ignored by other backbones.
    template_length : int, default=None
        ResNet2D's template length (``m``); None uses the backbone's CPU default.
    backbone_params : dict, default=None
        Further keyword arguments of the backbone class (for example
        ``{"n_blocks": 8, "width": 64}``); see :mod:`sktsmtl.nets`.
    multitask : bool, default=True
        False trains one independent network per task through the same code (the
        papers' non-MTL baselines).
    max_epochs : int, default=100
        Training epochs (the paper uses 400).
    batch_size : int, default=40
        Mini-batch size (the paper's).
    lr : float, default=1e-4
        AdamW learning rate (the paper's).
    weight_decay : float, default=1e-2
        AdamW weight decay.
    validation_fraction : float, default=0.25
        Share of every task's series held out (stratified by class) to pick the best
        epoch. 0.25 of the data given to fit is the paper's 60/20 train/validation
        proportion. 0 trains on everything and keeps the last epoch.
    early_stopping : int, default=None
        Stop when mean validation accuracy has not improved for this many epochs;
        None trains for ``max_epochs``.
    normalize : bool, default=False
        Z-normalise every series (per channel) before training and prediction. It
        helps some datasets and hurts others (amplitude carries class information in
        accelerometer data), so it is off by default and a benchmark records it.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Torch device; ``"auto"`` takes a GPU when there is one.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, validation split and batch order; with an int, two CPU fits
        give identical predictions.
    verbose : int, default=0
        1 prints one line per epoch (train loss, validation loss, validation accuracy
        per task, duration).
    callbacks : list of skorch callbacks, default=None
        Extra callbacks added to the training loop.

    Attributes
    ----------
    tasks_ : list
        Task ids seen in fit.
    classes_ : dict or ndarray
        ``{task: classes}``; for a plain array input (one task) the classes array.
    n_channels_ : dict
        ``{task: channels}``.
    nets_ : dict
        ``{task: MultiTaskNet}``; with ``multitask=True`` every task maps to the same
        shared net.
    history_ : skorch History or dict
        Per-epoch training record; a dict ``{task: History}`` when
        ``multitask=False``.
    best_epoch_ : int or dict
        Epoch restored (1-based); a dict per task when ``multitask=False``.
    n_features_in_ : int
        Series length, only for a plain 2D array input.

    Notes
    -----
    Missing values (interior NaN, as in UCR files) are filled by linear interpolation.
    Series of different lengths within a task are zero-padded at the end to the
    task's longest series seen at fit; the backbones exclude padded steps from their
    normalisation and pooling, so the padding carries no signal. Hard sharing needs one
    channel count across tasks.

    References
    ----------
    C.-C. M. Yeh et al., "Multitask Learning for Time Series Data with 2D
    Convolution", 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl import MultiTaskTimeSeriesClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 6, 40)
    >>> X = {"a": np.sin(t * rng.uniform(1, 3, (30, 1))),
    ...      "b": np.sin(t[:30] * rng.uniform(1, 3, (20, 1)))}
    >>> y = {"a": np.repeat([0, 1], 15), "b": np.repeat(["u", "v"], 10)}
    >>> clf = MultiTaskTimeSeriesClassifier(backbone="resnet1d", max_epochs=2,
    ...                                     random_state=0).fit(X, y)
    >>> sorted(clf.predict(X))
    ['a', 'b']
    """

    _parameter_constraints = {
        "backbone": [StrOptions(set(BACKBONES))],
        "n_templates": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "template_length": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "backbone_params": [dict, None],
        "multitask": ["boolean"],
        "normalize": ["boolean"],
        **TRAINING_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        backbone="resnet2d",
        n_templates=None,
        template_length=None,
        backbone_params=None,
        multitask=True,
        max_epochs=100,
        batch_size=40,
        lr=1e-4,
        weight_decay=1e-2,
        validation_fraction=0.25,
        early_stopping=None,
        normalize=False,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.backbone = backbone
        self.n_templates = n_templates
        self.template_length = template_length
        self.backbone_params = backbone_params
        self.multitask = multitask
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.normalize = normalize
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # -- input handling ----------------------------------------------------------------
    def _preprocess(self, panel):
        panel = MissingValueImputer().fit_transform(panel)
        if self.normalize:
            panel = ZNormalizer().fit_transform(panel)
        return panel

    def _training_config(self):
        return dict(
            backbone=self.backbone,
            n_templates=self.n_templates,
            template_length=self.template_length,
            backbone_params=self.backbone_params,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            validation_fraction=self.validation_fraction,
            early_stopping=self.early_stopping,
            device=self.device,
            verbose=self.verbose,
            callbacks=self.callbacks,
        )

    # -- fit ---------------------------------------------------------------------------
    def fit(self, X, y):
        """Train the network on every task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}`` with ``X_t`` of shape ``(n, L)`` or ``(n, C, L)`` (NaN-padded
            or not) or a list of series; a ``TaskPanel``; or one task's array.
        y : dict, TaskLabels or array-like
            Labels in the matching form, any hashable type per task.

        Returns
        -------
        self : MultiTaskTimeSeriesClassifier
        """
        self._validate_params()
        if not is_multitask_input(X):
            X, y = self._validate_single_array(X, y, reset=True)
        panel, labels, kind = check_task_data(X, y)
        classes = check_task_classes(labels)
        tasks = panel.tasks
        n_channels = panel.n_channels()
        if self.multitask and len(set(n_channels.values())) > 1:
            first = tasks[0]
            other = next(t for t in tasks if n_channels[t] != n_channels[first])
            raise ValueError(
                f"task {other!r} has {n_channels[other]} channels but task {first!r} has "
                f"{n_channels[first]}; hard parameter sharing needs one channel count "
                "(use multitask=False, or select channels)."
            )
        if self.early_stopping is not None and self.validation_fraction == 0:
            raise ValueError("early_stopping needs validation_fraction > 0.")

        panel = self._preprocess(panel)
        task_index = {t: i for i, t in enumerate(tasks)}
        row_task = np.array([task_index[t] for t in panel.task_ids], dtype=np.int64)
        row_class = np.empty(len(panel), dtype=np.int64)
        for t in tasks:
            rows = panel.rows_of(t)
            row_class[rows] = np.searchsorted(classes[t], labels.task_labels(t))

        config = self._training_config()
        names = [str(t) for t in tasks]
        n_classes = [len(classes[t]) for t in tasks]
        if self.multitask:
            net = fit_task_network(panel.series, row_task, row_class, n_classes, names,
                                   random_state=self.random_state, **config)
            self.nets_ = {t: net for t in tasks}
            self.history_ = net.history
            self.best_epoch_ = net.best_epoch_
        else:
            seeds = seed_sequence(self.random_state, len(tasks))
            self.nets_, self.history_, self.best_epoch_ = {}, {}, {}
            for i, t in enumerate(tasks):
                rows = panel.rows_of(t)
                cfg = dict(config, callbacks=copy.deepcopy(self.callbacks))
                net = fit_task_network([panel.series[r] for r in rows],
                                       np.zeros(len(rows), dtype=np.int64), row_class[rows],
                                       [n_classes[i]], [names[i]],
                                       random_state=seeds[i], **cfg)
                self.nets_[t], self.history_[t], self.best_epoch_[t] = (
                    net, net.history, net.best_epoch_)

        self.tasks_ = tasks
        self.n_channels_ = n_channels
        self._task_index = task_index if self.multitask else {t: 0 for t in tasks}
        self._ref_lengths = {t: int(panel.lengths()[panel.rows_of(t)].max()) for t in tasks}
        self._single_array = kind == "array"
        self.classes_ = classes[tasks[0]] if self._single_array else classes
        return self

    # -- inference ---------------------------------------------------------------------
    def _task_classes(self, task):
        return self.classes_ if self._single_array else self.classes_[task]

    def _validated_panel(self, X):
        check_is_fitted(self)
        if self._single_array and not is_multitask_input(X):
            X, _ = self._validate_single_array(X, reset=False)
        panel, kind = check_task_input(X, tasks=self.tasks_, n_channels=self.n_channels_)
        return self._preprocess(panel), kind

    def _logits(self, panel, task):
        rows = panel.rows_of(task)
        return predict_task_logits(
            self.nets_[task], [panel.series[r] for r in rows], self._task_index[task],
            self._ref_lengths[task])

    def predict_proba(self, X):
        """Class probabilities per task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, n_classes_t)}`` with columns in ``classes_[task]`` order; one
            array for a plain array input.
        """
        panel, kind = self._validated_panel(X)
        out = {}
        for task in panel.tasks:
            logits = self._logits(panel, task)
            logits = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            out[task] = p / p.sum(axis=1, keepdims=True)
        return format_like_input(out, panel, kind)

    def predict(self, X):
        """Predict every series' label with its task's head.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict, TaskLabels or ndarray
            Same form as ``X``.
        """
        panel, kind = self._validated_panel(X)
        out = {task: self._task_classes(task)[self._logits(panel, task).argmax(axis=1)]
               for task in panel.tasks}
        return format_like_input(out, panel, kind)

    def transform(self, X):
        """Shared embeddings of every series.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, embedding_dim)}``; one array for a plain array input.
        """
        panel, kind = self._validated_panel(X)
        out = {}
        for task in panel.tasks:
            rows = panel.rows_of(task)
            out[task] = task_embeddings(self.nets_[task], [panel.series[r] for r in rows],
                                        self._task_index[task], self._ref_lengths[task])
        return format_like_input(out, panel, kind)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        # transform gives the shared embeddings (float32 network outputs)
        tags.transformer_tags.preserves_dtype = []
        return tags

